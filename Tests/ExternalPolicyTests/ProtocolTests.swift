import Engine
import Foundation
import Scenario
import Scheduling
import SimTestSupport
import XCTest

/// The protocol's state feed loses nothing (every round, the mirror built from deltas equals the full state), also
/// with failures, timed checkpoints and GPU sharing limits; decision logs replay to the recorded decisions; starts
/// without GPUs are placed by SchedLab's strategy.
final class ProtocolTests: XCTestCase {
    typealias S = ExternalTestSupport

    override func setUpWithError() throws {
        XCTAssertTrue(S.hasPython, "python3 is not on PATH; the external-policy tests need it")
    }

    private var temporary: URL!

    override func setUp() {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-external-\(getpid())-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let temporary { try? FileManager.default.removeItem(at: temporary) }
    }

    /// Runs `mirror_check.py` around the example `inner` policy; returns its report and asserts the run equals the
    /// Swift policy's.
    private func mirrorCheck(_ body: String, inner: String, placement: String = "packed",
                             file: StaticString = #filePath, line: UInt = #line) throws -> [String: Int] {
        let report = temporary.appendingPathComponent("report-\(inner).json")
        let checked = try S.run(try S.load(body + S.policy(inner, command: S.fixture("mirror_check.py"), placement: placement,
                                                           params: "{inner: \(inner), report: '\(report.path)'}")))
        let native = try S.run(try S.load(body + S.policy(inner, placement: placement)))
        XCTAssertEqual(RunDigest.text(checked), RunDigest.text(native), "runs differ", file: file, line: line)
        let data = try Data(contentsOf: report)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Int], file: file, line: line)
        S.assertNoChildProcesses(file: file, line: line)
        return parsed
    }

    func testDeltasEqualTheFullStateEveryRound() throws {
        let fifo = try mirrorCheck(S.singleType(jobs: 150), inner: "fifo")
        XCTAssertGreaterThan(fifo["rounds"] ?? 0, 150)
        XCTAssertGreaterThan(fifo["rates"] ?? 0, 100)
        XCTAssertEqual(fifo["jobs"], 150)
        let tiresias = try mirrorCheck(S.threeTypes, inner: "tiresias", placement: "topology-aware")
        XCTAssertGreaterThan(tiresias["rounds"] ?? 0, 300)
    }

    /// Running jobs changing speed (flow-level network), failures taking GPUs down, timed checkpoints, sharing allowed.
    func testDeltasUnderContentionFailuresAndCheckpoints() throws {
        let result = try S.run(try S.load(S.contended + S.policy("tiresias", placement: "spread")))
        XCTAssertGreaterThan(result.jobs.map(\.failures).reduce(0, +), 0, "the scenario should kill jobs")
        let report = try mirrorCheck(S.contended, inner: "tiresias", placement: "spread")
        XCTAssertGreaterThan(report["rounds"] ?? 0, 200)
    }

    /// Every decision kind on the wire — start, time-sliced share, migrate, resize, preempt, wake up — is applied by
    /// the engine, and the mirror follows (sharing modes, moved GPUs) round by round.
    func testEveryDecisionKindOverTheWire() throws {
        let report = temporary.appendingPathComponent("moves.json")
        let body = S.singleType(jobs: 150) + """
            sharing: {max_jobs_per_gpu: 2}
            elastic: {fraction: 0.5, min_factor: 0.5, max_factor: 2, max_gpus: 16}

            """
        let result = try S.run(try S.load(body + S.policy("fifo", command: S.fixture("moves.py"), params: "{report: '\(report.path)'}")))
        let counts = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Int])
        for kind in ["start", "share", "migrate", "resize", "preempt", "wake_up"] {
            XCTAssertGreaterThan(counts[kind] ?? 0, 0, "the fixture made no \(kind) decision: \(counts)")
        }
        XCTAssertTrue(result.unfinishedJobs.isEmpty)
        XCTAssertEqual(result.jobs.map(\.migrations).reduce(0, +), counts["migrate"])
        XCTAssertEqual(result.jobs.map(\.resizes).reduce(0, +), counts["resize"])
        XCTAssertGreaterThan(result.metric("shared_gpu_hours"), 0)
        S.assertNoChildProcesses()
    }

    /// A decision log of a Swift policy's run replays, through the Python mirror, to the states the Python port
    /// needs to make every recorded decision again; recording changes nothing in the run.
    func testDecisionLogsReplayToTheRecordedDecisions() throws {
        for (policy, example) in [("fifo", "fifo"), ("tiresias", "tiresias")] {
            let scenario = try S.load(S.threeTypes + S.policy(policy))
            let logURL = temporary.appendingPathComponent("\(policy).ndjson")
            let log = try DecisionLog(path: logURL.path)
            var recorded = scenario
            recorded.policy = DecisionRecording.wrap(scenario.policy, log: log)
            let withLog = try S.run(recorded)
            try log.close()
            XCTAssertEqual(RunDigest.text(withLog), RunDigest.text(try S.run(scenario)), "recording changed the \(policy) run")
            XCTAssertGreaterThan(log.rounds, 100)
            let out = try python([S.repoRoot.appendingPathComponent("python/tests/replay_log.py").path, logURL.path, example])
            XCTAssertEqual(out.status, 0, out.text)
            XCTAssertTrue(out.text.contains("replayed \(log.rounds) rounds"), out.text)
        }
    }

    /// The log of an external policy's run holds its parameters and its decisions.
    func testDecisionLogOfAnExternalPolicy() throws {
        let scenario = try S.load(S.singleType(jobs: 80) + S.policy("tiresias", command: S.example("tiresias.py"),
                                                                     params: "{queue_thresholds_gpu_s: [900]}"))
        let logURL = temporary.appendingPathComponent("external.ndjson")
        let log = try DecisionLog(path: logURL.path)
        var recorded = scenario
        recorded.policy = DecisionRecording.wrap(scenario.policy, log: log)
        _ = try S.run(recorded)
        try log.close()
        let lines = try String(contentsOf: logURL, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines[0].contains("\"policy\":\"external\",\"params\":{\"queue_thresholds_gpu_s\":[900]}"), String(lines[0]))
        XCTAssertEqual(lines.count, 1 + 2 * log.rounds)
        XCTAssertTrue(lines.contains { $0.contains("{\"preempt\":") }, "a Tiresias log should hold preemptions")
        let out = try python([S.repoRoot.appendingPathComponent("python/tests/replay_log.py").path, logURL.path, "tiresias"])
        XCTAssertEqual(out.status, 0, out.text)
        S.assertNoChildProcesses()
    }

    /// `{"start": id}` without GPUs is placed by the run's strategy, in reply order.
    func testStartsWithoutGPUsArePlacedBySchedLab() throws {
        for placement in ["packed", "spread"] {
            let body = S.singleType(jobs: 200)
            let auto = try S.run(try S.load(body + S.policy("fifo", command: S.fixture("auto_place.py"), placement: placement)))
            let native = try S.run(try S.load(body + S.policy("fifo", placement: placement)))
            XCTAssertEqual(RunDigest.text(auto), RunDigest.text(native), placement)
            XCTAssertEqual(auto.allocations, native.allocations, placement)
        }
        S.assertNoChildProcesses()
    }

    /// The Python helper package's own unit tests (placement ports, ledger, mirror, decisions).
    func testPythonUnitTests() throws {
        let out = try python(["-m", "unittest", "discover", "-s", S.repoRoot.appendingPathComponent("python/tests").path, "-v"])
        XCTAssertEqual(out.status, 0, out.text)
        XCTAssertTrue(out.text.contains("OK"), out.text)
    }

    /// Runs python3 with `args`; exit status and combined output.
    private func python(_ args: [String]) throws -> (status: Int32, text: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let outURL = temporary.appendingPathComponent("python-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outURL)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        try handle.close()
        return (p.terminationStatus, try String(contentsOf: outURL, encoding: .utf8))
    }
}
