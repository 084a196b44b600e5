import Foundation
import SimTestSupport
import XCTest

/// `schedlab sweep`, `compare`, `export` and `merge` end to end: many workers into one database with no lost or
/// duplicated rows, resuming, failed points, a real Slurm when one runs here, and the refusals.
final class SweepCommandTests: SchedLabProcessTestCase {
    /// 60 points: 2 policies × 3 job counts × 10 seeds of CLITests' tiny scenario.
    static let sweep60 = """
        name: sixty
        scenario: tiny.yaml
        axes:
          - policy.name: [fifo, sjf]
          - workload.synthetic.jobs: [10, 20, 30]
          - seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

        """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try write(CLITests.tiny, to: "tiny.yaml")
    }

    /// Rows of `sql` on the database at `path`, through Python's sqlite3 (an independent reader), '' for NULL.
    func sql(_ path: String, _ sql: String) throws -> [[String]] {
        let script = """
            import sqlite3, sys
            c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            for row in c.execute(sys.argv[2]):
                print("\\t".join("" if v is None else str(v) for v in row))
            """
        let out = try SchedLabBinaryProcess.run("/usr/bin/env", ["python3", "-c", script, path, sql], in: dir)
        guard out.status == 0 else { throw XCTSkip("python3 cannot read the database: \(out.stderr)") }
        return out.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Each point has exactly one complete run, and each complete run has all its rows: as many jobs as it says it
    /// had, its samples and its whole summary.
    func assertExactlyOneCompleteRunPerPoint(_ db: String, points: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs WHERE status = 'complete'"), [["\(points)"]], file: file, line: line)
        XCTAssertEqual(try sql(db, """
            SELECT count(DISTINCT p.key), count(*) FROM sweep_points p JOIN runs r ON r.id = p.run WHERE r.status = 'complete'
            """), [["\(points)", "\(points)"]], "one complete run per point", file: file, line: line)
        XCTAssertEqual(try sql(db, """
            SELECT count(*) FROM runs r WHERE r.status = 'complete' AND (
              (SELECT count(*) FROM jobs j WHERE j.run = r.id) != (SELECT value FROM summary s WHERE s.run = r.id AND metric = 'jobs_total')
              OR (SELECT count(*) FROM samples s WHERE s.run = r.id) = 0
              OR (SELECT count(*) FROM summary s WHERE s.run = r.id) != (SELECT count(*) FROM summary s WHERE s.run = 1))
            """), [["0"]], "every run has all its rows", file: file, line: line)
    }

    // MARK: - Local

    func testSixtyPointsOnAllCoresTwiceLoseAndDuplicateNothing() throws {
        try write(Self.sweep60, to: "sixty.yaml")
        let db = dir.appendingPathComponent("s.sqlite").path
        let first = try schedlab("sweep", "sixty.yaml", "--db", db)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("60 points, 0 already complete, 60 to run on \(ProcessInfo.processInfo.activeProcessorCount) worker(s)"), first.stderr)
        XCTAssertTrue(first.stderr.contains("60/60 points"), "progress bar:\n\(first.stderr)")
        try assertExactlyOneCompleteRunPerPoint(db, points: 60)
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs"), [["60"]])
        // The recorded settings are the point's: its seed and job count are what the run used.
        XCTAssertEqual(try sql(db, """
            SELECT count(*) FROM sweep_points p JOIN runs r ON r.id = p.run
            WHERE json_extract(p.settings, '$.seed') = CAST(r.seed AS TEXT)
              AND json_extract(p.settings, '$."policy.name"') = r.policy
              AND CAST(json_extract(p.settings, '$."workload.synthetic.jobs"') AS INTEGER)
                  = (SELECT value FROM summary s WHERE s.run = r.id AND metric = 'jobs_total')
            """), [["60"]])

        let second = try schedlab("sweep", "sixty.yaml", "--db", db)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("60 points, 60 already complete, 0 to run"), second.stderr)
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs"), [["60"]], "the second sweep runs nothing")
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM sweep_points"), [["60"]])
    }

    /// Killed (SIGKILL, no chance to clean up) after some points, the sweep leaves no worker behind; run again, it
    /// runs exactly the points that had not completed.
    func testKilledSweepResumesWhereItStopped() throws {
        try write(Self.sweep60, to: "sixty.yaml")
        let db = dir.appendingPathComponent("k.sqlite").path
        let binary = try XCTUnwrap(Self.binary)
        let p = Process()
        p.executableURL = binary
        p.arguments = ["sweep", "sixty.yaml", "--db", db, "--jobs", "2"]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        var done = 0
        while done < 15 && Date() < deadline && p.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            done = FileManager.default.fileExists(atPath: db) ? Int((try? sql(db, "SELECT count(*) FROM runs WHERE status = 'complete'"))?.first?.first ?? "0") ?? 0 : 0
        }
        XCTAssertTrue(p.isRunning, "the sweep should still be running after \(done) points")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        // Workers notice within 0.1 s that their parent is gone and exit; after that nothing more is recorded.
        Thread.sleep(forTimeInterval: 1.0)
        let settled = try sql(db, "SELECT count(*) FROM runs WHERE status = 'complete'")[0][0]
        Thread.sleep(forTimeInterval: 1.0)
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs WHERE status = 'complete'")[0][0], settled, "no orphan worker records anything")
        let complete = try XCTUnwrap(Int(settled))
        XCTAssertGreaterThanOrEqual(complete, 15)
        XCTAssertLessThan(complete, 60)

        let resumed = try schedlab("sweep", "sixty.yaml", "--db", db)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("60 points, \(complete) already complete, \(60 - complete) to run"), resumed.stderr)
        try assertExactlyOneCompleteRunPerPoint(db, points: 60)
        // Runs killed mid-simulation stay 'running' (the record of the interruption); none completed twice.
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs WHERE status NOT IN ('complete', 'running')"), [["0"]])
    }

    func testAFailedPointIsRecordedAndTheOthersComplete() throws {
        try write("""
            scenario: tiny.yaml
            axes:
              - workload.synthetic.jobs: [10, -1, 12]
              - seed: [1, 2]

            """, to: "bad.yaml")
        let db = dir.appendingPathComponent("f.sqlite").path
        let r = try schedlab("sweep", "bad.yaml", "--db", db)
        XCTAssertEqual(r.status, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("4 of 6 point(s) completed"), r.stderr)
        XCTAssertTrue(r.stderr.contains("failed: point 2 (workload.synthetic.jobs=-1 seed=1): --set workload.synthetic.jobs=-1: workload.synthetic.jobs:"), r.stderr)
        XCTAssertEqual(try sql(db, "SELECT point, run IS NULL, error LIKE '%workload.synthetic.jobs%' FROM sweep_points WHERE run IS NULL ORDER BY point"),
                       [["2", "1", "1"], ["3", "1", "1"]])
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs WHERE status = 'complete'"), [["4"]])
        // Run again: the complete points are skipped, the failed ones tried (and failing) again.
        let again = try schedlab("sweep", "bad.yaml", "--db", db)
        XCTAssertEqual(again.status, 4)
        XCTAssertTrue(again.stderr.contains("6 points, 4 already complete, 2 to run"), again.stderr)
    }

    func testBadSweepFileIsBadInput() throws {
        try write("scenario: tiny.yaml\naxes:\n  - seed: 3\n", to: "bad.yaml")
        let r = try schedlab("sweep", "bad.yaml", "--db", "x.sqlite")
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "error: bad.yaml:3: axes[0].seed: expected a non-empty list of values\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.sqlite").path), "nothing written")
    }

    // MARK: - Compare, export, merge

    func testCompareTablesAndRefusals() throws {
        try write("""
            name: cmp
            scenario: tiny.yaml
            axes:
              - policy.name: [fifo, sjf]
              - workload.synthetic.jobs: [10, 20]
              - seed: [1, 2, 3]

            """, to: "cmp.yaml")
        let db = dir.appendingPathComponent("c.sqlite").path
        XCTAssertEqual(try schedlab("sweep", "cmp.yaml", "--db", db).status, 0)
        let csv = try schedlab("compare", "--db", db, "--baseline", "fifo", "--metric", "jct_mean_s", "--format", "csv")
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let lines = csv.stdout.split(separator: "\r\n").map(String.init)
        XCTAssertEqual(lines.first, "workload.synthetic.jobs,policy,metric,unit,n,mean,sd,ci_low,ci_high,baseline,diff_n,diff_mean,diff_sd,diff_ci_low,diff_ci_high")
        XCTAssertEqual(lines.count, 5)
        XCTAssertEqual(lines.dropFirst().map { $0.split(separator: ",").prefix(5).joined(separator: ",") },
                       ["10,fifo,jct_mean_s,s,3", "10,sjf,jct_mean_s,s,3", "20,fifo,jct_mean_s,s,3", "20,sjf,jct_mean_s,s,3"])
        // The mean and the paired difference, recomputed from the database by hand.
        let values = try sql(db, """
            SELECT r.policy, r.seed, s.value FROM runs r JOIN summary s ON s.run = r.id JOIN sweep_points p ON p.run = r.id
            WHERE s.metric = 'jct_mean_s' AND json_extract(p.settings, '$."workload.synthetic.jobs"') = '20' ORDER BY r.policy, r.seed
            """)
        let fifo = values.filter { $0[0] == "fifo" }.map { Double($0[2])! }, sjf = values.filter { $0[0] == "sjf" }.map { Double($0[2])! }
        let row = lines[4].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Double(row[5])!, sjf.reduce(0, +) / 3, accuracy: 1e-9)
        XCTAssertEqual(Double(row[11])!, zip(sjf, fifo).map { $0 - $1 }.reduce(0, +) / 3, accuracy: 1e-9)

        let md = try schedlab("compare", "--db", db, "--sweep", "cmp", "--baseline", "fifo", "--metric", "gpu_util")
        XCTAssertEqual(md.status, 0, md.stderr)
        XCTAssertTrue(md.stdout.hasPrefix("gpu_util (fraction): mean ± 95% CI half-width over seeds; Δ = policy − fifo, paired by seed\n\n| jobs | policy | n | mean | sd | Δ vs fifo | Δ 95% CI |\n"), md.stdout)

        // A run of another cluster size is outside the grid: refused, naming the field.
        XCTAssertEqual(try schedlab("run", "tiny.yaml", "--db", db, "--quiet", "--set", "cluster.racks[0].nodes[0].count=2").status, 0)
        let refused = try schedlab("compare", "--db", db)
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("differ in a field that is not swept: cluster.racks[0].nodes[0].count (1, 2)"), refused.stderr)
        // Declaring it a grid field makes it a dimension; filtering by sweep leaves the run out.
        XCTAssertEqual(try schedlab("compare", "--db", db, "--by", "cluster.racks[0].nodes[0].count").status, 0)
        XCTAssertEqual(try schedlab("compare", "--db", db, "--sweep", "cmp").status, 0)
        XCTAssertEqual(try schedlab("compare", "--db", db, "--sweep", "cmp", "--baseline", "lifo").stderr,
                       "error: \(db): no selected run has policy 'lifo'; expected one of: fifo, sjf\n")
    }

    func testExportAndMergeThroughTheBinary() throws {
        try write("scenario: tiny.yaml\naxes:\n  - seed: [1, 2]\n", to: "two.yaml")
        let a = dir.appendingPathComponent("a.sqlite").path, b = dir.appendingPathComponent("b.sqlite").path
        XCTAssertEqual(try schedlab("sweep", "two.yaml", "--db", a).status, 0)
        XCTAssertEqual(try schedlab("run", "tiny.yaml", "--db", b, "--quiet", "--seed", "3").status, 0)
        let merged = try schedlab("merge", "m.sqlite", a, b)
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(merged.stdout, "merged 3 run(s) from 2 database(s) into m.sqlite (runs 1–3)\n")
        let again = try schedlab("merge", "m.sqlite", b)
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.hasPrefix("error: \(b): run 1 "), again.stderr)

        let export = try schedlab("export", "--db", "m.sqlite", "--all", "--table", "jobs", "-o", "jobs.csv")
        XCTAssertEqual(export.status, 0, export.stderr)
        // Python's csv module reads it back: one row per job, provenance on every row.
        let check = try SchedLabBinaryProcess.run("/usr/bin/env", ["python3", "-c", """
            import csv
            rows = list(csv.reader(open("jobs.csv", newline="")))
            print(rows[0][:7], len(rows) - 1, sorted({r[4] for r in rows[1:]}), {r[4] for r in rows[1:] if r[0] == "3"})
            """], in: dir)
        XCTAssertEqual(check.stdout, "['run_id', 'scenario', 'policy', 'placement', 'seed', 'job', 'name'] 60 ['1', '2', '3'] {'3'}\n", check.stderr)
        let missing = try schedlab("export", "--db", "m.sqlite", "--run", "9", "--table", "jobs", "-o", "x.csv")
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "error: m.sqlite: --run: there is no run 9\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.csv").path))
    }

    // MARK: - Slurm

    /// A small sweep through a real single-node Slurm (.ci/run starts one; see .ci/slurm-up). Skipped when no Slurm
    /// answers here, unless SCHEDLAB_REQUIRE_SLURM=1 (CI, where it must run).
    func testSweepThroughSlurm() throws {
        let required = ProcessInfo.processInfo.environment["SCHEDLAB_REQUIRE_SLURM"] == "1"
        let sinfo = try? SchedLabBinaryProcess.run("/usr/bin/env", ["sinfo", "-h", "-o", "%t"], in: dir)
        guard let sinfo, sinfo.status == 0, sinfo.stdout.contains("idle") || sinfo.stdout.contains("mix") || sinfo.stdout.contains("alloc") else {
            let why = "no Slurm controller answers here (sinfo: \(sinfo.map { $0.stderr + $0.stdout } ?? "not installed")); start one with .ci/slurm-up"
            if required { XCTFail(why) }
            throw XCTSkip(why)
        }
        try write("""
            name: viaslurm
            scenario: tiny.yaml
            axes:
              - policy.name: [fifo, sjf]
              - seed: [1, 2, 3]

            """, to: "s.yaml")
        let db = dir.appendingPathComponent("slurm.sqlite").path
        let r = try schedlab("sweep", "s.yaml", "--backend", "slurm", "--wait", "--db", db, "--points-per-task", "2",
                             "--slurm-dir", dir.appendingPathComponent("work").path)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("3 array task(s)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("merged 6 run(s) from 3 task database(s)"), r.stderr)
        try assertExactlyOneCompleteRunPerPoint(db, points: 6)
        XCTAssertEqual(try sql(db, "SELECT count(*) FROM runs WHERE origin_db LIKE '%/work/task-%.sqlite'"), [["6"]])
        let again = try schedlab("sweep", "s.yaml", "--backend", "slurm", "--wait", "--db", db)
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("6 points, 6 already complete, 0 to run"), again.stderr)
    }
}

/// Runs any program in a directory and captures its output (for python3 and Slurm's clients).
enum SchedLabBinaryProcess {
    static func run(_ path: String, _ args: [String], in dir: URL) throws -> SchedLabProcessTestCase.Output {
        try SchedLabBinary.run(URL(fileURLWithPath: path), args, in: dir)
    }
}
