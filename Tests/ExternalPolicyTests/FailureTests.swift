import ClusterModel
import Engine
import Scenario
import Scheduling
import XCTest

/// A policy process that crashes, hangs, writes garbage, answers in the wrong shape, makes an invalid decision,
/// closes its output, refuses `hello`, or cannot start ends the run as failed: the first line names the round, the
/// simulated time and what was wrong; the process's last stderr lines follow; no child process is left.
final class FailureTests: XCTestCase {
    typealias S = ExternalTestSupport

    override func setUpWithError() throws {
        XCTAssertTrue(S.hasPython, "python3 is not on PATH; the external-policy tests need it")
    }

    /// Runs the misbehaving fixture in `mode` at `round`; returns the failure's description after checking that
    /// its first line holds each of `firstLine` and the whole holds each of `anywhere`.
    @discardableResult
    private func expectFailure(
        _ mode: String, at round: Int = 3, timeout: Double? = nil, firstLine: [String], anywhere: [String] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let scenario = try S.load(S.singleType(jobs: 60) + S.policy("fifo", command: S.fixture("misbehave.py", mode, "\(round)"), timeout: timeout))
        let started = Date()
        let text = S.failure(scenario, file: file, line: line) ?? ""
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasPrefix("policy 'external' at t="), first, file: file, line: line)
        for fragment in firstLine {
            XCTAssertTrue(first.contains(fragment), "first line lacks '\(fragment)':\n\(text)", file: file, line: line)
        }
        for fragment in anywhere {
            XCTAssertTrue(text.contains(fragment), "message lacks '\(fragment)':\n\(text)", file: file, line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "the failure took too long to surface", file: file, line: line)
        S.assertNoChildProcesses(file: file, line: line)
        return text
    }

    func testCrash() throws {
        try expectFailure("crash", firstLine: ["failed: round 3:", "exited with status 1 before replying"],
                          anywhere: ["RuntimeError: policy bug at round 3", "misbehave: crash at round 3", "    | "])
    }

    func testExitWithStatus() throws {
        try expectFailure("exit", at: 5, firstLine: ["round 5:", "exited with status 3"], anywhere: ["misbehave: exit at round 5"])
    }

    func testHangPastTheTimeout() throws {
        // Long enough for Python to start on a busy machine (the hello exchange has the same timeout).
        let text = try expectFailure("hang", at: 2, timeout: 2,
                                     firstLine: ["round 2:", "no reply within the per-round timeout of 2.0 s", "was killed"],
                                     anywhere: ["misbehave: hang at round 2"])
        XCTAssertTrue(text.contains("policy.timeout_s"), text)
    }

    func testGarbage() throws {
        try expectFailure("garbage", at: 4, firstLine: ["round 4:", "malformed reply, not JSON", "'this is not json'"])
    }

    func testWrongShape() throws {
        try expectFailure("shape", at: 2, firstLine: ["round 2:", "bad reply: reply[0].start: expected a job ID", "\"job-one\""])
    }

    func testInvalidDecisionIsTheEnginesRejection() throws {
        let text = try expectFailure("invalid", at: 2, firstLine: ["invalid decision reply[0] (start job"],
                                     anywhere: ["misbehave: invalid at round"])
        // The engine's own reason, whichever check caught it first (a held GPU, or the same GPU twice).
        XCTAssertTrue(text.contains("held by") || text.contains("twice") || text.contains("duplicate"), text)
        XCTAssertNotNil(text.range(of: #"failed: round \d+: invalid decision"#, options: .regularExpression), text)
    }

    func testClosedOutputWhileStillRunning() throws {
        try expectFailure("close", at: 2, firstLine: ["round 2:", "was killed by signal 9", "before replying"])
    }

    func testHelloWithAnotherProtocolVersion() throws {
        try expectFailure("hello-version", firstLine: ["start-up (hello):", "protocol version 99", "speaks version 1"],
                          anywhere: ["misbehave: refusing hello"])
    }

    func testExitBeforeHello() throws {
        try expectFailure("hello-exit", firstLine: ["start-up (hello):", "exited with status 2"], anywhere: ["misbehave: refusing hello"])
    }

    func testProgramNotFound() throws {
        let scenario = try S.load(S.singleType(jobs: 20) + S.policy("fifo", command: ["schedlab-no-such-program"]))
        let text = S.failure(scenario) ?? ""
        XCTAssertTrue(text.contains("start-up (hello): cannot start the policy process: cannot start 'schedlab-no-such-program'"), text)
        XCTAssertTrue(text.contains("no such program"), text)
        S.assertNoChildProcesses()
    }

    /// A process that writes far more to stderr than a pipe holds, every round, is still served (stderr is read
    /// while SchedLab waits), and its run matches the Swift FIFO's.
    func testChattyStderrDoesNotDeadlock() throws {
        let body = S.singleType(jobs: 60)
        let chatty = try S.run(try S.load(body + S.policy("fifo", command: S.fixture("misbehave.py", "chatty", "0"))))
        let native = try S.run(try S.load(body + S.policy("fifo")))
        XCTAssertEqual(RunDigest.text(chatty), RunDigest.text(native))
        S.assertNoChildProcesses()
    }

    /// After a failure, every later round fails the same way (the engine stops at the first, but a caller driving
    /// the policy by hand must not restart the process).
    func testFailureIsSticky() throws {
        let scenario = try S.load(S.singleType(jobs: 20) + S.policy("fifo", command: ["schedlab-no-such-program"]))
        var policy = try XCTUnwrap(scenario.policy as? ExternalPolicy)
        var planner = PlacementPlanner(cluster: ClusterState(topology: scenario.topology), strategy: PackedPlacement())
        let snapshot = ClusterSnapshot(now: .zero, jobs: [], queue: [JobID](), running: [], cluster: planner.cluster)
        var messages: [String] = []
        for _ in 0..<2 {
            do {
                _ = try policy.decide(snapshot, planner: &planner)
                XCTFail("decide succeeded")
            } catch {
                messages.append(error.message)
            }
        }
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(messages[0], messages[1])
        XCTAssertEqual(policy.schedule(snapshot, planner: &planner), [])
    }
}
