import Foundation
import Recording
import SimTestSupport
import XCTest

/// `schedlab run` with an external policy, as a user runs it: `--policy external --set policy.command=...`, a failed
/// run's exit status, stderr and database row, `--record-decisions`, and `info policies`.
final class CommandLineTests: XCTestCase {
    typealias S = ExternalTestSupport

    private var dir: URL!

    override func setUpWithError() throws {
        XCTAssertTrue(S.hasPython, "python3 is not on PATH; the external-policy tests need it")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-external-cli-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    private func schedlab(_ args: String...) throws -> SchedLabBinary.Output {
        guard let binary = SchedLabBinary.url else {
            XCTFail("cannot find the schedlab executable (build it, or set SCHEDLAB_BIN)")
            throw XCTSkip("no schedlab binary")
        }
        return try SchedLabBinary.run(binary, args, in: dir)
    }

    private func scenario(_ policy: String) throws -> String {
        let path = dir.appendingPathComponent("scenario.yaml")
        try (S.singleType(jobs: 40) + policy).write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    func testFailedRunExitsOneAndIsRecordedAsFailed() throws {
        let path = try scenario(S.policy("fifo", command: S.fixture("misbehave.py", "crash", "3")))
        let out = try schedlab("run", path, "--db", "runs.sqlite", "--quiet")
        XCTAssertEqual(out.status, 1, out.stderr)
        let lines = out.stderr.split(separator: "\n").map(String.init)
        let first = try XCTUnwrap(lines.first)
        XCTAssertTrue(first.hasPrefix("error: \(path): policy 'external' at t="), first)
        XCTAssertTrue(first.contains("failed: round 3: the policy process"), first)
        XCTAssertTrue(out.stderr.contains("RuntimeError: policy bug at round 3"), out.stderr)
        let sink = try SQLiteSink(path: dir.appendingPathComponent("runs.sqlite").path)
        let run = try XCTUnwrap(try sink.fetchRuns().last)
        XCTAssertEqual(run.status, .failed)
        XCTAssertTrue(run.error?.contains("round 3") ?? false, run.error ?? "no error recorded")
        XCTAssertTrue(run.error?.contains("RuntimeError") ?? false, run.error ?? "")
    }

    func testPolicyOptionAndRecordDecisions() throws {
        let path = try scenario(S.policy("fifo"))
        let command = "policy.command=[python3, '\(S.examples.appendingPathComponent("fifo.py").path)']"
        let out = try schedlab("run", path, "--no-db", "--policy", "external", "--set", command,
                               "--record-decisions", "log.ndjson")
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("external"), out.stdout)
        XCTAssertTrue(out.stderr.contains("policy rounds in log.ndjson"), out.stderr)
        let log = try String(contentsOf: dir.appendingPathComponent("log.ndjson"), encoding: .utf8)
        XCTAssertTrue(log.hasPrefix("{\"type\":\"hello\",\"protocol\":1,\"policy\":\"external\""), String(log.prefix(200)))
        XCTAssertTrue(log.contains("{\"type\":\"decisions\",\"round\":1,\"decisions\":[{\"start\":0,"), String(log.prefix(2000)))

        let unwritable = try schedlab("run", path, "--no-db", "--record-decisions", "/nonexistent-dir/log.ndjson")
        XCTAssertEqual(unwritable.status, 2, unwritable.stderr)
        XCTAssertTrue(unwritable.stderr.contains("cannot write the decision log"), unwritable.stderr)
    }

    func testExternalWithoutCommandIsBadInput() throws {
        let path = try scenario(S.policy("fifo"))
        let out = try schedlab("run", path, "--no-db", "--policy", "external")
        XCTAssertEqual(out.status, 2, out.stderr)
        XCTAssertTrue(out.stderr.contains("needs 'command'"), out.stderr)
    }

    func testInfoPoliciesListsExternal() throws {
        let out = try schedlab("info", "policies")
        XCTAssertEqual(out.status, 0)
        XCTAssertTrue(out.stdout.contains("external"), out.stdout)
        XCTAssertTrue(out.stdout.contains("command (beside params)"), out.stdout)
    }
}
