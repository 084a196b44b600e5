@testable import Analysis
import XCTest

/// Grouping runs into grid points and policies, pairing by seed, and refusing runs that differ outside the grid.
final class ComparisonTests: XCTestCase {
    private func run(_ id: Int64, _ policy: String, seed: UInt64, load: String, jobs: String = "100", jct: Double) -> ComparedRun {
        ComparedRun(id: id, policy: policy, seed: seed,
                    fields: ScenarioFields(leaves: [("seed", "\(seed)"), ("workload.load", load), ("workload.jobs", jobs), ("policy.name", policy)]),
                    sweptFields: ["policy.name", "workload.load", "seed"], metrics: ["jct_mean_s": jct])
    }

    /// Loads sort numerically; the paired difference is the mean of per-seed differences, with its own interval.
    func testGroupsByGridPointAndPairsBySeed() throws {
        let runs = [
            run(1, "fifo", seed: 1, load: "0.9", jct: 10), run(2, "fifo", seed: 2, load: "0.9", jct: 14),
            run(3, "sjf", seed: 1, load: "0.9", jct: 7), run(4, "sjf", seed: 2, load: "0.9", jct: 12),
            run(5, "fifo", seed: 1, load: "0.10", jct: 3), run(6, "sjf", seed: 1, load: "0.10", jct: 2),
        ]
        let c = try Comparison(runs: runs, metrics: ["jct_mean_s"], baseline: "fifo")
        XCTAssertEqual(c.gridFields, ["workload.load"])
        XCTAssertEqual(c.rows.map { "\($0.grid[0]) \($0.policy)" }, ["0.10 fifo", "0.10 sjf", "0.9 fifo", "0.9 sjf"])
        let sjf = c.rows[3]
        XCTAssertEqual(sjf.stats.mean, 9.5)
        XCTAssertEqual(sjf.runs, [3, 4])
        // Differences −3 and −2: mean −2.5, sd √0.5, half-width t(0.975, 1) · √0.5 / √2 = 12.7062 × 0.5.
        let d = try XCTUnwrap(sjf.difference)
        XCTAssertEqual(d.mean, -2.5)
        XCTAssertEqual(try XCTUnwrap(d.halfWidth), 12.7062047 * 0.5, accuracy: 1e-6)
        XCTAssertNil(c.rows[2].difference, "the baseline has no difference with itself")
        XCTAssertEqual(c.rows[1].difference?.n, 1)
        XCTAssertNil(c.rows[1].difference?.sd)
    }

    func testRefusesFieldsOutsideTheGridNamingThem() {
        let runs = [run(1, "fifo", seed: 1, load: "0.5", jct: 1), run(2, "fifo", seed: 2, load: "0.5", jobs: "200", jct: 1)]
        XCTAssertThrowsError(try Comparison(runs: runs, metrics: ["jct_mean_s"], baseline: nil)) { e in
            XCTAssertEqual("\(e)", "the runs' scenarios differ in a field that is not swept: workload.jobs (100, 200); select runs of one "
                + "configuration (--sweep, --scenario, --run) or declare grid fields with --by FIELD")
        }
        XCTAssertNoThrow(try Comparison(runs: runs, metrics: ["jct_mean_s"], extraGridFields: ["workload.jobs"], baseline: nil))
    }

    func testRefusesTwoRunsOfOneConfiguration() {
        let runs = [run(1, "fifo", seed: 1, load: "0.5", jct: 1), run(2, "fifo", seed: 1, load: "0.5", jct: 1)]
        XCTAssertThrowsError(try Comparison(runs: runs, metrics: ["jct_mean_s"], baseline: nil)) { e in
            XCTAssertEqual(e as? ComparisonError, .duplicateRun(first: 1, second: 2, policy: "fifo", seed: 1, point: "workload.load=0.5"))
        }
    }

    func testScenarioFieldsFlattenInDocumentOrder() throws {
        var f = try ScenarioFields(yaml: "a: 1\nb:\n  c: [x, {d: 2}]\n  e: {}\npolicy: {name: fifo, params: {depth: 3}}\n")
        XCTAssertEqual(f.leaves.map { "\($0.path)=\($0.value)" }, ["a=1", "b.c[0]=x", "b.c[1].d=2", "b.e={}", "policy.name=fifo", "policy.params.depth=3"])
        XCTAssertEqual(f.value(at: "policy.params"), "{depth=3}")
        f.set("policy.params", nil)
        XCTAssertNil(f.value(at: "policy.params"))
    }
}
