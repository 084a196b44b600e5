import Engine
import Foundation
import Regression
import XCTest

/// The regression suite: a run reproduces its own baseline; a perturbed baseline or a changed result fails,
/// with the differing items marked.
final class RegressionSuiteTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-regress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func scenario(seed: Int, name: String = "tiny", extra: String = "") throws -> String {
        let text = """
            name: tiny
            seed: \(seed)
            cluster:
              racks:
                - nodes:
                    - {template: dgx-a100, count: 1}
            workload:
              synthetic:
                jobs: 30
                arrivals: {rate_per_hour: 60}
                gpus: {categorical: {values: [1, 2, 4, 8], weights: [4, 3, 2, 1]}}
                duration_s: {exponential: {mean: 600}}
                models: {resnet50: 1, bert-base: 1}
            policy:
              name: backfill
            """ + extra
        let url = dir.appendingPathComponent("\(name).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private var suite: RegressionSuite { RegressionSuite(baselineDirectory: dir.appendingPathComponent("baselines")) }

    // --update writes a baseline; the same scenario then matches it; a second --update changes nothing.
    func testUpdateThenMatch() throws {
        let path = try scenario(seed: 1)
        guard case .updated(changed: true) = try suite.check(scenarioAt: path, update: true) else { return XCTFail("not written") }
        guard case .matched(let c) = try suite.check(scenarioAt: path, update: false) else { return XCTFail("no match") }
        XCTAssertTrue(c.rows.allSatisfy { !$0.differs })
        XCTAssertTrue(c.rows.contains { $0.name == "jct_p95_s" })
        guard case .updated(changed: false) = try suite.check(scenarioAt: path, update: true) else { return XCTFail("rewritten") }
    }

    // A baseline whose metric was edited fails, and exactly that metric is marked.
    func testPerturbedBaselineFails() throws {
        let path = try scenario(seed: 1)
        _ = try suite.check(scenarioAt: path, update: true)
        let url = suite.baselineURL(forScenario: path)
        var baseline = try Baseline.read(url)
        let k = try XCTUnwrap(baseline.summary.firstIndex { $0.name == "jct_mean_s" })
        baseline.summary[k].value *= 1.01
        try baseline.encoded().write(to: url)
        guard case .differed(let c) = try suite.check(scenarioAt: path, update: false) else { return XCTFail("not detected") }
        XCTAssertEqual(c.rows.filter(\.differs).map(\.name), ["jct_mean_s"])
        let row = try XCTUnwrap(c.rows.first { $0.name == "jct_mean_s" })
        XCTAssertEqual(try XCTUnwrap(row.changePercent), -100 * 0.01 / 1.01, accuracy: 1e-9)
    }

    // A changed result (another seed under the same baseline) fails on the digest and the metrics.
    func testChangedResultFails() throws {
        _ = try suite.check(scenarioAt: try scenario(seed: 1), update: true)
        let changed = try scenario(seed: 2)  // same file name, so the same baseline
        guard case .differed(let c) = try suite.check(scenarioAt: changed, update: false) else { return XCTFail("not detected") }
        let differing = Set(c.rows.filter(\.differs).map(\.name))
        XCTAssertTrue(differing.isSuperset(of: ["seed", "jobs_digest", "jct_mean_s"]), "\(differing)")
    }

    // Without a baseline the outcome says so (the CLI skips or fails on it).
    func testNoBaseline() throws {
        guard case .noBaseline = try suite.check(scenarioAt: try scenario(seed: 1), update: false) else { return XCTFail() }
    }

    // A digest-only difference (same metrics) is still a failure: the digest decides.
    func testDigestDifferenceAloneFails() throws {
        let path = try scenario(seed: 1)
        _ = try suite.check(scenarioAt: path, update: true)
        let url = suite.baselineURL(forScenario: path)
        var baseline = try Baseline.read(url)
        baseline.jobsDigest = String(repeating: "0", count: 64)
        try baseline.encoded().write(to: url)
        guard case .differed(let c) = try suite.check(scenarioAt: path, update: false) else { return XCTFail("not detected") }
        XCTAssertEqual(c.rows.filter(\.differs).map(\.name), ["jobs_digest"])
    }

    // The baseline JSON is byte-stable: encoding the same baseline twice gives the same bytes, keys sorted.
    func testEncodingIsStable() throws {
        let path = try scenario(seed: 3)
        _ = try suite.check(scenarioAt: path, update: true)
        let data = try Data(contentsOf: suite.baselineURL(forScenario: path))
        XCTAssertEqual(try Baseline.read(suite.baselineURL(forScenario: path)).encoded(), data)
        let text = String(decoding: data, as: UTF8.self)
        let keys = ["\"events\"", "\"jobs_digest\"", "\"placement\"", "\"policy\"", "\"scenario\"", "\"seed\"", "\"summary\""]
        let positions = keys.map { text.range(of: $0)!.lowerBound }
        XCTAssertEqual(positions, positions.sorted())
    }

    // A scenario in a subfolder of the scenario root keeps its baseline in the same subfolder of the baselines
    // (Scenarios/pollux-osdi21/workload-1.yaml → Scenarios/baselines/pollux-osdi21/workload-1.json); others as before,
    // and without a scenario root every baseline is directly in the directory.
    func testSubfolderScenariosHaveSubfolderBaselines() {
        let root = URL(fileURLWithPath: "/tmp/schedlab-root")
        XCTAssertEqual(RegressionSuite(baselineDirectory: root.appendingPathComponent("baselines"))
            .baselineURL(forScenario: "/tmp/schedlab-root/sub/w.yaml").path, "/tmp/schedlab-root/baselines/w.json")
        let suite = RegressionSuite(baselineDirectory: root.appendingPathComponent("baselines"), scenarioRoot: root)
        XCTAssertEqual(suite.baselineURL(forScenario: "/tmp/schedlab-root/sub/w.yaml", variant: "v").path,
                       "/tmp/schedlab-root/baselines/sub/w@v.json")
        XCTAssertEqual(suite.baselineURL(forScenario: "/tmp/schedlab-root/./w.yaml").path, "/tmp/schedlab-root/baselines/w.json")
        XCTAssertEqual(suite.baselineURL(forScenario: "/elsewhere/w.yaml").path, "/tmp/schedlab-root/baselines/w.json")
    }

    // Variants: each is baselined as NAME@VARIANT with its overrides applied (here another policy), matched on its own,
    // and differs from the base scenario's baseline.
    func testVariantsHaveTheirOwnBaselines() throws {
        let path = try scenario(seed: 1, extra: "\nvariants:\n  fifo: [policy.name=fifo]\n  later: [seed=2, policy.name=sjf]\n")
        XCTAssertEqual(try RegressionSuite.variants(ofScenarioAt: path), ["fifo", "later"])
        XCTAssertEqual(suite.baselineURL(forScenario: path, variant: "fifo").lastPathComponent, "tiny@fifo.json")
        for v in [nil, "fifo", "later"] {
            guard case .updated(changed: true) = try suite.check(scenarioAt: path, variant: v, update: true) else {
                return XCTFail("\(v ?? "base") not written")
            }
        }
        let fifo = try Baseline.read(suite.baselineURL(forScenario: path, variant: "fifo"))
        XCTAssertEqual(fifo.policy, "fifo")
        XCTAssertEqual(try Baseline.read(suite.baselineURL(forScenario: path, variant: "later")).seed, 2)
        XCTAssertNotEqual(fifo.jobsDigest, try Baseline.read(suite.baselineURL(forScenario: path)).jobsDigest)
        guard case .matched = try suite.check(scenarioAt: path, variant: "later", update: false) else { return XCTFail("no match") }
        XCTAssertThrowsError(try suite.check(scenarioAt: path, variant: "missing", update: false)) { e in
            XCTAssertTrue("\(e)".contains("no variant 'missing'; expected one of: fifo, later"), "\(e)")
        }
    }

    // A variant with a malformed override or name is a located input error.
    func testBadVariantsAreInputErrors() throws {
        let bad = try scenario(seed: 1, extra: "\nvariants:\n  x: [policy.name]\n")
        XCTAssertThrowsError(try RegressionSuite.variants(ofScenarioAt: bad)) { e in
            XCTAssertTrue("\(e)".contains("variants.x: bad override 'policy.name': expected PATH=VALUE"), "\(e)")
        }
        let name = try scenario(seed: 1, name: "n", extra: "\nvariants:\n  'a b': [seed=3]\n")
        XCTAssertThrowsError(try RegressionSuite.variants(ofScenarioAt: name)) { e in
            XCTAssertTrue("\(e)".contains("expected a variant name of letters, digits"), "\(e)")
        }
    }
}
