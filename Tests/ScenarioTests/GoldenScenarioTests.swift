import Engine
import Foundation
import Scenario
import XCTest

/// Golden outputs: each scenario in Scenarios/ is simulated and its digest compared with a committed
/// snapshot. Any change in what a scenario produces (a job's start or finish, a metric) fails here and must be
/// re-recorded on purpose (RECORD_SNAPSHOTS=1), which shows up as a diff in review.
final class GoldenScenarioTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// quickstart (FIFO) matches its snapshot.
    func test_quickstart_fifo() throws { try assertGolden("quickstart") }
    /// quickstart-sjf matches its snapshot.
    func test_quickstart_sjf() throws { try assertGolden("quickstart-sjf") }
    /// quickstart-backfill matches its snapshot.
    func test_quickstart_backfill() throws { try assertGolden("quickstart-backfill") }
    /// The ITP trace replay matches its snapshot.
    func test_itp_cluster10() throws { try assertGolden("itp-cluster10") }

    /// The three quickstart policies really differ on the same jobs (the point of shipping all three).
    func test_quickstart_policies_differ() throws {
        var means: [Double] = []
        for name in ["quickstart", "quickstart-sjf", "quickstart-backfill"] {
            let result = try run(name)
            means.append(result.summary.first { $0.name == "jct_mean_s" }!.value)
        }
        XCTAssertLessThan(means[1], means[0], "SJF should beat FIFO on mean JCT")
        XCTAssertLessThan(means[2], means[0], "backfill should beat FIFO on mean JCT")
    }

    private func run(_ name: String) throws -> RunResult {
        let path = Self.repoRoot.appendingPathComponent("Scenarios/\(name).yaml").path
        let scenario = try ScenarioLoader.load(path: path)
        return try scenario.makeSimulation().run()
    }

    private func assertGolden(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let actual = RunDigest.text(try run(name))
        let url = Self.snapshots.appendingPathComponent("\(name).txt")
        let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
        guard !record, let expected = try? String(contentsOf: url, encoding: .utf8) else {
            try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            XCTFail("recorded snapshot \(url.path); review it and run again", file: file, line: line)
            return
        }
        if expected != actual {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDiff = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
            XCTFail("""
                \(name) differs from its snapshot at line \(firstDiff + 1):
                  expected: \(firstDiff < e.count ? String(e[firstDiff]) : "<end>")
                  actual:   \(firstDiff < a.count ? String(a[firstDiff]) : "<end>")
                (if the change is intended, re-record with RECORD_SNAPSHOTS=1 and review the diff)
                """, file: file, line: line)
        }
    }
}
