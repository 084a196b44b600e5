import Engine
import Foundation
import Scenario
import Scheduling
import SimTestSupport
import XCTest

/// The learned-policy loop end to end: record a teacher's decisions (Swift `sjf`) with a decision log, fit the
/// example's linear scorer by imitation (`train_learned.py`, pure Python), and run `learned.py` with the weights
/// from JSON (and NumPy's .npz where numpy is installed; never required).
final class LearnedPolicyTests: XCTestCase {
    typealias S = ExternalTestSupport

    private var dir: URL!

    override func setUpWithError() throws {
        XCTAssertTrue(S.hasPython, "python3 is not on PATH; the external-policy tests need it")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-learned-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    private func learned(weights: String) -> String {
        S.policy("learned", command: S.example("learned.py"), params: "{weights: '\(weights)'}")
    }

    func testImitationOfSJFLearnsToPreferShortJobs() throws {
        let body = S.singleType(jobs: 300)
        let teacher = try S.load(body + S.policy("sjf"))
        let logURL = dir.appendingPathComponent("sjf.ndjson")
        let log = try DecisionLog(path: logURL.path)
        var recorded = teacher
        recorded.policy = DecisionRecording.wrap(teacher.policy, log: log)
        let sjf = try S.run(recorded)
        try log.close()

        let weights = dir.appendingPathComponent("weights.json")
        let npz = dir.appendingPathComponent("weights.npz")
        let withNumPy = try python(["-c", "import numpy"]).status == 0
        var args = [S.examples.appendingPathComponent("train_learned.py").path, logURL.path, weights.path]
        if withNumPy { args += ["--npz", npz.path] }
        let training = try python(args)
        XCTAssertEqual(training.status, 0, training.text)
        let fitted = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: weights)) as? [String: Any])
        let w = try XCTUnwrap(fitted["weights"] as? [Double])
        XCTAssertEqual(fitted["features"] as? [String], ["bias", "log2_gpus", "log10_estimated_s", "wait_h", "attained_gpu_h"])
        XCTAssertLessThan(w[2], -0.5, "imitating SJF should weigh a longer estimate down: \(w)")

        let student = try S.run(try S.load(body + learned(weights: weights.path)))
        let fifo = try S.run(try S.load(body + S.policy("fifo")))
        XCTAssertTrue(student.unfinishedJobs.isEmpty)
        let jct = { (r: RunResult) in r.metric("jct_mean_s") }
        XCTAssertLessThan(jct(student), 0.7 * jct(fifo), "the student should be far better than FIFO")
        XCTAssertLessThan(abs(jct(student) - jct(sjf)) / jct(sjf), 0.25, "the student should be close to its teacher")

        if withNumPy {
            let fromNPZ = try S.run(try S.load(body + learned(weights: npz.path)))
            XCTAssertEqual(RunDigest.text(fromNPZ), RunDigest.text(student), "the same weights from .npz and .json")
        }
        S.assertNoChildProcesses()
    }

    /// The shipped weights (trained on the quickstart's SJF run) load and drive a run to the end.
    func testShippedWeightsRun() throws {
        let shipped = S.examples.appendingPathComponent("learned_weights.json").path
        let result = try S.run(try S.load(S.singleType(jobs: 100) + learned(weights: shipped)))
        XCTAssertTrue(result.unfinishedJobs.isEmpty)
        XCTAssertEqual(result.jobs.count, 100)
    }

    /// A weights file for other features is refused at start-up, with the reason in the failure's stderr lines.
    func testMismatchedWeightsFailAtStartUp() throws {
        let bad = dir.appendingPathComponent("bad.json")
        try #"{"features": ["bias", "something_else"], "weights": [1, 2]}"#.write(to: bad, atomically: true, encoding: .utf8)
        let text = S.failure(try S.load(S.singleType(jobs: 20) + learned(weights: bad.path))) ?? ""
        XCTAssertTrue(text.contains("failed: start-up (hello): the policy process"), text)
        XCTAssertTrue(text.contains("expected ['bias', 'log2_gpus'"), text)
        S.assertNoChildProcesses()
    }

    private func python(_ args: [String]) throws -> (status: Int32, text: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let outURL = dir.appendingPathComponent("python-\(UUID().uuidString).txt")
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
