import Foundation
import XCTest

/// SIGINT and SIGTERM: a run stops at its next event boundary, its row says `interrupted`, one line says so, the
/// exit status is 128 + the signal, and nothing else in the database changes.
final class SignalTests: SchedLabProcessTestCase {
    /// 20,000 jobs arriving at 100 an hour on 8 GPUs: the queue grows without bound, so the run takes minutes in a
    /// debug build (far longer than any test waits).
    static let long = CLITests.tiny
        .replacingOccurrences(of: "jobs: 20\n", with: "jobs: 20000\n")
        .replacingOccurrences(of: "rate_per_hour: 30", with: "rate_per_hour: 100")

    override func setUpWithError() throws {
        try super.setUpWithError()
        try write(CLITests.tiny, to: "tiny.yaml")
        try write(Self.long, to: "long.yaml")
    }

    /// A started `schedlab` process with its output going to files.
    struct Started {
        let process: Process
        let stdout: URL
        let stderr: URL
    }

    func start(_ args: [String]) throws -> Started {
        let binary = try XCTUnwrap(Self.binary, "no schedlab binary")
        let id = UUID().uuidString
        let out = dir.appendingPathComponent(".out-\(id)"), err = dir.appendingPathComponent(".err-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return Started(process: p, stdout: out, stderr: err)
    }

    /// Waits until `condition` holds (polled every 50 ms) or `seconds` pass; returns whether it held.
    func wait(seconds: Double, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }

    /// Sends `sig` and waits for the process to end (killing it after 30 s); returns its status, stderr and how
    /// long it took to end after the signal.
    func signal(_ started: Started, _ sig: Int32) throws -> (status: Int32, stderr: String, stdout: String, seconds: Double) {
        let sent = Date()
        kill(started.process.processIdentifier, sig)
        let ended = wait(seconds: 30) { !started.process.isRunning }
        if !ended {
            kill(started.process.processIdentifier, SIGKILL)
            XCTFail("schedlab did not stop within 30 s of \(sig)")
        }
        started.process.waitUntilExit()
        let seconds = Date().timeIntervalSince(sent)
        return (started.process.terminationStatus,
                String(decoding: try Data(contentsOf: started.stderr), as: UTF8.self),
                String(decoding: try Data(contentsOf: started.stdout), as: UTF8.self), seconds)
    }

    func runningCount(_ db: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: db) else { return 0 }
        return Int((try? query(db, "SELECT count(*) FROM runs WHERE status = 'running'"))?.first?.first ?? "0") ?? 0
    }

    /// SIGINT, then SIGTERM, three times over, each to a long run in a database that already holds a complete run:
    /// exit 130 and 143 within a second or so, one line each, rows `interrupted` with the signal's name and how far they got, the
    /// earlier run untouched, the database sound.
    func testSIGINTAndSIGTERMStopALongRunAndMarkItInterrupted() throws {
        let db = dir.appendingPathComponent("runs.sqlite").path
        let first = try schedlab("run", "tiny.yaml", "--db", db, "--quiet")
        XCTAssertEqual(first.status, 0, first.stderr)
        let earlierRun = "SELECT id, status, error, sim_end_s, events, wall_end FROM runs WHERE id = 1"
        let earlierRows = "SELECT (SELECT count(*) FROM jobs WHERE run = 1), (SELECT count(*) FROM samples WHERE run = 1), "
            + "(SELECT count(*) FROM summary WHERE run = 1), (SELECT count(*) FROM allocations WHERE run = 1)"
        let before = (try query(db, earlierRun), try query(db, earlierRows))

        // Three rounds of both signals: runs 2-7.
        let cases = (0..<3).flatMap { round in
            [(2 + 2 * round, SIGINT, Int32(130), "SIGINT"), (3 + 2 * round, SIGTERM, Int32(143), "SIGTERM")]
        }
        for (run, sig, status, name) in cases {
            let started = try start(["run", "long.yaml", "--db", db, "--quiet"])
            XCTAssertTrue(try wait(seconds: 60) { try runningCount(db) == 1 }, "the long run never started")
            Thread.sleep(forTimeInterval: 0.5)  // well inside the simulation
            XCTAssertTrue(started.process.isRunning, "the long run ended by itself")
            let r = try signal(started, sig)
            print("\(name): exit \(r.status) \(String(format: "%.3f", r.seconds)) s after the signal")
            XCTAssertEqual(r.status, status, r.stderr)
            XCTAssertLessThan(r.seconds, 3, "stops at the next event boundary, not at the end of the run")
            XCTAssertEqual(r.stdout, "", "no summary for an interrupted run")
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.count, 2, "exactly one line:\n\(r.stderr)")
            XCTAssertNotNil(r.stderr.range(of: #"^interrupted by \#(name) at t=[0-9.]+ s after [0-9]+ events; run \#(run) is recorded as 'interrupted' in .*runs\.sqlite\n$"#,
                                           options: .regularExpression), r.stderr)
            let row = try query(db, "SELECT status, error, sim_end_s > 0, events > 0, wall_end IS NOT NULL FROM runs WHERE id = \(run)")
            XCTAssertEqual(row, [["interrupted", "interrupted by \(name)", "1", "1", "1"]])
            XCTAssertEqual(try query(db, "SELECT count(*) FROM jobs WHERE run = \(run)"), [["0"]], "no partial results")
        }
        XCTAssertEqual(try query(db, earlierRun), before.0, "the earlier run's row is untouched")
        XCTAssertEqual(try query(db, earlierRows), before.1, "the earlier run's results are untouched")
        XCTAssertEqual(try query(db, "PRAGMA integrity_check"), [["ok"]])
        XCTAssertEqual(try query(db, "SELECT count(*) FROM runs WHERE status = 'running'"), [["0"]])
    }

    /// With `--stream-writes` the rows written while the run went on are rolled back: the run is `interrupted`
    /// without results, and the database stays sound.
    func testSIGINTRollsBackStreamedWrites() throws {
        let db = dir.appendingPathComponent("streamed.sqlite").path
        let started = try start(["run", "long.yaml", "--db", db, "--quiet", "--stream-writes"])
        XCTAssertTrue(try wait(seconds: 60) { try runningCount(db) == 1 }, "the long run never started")
        Thread.sleep(forTimeInterval: 1)  // well inside the simulation, with rows handed to the writer
        XCTAssertTrue(started.process.isRunning, "the long run ended by itself")
        let r = try signal(started, SIGINT)
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertNotNil(r.stderr.range(of: #"^interrupted by SIGINT at t=[0-9.]+ s after [0-9]+ events; run 1 is recorded as 'interrupted' in .*streamed\.sqlite\n$"#,
                                       options: .regularExpression), r.stderr)
        XCTAssertEqual(try query(db, "SELECT status FROM runs"), [["interrupted"]])
        for table in ["jobs", "allocations", "samples", "summary"] {
            XCTAssertEqual(try query(db, "SELECT count(*) FROM \(table)"), [["0"]], "no partial \(table)")
        }
        XCTAssertEqual(try query(db, "PRAGMA integrity_check"), [["ok"]])
    }

    /// Without a database the line says nothing was recorded.
    func testSIGINTWithoutDatabase() throws {
        let started = try start(["run", "long.yaml", "--no-db", "--quiet"])
        Thread.sleep(forTimeInterval: 2)
        XCTAssertTrue(started.process.isRunning)
        let r = try signal(started, SIGINT)
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertNotNil(r.stderr.range(of: #"^interrupted by SIGINT at t=[0-9.]+ s after [0-9]+ events; nothing recorded\n$"#,
                                       options: .regularExpression), r.stderr)
    }

    /// SIGINT and SIGTERM to a local sweep: no further point starts, the two running points stop and are recorded
    /// `interrupted`, one line sums it up, exit 130 or 143; running the sweep again would run every point.
    func testSIGINTStopsALocalSweep() throws {
        try stopLocalSweep(SIGINT, name: "SIGINT", status: 130)
    }

    func testSIGTERMStopsALocalSweep() throws {
        try stopLocalSweep(SIGTERM, name: "SIGTERM", status: 143)
    }

    func stopLocalSweep(_ sig: Int32, name: String, status: Int32) throws {
        try write("""
            name: longsweep
            scenario: long.yaml
            axes:
              - seed: [1, 2, 3, 4, 5]

            """, to: "sweep.yaml")
        let db = dir.appendingPathComponent("sweep.sqlite").path
        let started = try start(["sweep", "sweep.yaml", "--db", db, "--jobs", "2"])
        XCTAssertTrue(try wait(seconds: 60) { try runningCount(db) == 2 }, "the sweep's two workers never started")
        Thread.sleep(forTimeInterval: 0.5)
        let r = try signal(started, sig)
        print("sweep \(name): exit \(r.status) \(String(format: "%.3f", r.seconds)) s after the signal")
        XCTAssertEqual(r.status, status, r.stderr)
        XCTAssertLessThan(r.seconds, 5)
        XCTAssertTrue(r.stderr.contains("interrupted by \(name): sweep 'longsweep' stopped with 0 of 5 point(s) completed, "
            + "2 stopped (a run begun is recorded 'interrupted'), 0 failed and 3 not started"), r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "interrupted by \(name)").count, 2, "one line says so:\n\(r.stderr)")
        XCTAssertEqual(try query(db, "SELECT status, error FROM runs ORDER BY id"),
                       [["interrupted", "interrupted by \(name)"], ["interrupted", "interrupted by \(name)"]])
        XCTAssertEqual(try query(db, "SELECT count(*) FROM sweep_points"), [["2"]])
        XCTAssertEqual(try query(db, "PRAGMA integrity_check"), [["ok"]])
        // No worker is left behind to record anything later.
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(try query(db, "SELECT count(*) FROM runs"), [["2"]])
        let dry = try schedlab("sweep", "sweep.yaml", "--db", db, "--dry-run")
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertEqual(dry.stdout.split(separator: "\n").map { $0.split(separator: "\t")[1] }, Array(repeating: "pending", count: 5),
                       "interrupted points are run again: \(dry.stdout)")
    }
}
