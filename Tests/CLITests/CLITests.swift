import Foundation
import XCTest

/// End-to-end tests of the `schedlab` binary, run as a subprocess.
final class CLITests: SchedLabProcessTestCase {
    static let snapshotsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// One DGX-A100 node (8 GPUs), 20 synthetic jobs: simulates in well under a second.
    static let tiny = """
        name: tiny
        seed: 11
        cluster:
          racks:
            - name: rack0
              nodes:
                - template: dgx-a100
                  count: 1
        workload:
          synthetic:
            jobs: 20
            arrivals:
              rate_per_hour: 30
            gpus:
              categorical:
                values: [1, 2, 4, 8]
                weights: [4, 3, 2, 1]
            duration_s:
              lognormal: {mu: 6.5, sigma: 0.8}
            models:
              resnet50: 1
              bert-base: 1
        policy:
          name: fifo
          placement: packed

        """

    static let metrics = [
        "jobs_completed", "jct_mean_s", "jct_p50_s", "jct_p95_s", "jct_p99_s", "queue_mean_s", "queue_p95_s",
        "makespan_s", "gpu_util", "gpu_hours",
    ]

    // MARK: - run

    func testRunTinyScenarioRecordsACompleteRun() throws {
        let scenario = try write(Self.tiny, to: "tiny.yaml")
        let db = dir.appendingPathComponent("results/runs.sqlite").path
        let r = try schedlab("run", scenario, "--db", db)
        XCTAssertEqual(r.status, 0, "stderr: \(r.stderr)")
        for m in Self.metrics {
            XCTAssertTrue(r.stdout.contains(m), "summary lacks \(m):\n\(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains("scenario   tiny"), r.stdout)
        XCTAssertTrue(r.stdout.contains("seed 11"), r.stdout)
        XCTAssertTrue(r.stdout.contains("recorded   run 1 in \(db)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("jobs_completed") && r.stdout.range(of: #"jobs_completed\s+20\n"#, options: .regularExpression) != nil,
                      "all 20 jobs should complete:\n\(r.stdout)")
        XCTAssertFalse(r.stderr.contains("error"), r.stderr)

        XCTAssertTrue(FileManager.default.fileExists(atPath: db))
        let runs = try query(db, "SELECT id, status, scenario, seed, policy, placement FROM runs")
        XCTAssertEqual(runs, [["1", "complete", "tiny", "11", "fifo", "packed"]])
        XCTAssertEqual(try query(db, "SELECT count(*) FROM jobs WHERE run = 1"), [["20"]])
        let recorded = Set(try query(db, "SELECT metric FROM summary WHERE run = 1").map { $0[0] })
        for m in Self.metrics { XCTAssertTrue(recorded.contains(m), "summary table lacks \(m)") }
    }

    /// `--stream-writes` records the same rows as the write after the run: 2,000 jobs at a load the 8 GPUs keep up
    /// with, so that rows are handed to the writing thread several times while the simulation runs.
    func testStreamWritesRecordsTheSameRows() throws {
        let more = Self.tiny.replacingOccurrences(of: "jobs: 20\n", with: "jobs: 2000\n")
            .replacingOccurrences(of: "rate_per_hour: 30", with: "rate_per_hour: 10")
        let scenario = try write(more, to: "more.yaml")
        var dbs: [String] = []
        for (name, flags) in [("after", [String]()), ("streamed", ["--stream-writes"])] {
            let db = dir.appendingPathComponent("\(name).sqlite").path
            let r = try schedlab(["run", scenario, "--db", db, "--quiet"] + flags)
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            XCTAssertEqual(try query(db, "SELECT status FROM runs"), [["complete"]], name)
            dbs.append(db)
        }
        XCTAssertEqual(try query(dbs[1], "SELECT count(*) FROM jobs"), [["2000"]])
        for table in ["jobs", "allocations", "samples", "summary"] {
            let sql = "SELECT rowid, * FROM \(table) ORDER BY rowid"
            XCTAssertEqual(try query(dbs[1], sql), try query(dbs[0], sql), "\(table) differs")
        }
        XCTAssertEqual(try query(dbs[1], "PRAGMA integrity_check"), [["ok"]])
    }

    func testBadScenarioExitsTwoWithOneLineAndWritesNothing() throws {
        let good = try write(Self.tiny, to: "tiny.yaml")
        let bad = try write(Self.tiny.replacingOccurrences(of: "rate_per_hour: 30", with: "rate_per_hour: -3"), to: "bad.yaml")
        let db = dir.appendingPathComponent("runs.sqlite").path
        let first = try schedlab("run", good, "--db", db, "--quiet")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try query(db, "SELECT count(*) FROM runs"), [["1"]])

        let r = try schedlab("run", bad, "--db", db)
        XCTAssertEqual(r.status, 2, "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        XCTAssertEqual(r.stdout, "", "nothing is simulated for bad input")
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 2, "exactly one line (plus its newline) on stderr:\n\(r.stderr)")
        XCTAssertEqual(lines.last, "", "stderr ends with a newline")
        let message = String(lines.first ?? "")
        XCTAssertTrue(message.hasPrefix("error: \(bad):"), message)
        XCTAssertTrue(message.contains("workload.synthetic.arrivals.rate_per_hour"), message)
        XCTAssertEqual(try query(db, "SELECT count(*) FROM runs"), [["1"]], "the bad run must not be recorded")
        XCTAssertEqual(try query(db, "SELECT status FROM runs"), [["complete"]])
    }

    func testBadScenarioErrorNamesFileAndLine() throws {
        let bad = try write(Self.tiny.replacingOccurrences(of: "template: dgx-a100", with: "template: dgx-a100\n          gpu: a200"),
                            to: "bad.yaml")
        for command in ["run", "check"] {
            let r = try schedlab([command, bad, "--no-db", "--quiet"].filter { command == "run" || !$0.hasPrefix("--") })
            XCTAssertEqual(r.status, 2, "\(command): \(r.stderr)")
            XCTAssertEqual(r.stderr, "error: \(bad):8: cluster.racks[0].nodes[0].gpu: unknown GPU type 'a200'; expected one of: "
                + "v100-16, v100-32, a100-40, a100-80, h100, h200, l4, t4, a10, p100, g2, g3\n", command)
            XCTAssertEqual(r.stdout, "", command)
        }
    }

    // `run --variant` applies the variant's overrides (recorded with the run); an unknown variant, or a variant that
    // does not load, is bad input: `check` reports it too, naming the variant.
    func testVariantsRunAndAreChecked() throws {
        let scenario = try write(Self.tiny + "variants:\n  short: [policy.name=sjf]\n  broken: [policy.name=lifo]\n", to: "v.yaml")
        let db = dir.appendingPathComponent("runs.sqlite").path
        let ok = try schedlab("run", scenario, "--db", db, "--variant", "short", "--quiet")
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(try query(db, "SELECT policy FROM runs"), [["sjf"]])
        let unknown = try schedlab("run", scenario, "--no-db", "--variant", "long")
        XCTAssertEqual(unknown.status, 2, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("no variant 'long'; expected one of: broken, short"), unknown.stderr)
        let check = try schedlab("check", scenario)
        XCTAssertEqual(check.status, 2, check.stderr)
        XCTAssertTrue(check.stderr.contains("unknown policy 'lifo'") && check.stderr.contains("(in variant 'broken')"), check.stderr)
    }

    func testBadPolicyOverrideExitsTwoAndWritesNothing() throws {
        let scenario = try write(Self.tiny, to: "tiny.yaml")
        let db = dir.appendingPathComponent("runs.sqlite").path
        let r = try schedlab("run", scenario, "--db", db, "--policy", "lifo")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("error: --policy: unknown policy 'lifo'"), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "no database is created for bad input")
    }

    func testMissingScenarioExitsTwo() throws {
        let missing = dir.appendingPathComponent("nope.yaml").path
        let db = dir.appendingPathComponent("runs.sqlite").path
        let r = try schedlab("run", missing, "--db", db)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("error: \(missing): "), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db))
    }

    func testSeedAndPolicyOverridesAreRecorded() throws {
        let scenario = try write(Self.tiny, to: "tiny.yaml")
        let db = dir.appendingPathComponent("runs.sqlite").path
        let r = try schedlab("run", scenario, "--db", db, "--seed", "42", "--policy", "backfill", "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("policy     backfill, placement packed, seed 42"), r.stdout)
        XCTAssertEqual(try query(db, "SELECT seed, policy, status FROM runs"), [["42", "backfill", "complete"]])
    }

    func testNoDbWritesNoDatabase() throws {
        let scenario = try write(Self.tiny, to: "tiny.yaml")
        let r = try schedlab("run", scenario, "--no-db", "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("recorded"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Results").path),
                       "--no-db must not create the default database")
        XCTAssertEqual(r.stderr, "", "--quiet prints nothing on stderr for a clean run")
    }

    func testRunIsDeterministic() throws {
        let scenario = try write(Self.tiny, to: "tiny.yaml")
        func table() throws -> String {
            let r = try schedlab("run", scenario, "--no-db", "--quiet")
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("wall") }.joined(separator: "\n")
        }
        let a = try table()
        let b = try table()
        XCTAssertTrue(a.contains("jct_mean_s"), a)
        XCTAssertEqual(a, b)

        // A different seed gives a different table (the comparison above is not vacuous).
        let c = try schedlab("run", scenario, "--no-db", "--quiet", "--seed", "12")
        XCTAssertEqual(c.status, 0, c.stderr)
        let cTable = c.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("wall") }.joined(separator: "\n")
        XCTAssertNotEqual(a, cTable)
    }

    func testRunTraceScenarioRelativeToItsDirectory() throws {
        try write("job_id,submit_time_s,num_gpus,duration_s\na,0,8,600\nb,10,4,300\nc,20,4,300\n", to: "sub/traces/t.csv")
        let scenario = try write("""
            seed: 1
            cluster:
              racks:
                - nodes:
                    - template: dgx-a100
            workload:
              trace:
                file: traces/t.csv
            policy:
              name: fifo

            """, to: "sub/trace.yaml")
        // The working directory is the test directory, not sub/.
        let r = try schedlab("run", scenario, "--no-db", "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNotNil(r.stdout.range(of: #"jobs_completed\s+3\n"#, options: .regularExpression), r.stdout)
        XCTAssertNotNil(r.stdout.range(of: #"makespan_s\s+900\.0\n"#, options: .regularExpression), r.stdout)
    }

    // MARK: - check

    func testCheckGoodScenario() throws {
        let scenario = try write(Self.tiny, to: "tiny.yaml")
        let r = try schedlab("check", scenario)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("ok: tiny: 8 GPUs in 1 nodes / 1 rack(s); 20 jobs"), r.stdout)
        XCTAssertTrue(r.stdout.contains("policy fifo"), r.stdout)
        XCTAssertTrue(r.stdout.contains("seed 11"), r.stdout)
        XCTAssertEqual(r.stderr, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Results").path))
    }

    func testCheckRepositoryScenarios() throws {
        let scenarios = Self.repoRoot.appendingPathComponent("Scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: scenarios.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(files.isEmpty)
        for f in files {
            let r = try schedlab("check", scenarios.appendingPathComponent(f).path)
            XCTAssertEqual(r.status, 0, "\(f): \(r.stderr)")
            XCTAssertTrue(r.stdout.hasPrefix("ok: "), "\(f): \(r.stdout)")
        }
    }

    func testCheckBadTraceNamesTraceFileAndLine() throws {
        let trace = try write("job_id,submit_time_s,num_gpus,duration_s\na,0,1,60\nb,5,1,abc\n", to: "trace.csv")
        let scenario = try write("""
            cluster:
              racks:
                - nodes:
                    - template: dgx-a100
            workload:
              trace:
                file: trace.csv
            policy:
              name: fifo

            """, to: "s.yaml")
        let r = try schedlab("check", scenario)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr, "error: \(trace):3: duration_s: expected seconds in (0, 1e9], got 'abc'\n")
    }

    // MARK: - info

    func testInfoGPUs() throws {
        let r = try schedlab("info", "gpus")
        XCTAssertEqual(r.status, 0, r.stderr)
        let names = Set(r.stdout.split(separator: "\n").dropFirst(2).compactMap { $0.split(separator: " ").first.map(String.init) })
        for g in ["v100-16", "v100-32", "a100-40", "a100-80", "h100", "h200", "l4", "t4", "a10"] {
            XCTAssertTrue(names.contains(g), "info gpus lacks \(g):\n\(r.stdout)")
        }
    }

    func testInfoPolicies() throws {
        let r = try schedlab("info", "policies")
        XCTAssertEqual(r.status, 0, r.stderr)
        let names = Set(r.stdout.split(separator: "\n").dropFirst(2).compactMap { $0.split(separator: " ").first.map(String.init) })
        for p in ["fifo", "sjf", "backfill"] { XCTAssertTrue(names.contains(p), "info policies lacks \(p):\n\(r.stdout)") }
    }

    func testInfoOtherTopics() throws {
        for (topic, expected) in [("models", ["resnet50", "bert-base", "gpt-1.3b"]), ("placements", ["packed", "first-fit"]),
                                  ("templates", ["dgx-a100", "dgx-h100", "pcie-4gpu", "pcie-8gpu"])] {
            let r = try schedlab("info", topic)
            XCTAssertEqual(r.status, 0, "\(topic): \(r.stderr)")
            for e in expected { XCTAssertTrue(r.stdout.contains(e), "info \(topic) lacks \(e):\n\(r.stdout)") }
        }
        let bad = try schedlab("info", "nothing")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("Error"), bad.stderr)
    }

    // MARK: - Help snapshot

    /// `schedlab run --help` against Tests/CLITests/Snapshots/run-help.txt. A missing snapshot, or
    /// RECORD_SNAPSHOTS=1, writes it and fails, so that a re-recording is always a visible change.
    func testRunHelpSnapshot() throws {
        let r = try schedlab("run", "--help")
        XCTAssertEqual(r.status, 0, r.stderr)
        let snapshot = Self.snapshotsDir.appendingPathComponent("run-help.txt")
        let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
        if record || !FileManager.default.fileExists(atPath: snapshot.path) {
            try FileManager.default.createDirectory(at: Self.snapshotsDir, withIntermediateDirectories: true)
            try r.stdout.write(to: snapshot, atomically: true, encoding: .utf8)
            XCTFail("recorded \(snapshot.path)\(record ? " (RECORD_SNAPSHOTS=1)" : ""); review it and run again without RECORD_SNAPSHOTS")
            return
        }
        let expected = try String(contentsOf: snapshot, encoding: .utf8)
        XCTAssertEqual(r.stdout, expected, "run --help changed; if intended, re-record with RECORD_SNAPSHOTS=1")
        XCTAssertTrue(r.stdout.contains("--no-db") && r.stdout.contains("--seed") && r.stdout.contains("--policy"))
    }

    // MARK: - regress

    /// `regress` passes on a fresh baseline, then fails with exit 1 and a marked diff table once the baseline is
    /// perturbed; `--update` restores it.
    func testRegressDetectsAPerturbedBaseline() throws {
        let scenario = try write(Self.tiny, to: "scen/tiny.yaml")
        let baselines = dir.appendingPathComponent("baselines").path
        XCTAssertEqual(try schedlab(["regress", scenario, "--baselines", baselines, "--update"]).status, 0)
        let ok = try schedlab(["regress", scenario, "--baselines", baselines])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("1 of 1 scenario(s) match"), ok.stdout)
        let url = URL(fileURLWithPath: baselines).appendingPathComponent("tiny.json")
        let json = try String(contentsOf: url, encoding: .utf8)
        try json.replacingOccurrences(of: "\"jct_mean_s\",\n      \"value\" : ", with: "\"jct_mean_s\",\n      \"value\" : 1")
            .write(to: url, atomically: true, encoding: .utf8)
        let failed = try schedlab(["regress", scenario, "--baselines", baselines])
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stdout.contains("FAIL"), failed.stdout)
        let marked = failed.stdout.split(separator: "\n").filter { $0.hasPrefix("*") }
        XCTAssertEqual(marked.count, 1, failed.stdout)
        XCTAssertTrue(marked.first?.contains("jct_mean_s") ?? false, failed.stdout)
        // The differing metric's unit is in its row and its meaning is spelled out under the table.
        XCTAssertTrue(marked.first?.contains("  s  ") ?? false, failed.stdout)
        XCTAssertTrue(failed.stdout.contains("  jct_mean_s: mean job completion time (finish − submit) over completed jobs"), failed.stdout)
    }

    /// `regress` on a scenario without a baseline fails when the scenario is named explicitly.
    func testRegressWithoutBaselineFailsWhenNamed() throws {
        let scenario = try write(Self.tiny, to: "tiny.yaml")
        let r = try schedlab(["regress", scenario, "--baselines", dir.appendingPathComponent("none").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("no baseline"), r.stdout)
    }

    /// A trace row skipped with `on_bad_row: skip` is counted in the run's record (runs.skipped_input_rows).
    func testSkippedTraceRowsAreRecorded() throws {
        try write("job_id,submit_time_s,num_gpus,duration_s\na,0,1,50\nb,oops,1,10\nc,5,2,10\n", to: "t.csv")
        let scenario = try write("""
            seed: 1
            cluster:
              racks:
                - nodes: [{template: dgx-a100}]
            workload:
              trace: {file: t.csv, on_bad_row: skip}
            policy: {name: fifo}
            """, to: "skip.yaml")
        let db = dir.appendingPathComponent("r.sqlite").path
        let r = try schedlab(["run", scenario, "--db", db, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("skipped 1 bad trace row"), r.stderr)
        XCTAssertTrue(r.stderr.contains(":3: submit_time_s"), r.stderr)
        XCTAssertEqual(try query(db, "SELECT skipped_input_rows, status FROM runs"), [["1", "complete"]])
    }
}
