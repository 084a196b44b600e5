import Foundation
import InputProbe
import SimTestSupport
import Workload
import XCTest

/// Replays the regression corpus, Tests/HostileInputTests/Corpus: every input fuzzing (libFuzzer through .ci/fuzz, or
/// the seeded mutation tests) found crashing or hanging a former build, plus the examples. Each scenario must
/// either be rejected by `check` with one located line, and then by `run` too, or pass `check` and then `run` to the
/// end; each trace must be summarized or rejected with its line. All within a time limit.
final class CorpusReplayTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    static let scenariosDir = SchedLabBinary.repoRoot.appendingPathComponent("Scenarios")

    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-corpus-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Corpus scenarios name the repository's traces as `traces/...` (the fuzzer loads them from Scenarios/) and
        // their own traces by bare name.
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("traces"), withDestinationURL: Self.scenariosDir.appendingPathComponent("traces"))
        for name in try files("scenarios", ".csv") {
            try FileManager.default.copyItem(at: Self.corpus.appendingPathComponent("scenarios/\(name)"), to: dir.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func files(_ sub: String, _ suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.corpus.appendingPathComponent(sub).path).filter { $0.hasSuffix(suffix) }.sorted()
    }

    func schedlab(_ args: [String], limit: Int = 120) throws -> SchedLabBinary.Output {
        guard let binary = SchedLabBinary.url else { throw XCTSkip("no schedlab binary (build it, or set SCHEDLAB_BIN)") }
        return try SchedLabBinary.run(URL(fileURLWithPath: "/usr/bin/timeout"), ["\(limit)", binary.path] + args, in: dir)
    }

    func testCorpusIsNotEmpty() throws {
        XCTAssertGreaterThan(try files("scenarios", ".yaml").count, 10)
        XCTAssertGreaterThan(try files("traces", ".csv").count, 3)
    }

    /// `check` rejects everything `run` rejects for input reasons: over the whole corpus, their verdicts agree.
    func testCheckAndRunAgreeOnEveryCorpusScenario() throws {
        for name in try files("scenarios", ".yaml") {
            try FileManager.default.copyItem(at: Self.corpus.appendingPathComponent("scenarios/\(name)"), to: dir.appendingPathComponent(name))
            let check = try schedlab(["check", name])
            XCTAssertTrue([0, 2].contains(check.status), "\(name): check exited \(check.status): \(check.stderr.prefix(400))")
            let run = try schedlab(["run", name, "--no-db"])
            XCTAssertEqual(run.status, check.status, "\(name): check exited \(check.status), run \(run.status): \(run.stderr.prefix(400))")
            if check.status == 2 {
                let lines = check.stderr.split(separator: "\n")
                XCTAssertEqual(lines.count, 1, "\(name): \(check.stderr.prefix(400))")
                XCTAssertTrue(check.stderr.hasPrefix("error: \(name)") || check.stderr.contains(".csv"), "\(name): \(check.stderr)")
            }
        }
    }

    func testEveryCorpusTraceIsSummarizedOrRejectedWithItsLine() throws {
        for name in try files("traces", ".csv") {
            let url = Self.corpus.appendingPathComponent("traces/\(name)")
            let stats = try schedlab(["trace", "stats", url.path])
            XCTAssertTrue([0, 2].contains(stats.status), "\(name): trace stats exited \(stats.status): \(stats.stderr.prefix(400))")
            if stats.status == 2 {
                XCTAssertEqual(stats.stderr.split(separator: "\n").count, 1, "\(name): \(stats.stderr.prefix(400))")
                XCTAssertTrue(stats.stderr.hasPrefix("error: \(url.path)"), stats.stderr)
            }
            let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            switch InputProbe.trace(text, file: name) {
            case .rejected(let e): XCTAssertEqual(stats.status, 2, "\(name): in-process rejection \(e), CLI \(stats.status)")
            case .accepted, .runFailed: XCTAssertEqual(stats.status, 0, "\(name): accepted in-process, CLI said \(stats.stderr)")
            }
        }
    }
}
