import Engine
import Scenario
import XCTest

/// The Python examples decide exactly as the Swift policies of the same semantics: whole runs (jobs table, allocation
/// intervals, summary metrics, event counts: `RunDigest.text`) are identical, on one- and three-type clusters, a
/// trace, every placement strategy, and non-default parameters.
final class IdentityTests: XCTestCase {
    typealias S = ExternalTestSupport

    override func setUpWithError() throws {
        XCTAssertTrue(S.hasPython, "python3 is not on PATH; the external-policy tests need it")
    }

    /// Runs `body` with the Swift policy and with the external command; asserts identical results.
    private func assertIdentical(
        _ body: String, swift: String, command: [String], placement: String, params: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let native = try S.run(try S.load(body + S.policy(swift, placement: placement, params: params)))
        let external = try S.run(try S.load(body + S.policy(swift, command: command, placement: placement, params: params)))
        XCTAssertEqual(native.jobs.count, external.jobs.count, file: file, line: line)
        XCTAssertTrue(native.unfinishedJobs.isEmpty, "the Swift run left jobs unfinished", file: file, line: line)
        let a = RunDigest.jobLines(native), b = RunDigest.jobLines(external)
        if let k = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("first different job line:\n  swift:  \(a[k])\n  python: \(b[k])", file: file, line: line)
        }
        XCTAssertEqual(RunDigest.text(native), RunDigest.text(external), "run digests differ", file: file, line: line)
        // Allocation intervals (who held which GPUs when): compared whole, reported at the first difference.
        XCTAssertEqual(native.allocations.count, external.allocations.count, "allocation intervals", file: file, line: line)
        if let k = zip(native.allocations, external.allocations).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("first different allocation interval:\n  swift:  \(native.allocations[k])\n  python: \(external.allocations[k])",
                    file: file, line: line)
        }
        S.assertNoChildProcesses(file: file, line: line)
    }

    func testFIFOOnOneType() throws {
        try assertIdentical(S.singleType(), swift: "fifo", command: S.example("fifo.py"), placement: "packed")
    }

    func testFIFOOnThreeTypesTopologyAware() throws {
        try assertIdentical(S.threeTypes, swift: "fifo", command: S.example("fifo.py"), placement: "topology-aware")
    }

    func testFIFOOnTraceWithFirstFitAndSpread() throws {
        try assertIdentical(S.itpTrace, swift: "fifo", command: S.example("fifo.py"), placement: "first-fit")
        try assertIdentical(S.itpTrace, swift: "fifo", command: S.example("fifo.py"), placement: "spread")
    }

    func testTiresiasDefaultsOnOneType() throws {
        try assertIdentical(S.singleType(), swift: "tiresias", command: S.example("tiresias.py"), placement: "packed")
    }

    func testTiresiasWithPromotionOnThreeTypes() throws {
        try assertIdentical(S.threeTypes, swift: "tiresias", command: S.example("tiresias.py"), placement: "packed",
                            params: "{queue_thresholds_gpu_s: [1000, 4000], promote_after: 2}")
    }

    func testTiresiasTimeServiceOnTrace() throws {
        try assertIdentical(S.itpTrace, swift: "tiresias", command: S.example("tiresias.py"), placement: "topology-aware",
                            params: "{service: time, queue_thresholds_gpu_s: [600]}")
    }

    /// Identity is not an accident of two policies that do nothing: they preempt, wake up and fill the cluster.
    func testTheTiresiasRunsPreempt() throws {
        let result = try S.run(try S.load(S.singleType() + S.policy("tiresias", command: S.example("tiresias.py"))))
        XCTAssertGreaterThan(result.jobs.map(\.preemptions).reduce(0, +), 50)
        XCTAssertTrue(result.unfinishedJobs.isEmpty)
    }
}
