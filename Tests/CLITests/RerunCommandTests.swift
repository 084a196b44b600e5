import Foundation
import XCTest

/// `schedlab rerun` and `--set`, end to end: a rerun reproduces the recorded run row for row, refuses runs it
/// cannot reproduce with exit 2, and an overridden run records the scenario it actually ran.
final class RerunCommandTests: SchedLabProcessTestCase {
    /// A trace beside its scenario, referenced relatively: a rerun must find it the same way.
    static let trace = """
        job_id,submit_time_s,num_gpus,duration_s,gpu_type,model
        a,0,4,600,,resnet50
        b,30,8,1200,,bert-base
        c,45,2,300,,
        d,60,1,900,,resnet50
        e,90,4,200,,

        """

    static let scenario = """
        seed: 3
        cluster:
          racks:
            - nodes: [{template: dgx-a100, count: 1}]
        workload:
          trace: {file: jobs.csv}
        policy: {name: fifo, placement: packed}

        """

    /// Runs `sql` on the database at `path` with Python's sqlite3 module (read-write), returning rows as strings.
    func sql(_ path: String, _ sql: String, write: Bool = false) throws -> [[String]] {
        let script = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            rows = c.execute(sys.argv[2]).fetchall()
            c.commit()
            for row in rows:
                print("\\t".join("" if v is None else repr(v) for v in row))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path, sql]
        let outURL = dir.appendingPathComponent(".sql-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        p.standardOutput = out
        do { try p.run() } catch { throw XCTSkip("python3 is not available to read the database") }
        p.waitUntilExit()
        try out.close()
        if p.terminationStatus == 127 { throw XCTSkip("python3 is not available to read the database") }
        XCTAssertEqual(p.terminationStatus, 0, "query failed: \(sql)")
        // repr() keeps every float digit, so equal rows are equal values, not equal roundings.
        return String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The metric table of a summary printout (the provenance lines above it name the run and wall time).
    func metricTable(_ stdout: String) -> String {
        String(stdout[stdout.range(of: "metric ")!.lowerBound...])
    }

    private var db: String { dir.appendingPathComponent("r.sqlite").path }

    /// Records run 1 of the trace scenario at the relative path scen/s.yaml with overrides and --policy.
    private func recordOriginal() throws -> Output {
        try write(Self.trace, to: "scen/jobs.csv")
        try write(Self.scenario, to: "scen/s.yaml")
        let r = try schedlab(["run", "scen/s.yaml", "--db", db, "--quiet", "--policy", "backfill",
                              "--set", "cluster.racks[0].nodes[0].count=2", "--set", "seed=9"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r
    }

    func testRerunReproducesTheRunRowForRow() throws {
        let original = try recordOriginal()
        let rerun = try schedlab(["rerun", "--db", db, "--run", "1", "--quiet"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("recorded   run 2 in \(db)"), rerun.stdout)
        XCTAssertTrue(rerun.stdout.contains("policy     backfill, placement packed, seed 9"), rerun.stdout)
        XCTAssertTrue(rerun.stdout.contains("cluster    16 GPUs"), "the override's two nodes:\n\(rerun.stdout)")
        XCTAssertEqual(metricTable(rerun.stdout), metricTable(original.stdout))

        let provenance = "SELECT scenario, scenario_hash, seed, policy, placement, parameters, scenario_text, scenario_path, status FROM runs WHERE id = "
        XCTAssertEqual(try sql(db, provenance + "2"), try sql(db, provenance + "1"))
        for (table, columns, order) in [
            ("jobs", "job, name, submit_s, first_start_s, finish_s, gpus, gpu_type, model, queue_delay_s, jct_s, run_time_s, "
                + "preemptions, mean_iteration_s, comm_fraction", "job"),
            ("summary", "metric, value", "rowid"),
            ("allocations", "job, start_s, end_s, node, gpus", "rowid"),
            ("allocation_gpus", "job, start_s, end_s, gpu", "job, start_s, gpu"),
            ("samples", "time_s, busy_gpus, queued_jobs, running_jobs", "rowid"),
        ] {
            let first = try sql(db, "SELECT \(columns) FROM \(table) WHERE run = 1 ORDER BY \(order)")
            XCTAssertFalse(first.isEmpty, table)
            XCTAssertEqual(try sql(db, "SELECT \(columns) FROM \(table) WHERE run = 2 ORDER BY \(order)"), first, table)
        }
        // Five trace jobs, all finished; the effective text holds the overrides, not the file's values.
        XCTAssertEqual(try sql(db, "SELECT count(*), count(finish_s) FROM jobs WHERE run = 2"), [["5", "5"]])
        let text = try XCTUnwrap(try sql(db, "SELECT scenario_text, scenario_path FROM runs WHERE id = 1").first)
        XCTAssertTrue(text[0].contains("count: 2") && text[0].contains("seed: 9"), text[0])
        XCTAssertEqual(text[1], "'scen/s.yaml'")

        let unrecorded = try schedlab(["rerun", "--db", db, "--run", "1", "--no-db", "--quiet"])
        XCTAssertEqual(unrecorded.status, 0, unrecorded.stderr)
        XCTAssertEqual(metricTable(unrecorded.stdout), metricTable(original.stdout))
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs"), [["2"]], "--no-db records nothing")
    }

    /// A changed trace changes the scenario hash: the rerun refuses rather than simulate something else.
    func testRerunRefusesAChangedTrace() throws {
        _ = try recordOriginal()
        try write(Self.trace + "f,100,1,60,,\n", to: "scen/jobs.csv")
        let r = try schedlab(["rerun", "--db", db, "--run", "1"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.hasPrefix("error: \(db): runs.scenario_hash: run 1's inputs changed since it was recorded"), r.stderr)
        XCTAssertTrue(r.stderr.contains("scen/s.yaml"), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs"), [["1"]])
    }

    /// A run recorded before schema v4 has no scenario text: a clear error, exit 2, nothing recorded.
    func testRerunOfARunWithoutScenarioTextFails() throws {
        _ = try recordOriginal()
        _ = try sql(db, "UPDATE runs SET scenario_text = NULL, scenario_path = NULL WHERE id = 1", write: true)
        let r = try schedlab(["rerun", "--db", db, "--run", "1"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr, "error: \(db): runs.scenario_text: run 1 was recorded before the database kept scenario "
            + "text (schema v4), so it cannot be rerun from the database; run its scenario file again with `schedlab run` "
            + "and --seed 9\n")
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs"), [["1"]])
    }

    func testRerunOfAnUnknownRunOrDatabaseFails() throws {
        _ = try recordOriginal()
        let unknown = try schedlab(["rerun", "--db", db, "--run", "7"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.stderr, "error: \(db): --run: there is no run 7\n")
        let missing = dir.appendingPathComponent("none.sqlite").path
        let noDB = try schedlab(["rerun", "--db", missing, "--run", "1"])
        XCTAssertEqual(noDB.status, 2)
        XCTAssertEqual(noDB.stderr, "error: \(missing): no results database here\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "rerun must not create a database")
    }

    // MARK: - --set on the command line

    /// `run --set` records the effective scenario's provenance; `check --set` validates the same way; a bad
    /// override is one line naming it, exit 2, nothing recorded.
    func testSetOverridesReachProvenanceAndErrorsNameThem() throws {
        let path = try write(CLITests.tiny, to: "tiny.yaml")
        let r = try schedlab(["run", path, "--db", db, "--quiet", "--set", "policy.name=backfill", "--set", "policy.params={depth: 3}"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try sql(db, "SELECT policy, parameters FROM runs"), [["'backfill'", "'depth: 3'"]])
        let check = try schedlab(["check", path, "--set", "policy.name=backfill", "--set", "policy.params={depth: 3}"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("policy backfill"), check.stdout)
        let hash = try XCTUnwrap(try sql(db, "SELECT scenario_hash FROM runs").first?.first)
        let checked = check.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last!.dropLast()  // "…"
        XCTAssertEqual(checked.count, 16, check.stdout)
        XCTAssertTrue(hash.hasPrefix("'" + checked), "\(hash) vs \(check.stdout)")

        for command in ["run", "check"] {
            let bad = try schedlab([command, path, "--set", "workload.synthetic.arival.rate=3"] + (command == "run" ? ["--db", db] : []))
            XCTAssertEqual(bad.status, 2, bad.stderr)
            XCTAssertEqual(bad.stderr, "error: --set workload.synthetic.arival.rate=3: workload.synthetic.arival: unknown field "
                + "'arival'; expected one of: jobs, span_h, arrivals, gpus, duration_s, sample, models, users, gpu_type\n", command)
        }
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs"), [["1"]])
    }

    func testInfoMetricsListsTheCatalog() throws {
        let r = try schedlab("info", "metrics")
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2 + 29, r.stdout)
        XCTAssertTrue(r.stdout.contains("down_gpu_hours        GPU-h     GPU-hours of capacity down for repair"), r.stdout)
        XCTAssertEqual(lines[2], "jobs_total            jobs      jobs in the workload")
        XCTAssertTrue(r.stdout.contains("gpu_util              fraction  busy GPU-seconds / (cluster GPUs × makespan)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("rho_jain              fraction  Jain's index of ρ"), r.stdout)
    }
}
