import Engine
import Foundation
import Scenario
import XCTest

/// Scenarios/network-contention.yaml (acceptance 5 of the interconnect issue): on an oversubscribed two-rack
/// cluster, the placement strategy changes the average JCT, in the order the topology predicts.
final class NetworkContentionTests: XCTestCase {
    private static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scenarios/network-contention.yaml").path

    private func meanJCT(_ placement: String) throws -> Double {
        let scenario = try ScenarioLoader.load(path: Self.path, placement: placement)
        XCTAssertNotNil(scenario.interconnect)
        let result = try scenario.makeSimulation().run()
        XCTAssertTrue(result.unfinishedJobs.isEmpty)
        return result.summary.first { $0.name == "jct_mean_s" }!.value
    }

    func testPlacementChangesMeanJCT() throws {
        let packed = try meanJCT("packed")
        let spread = try meanJCT("spread")
        let aware = try meanJCT("topology-aware")
        XCTAssertGreaterThan(spread, 2 * packed, "spreading rings over the network should be much slower")
        XCTAssertLessThanOrEqual(aware, packed)
        XCTAssertNotEqual(aware, packed)
    }
}
