@testable import Scenario
import Foundation
import SimRandom
import Workload
import XCTest
import Yams

/// What `trace fit` writes decodes back to the same values: distributions (all families, tiny and huge numbers)
/// and the relative trace path.
final class DistributionYAMLTests: XCTestCase {
    private func roundTrip(_ d: Distribution) throws -> Distribution {
        try YAMLDecoder().decode(DistributionConfig.self, from: DistributionConfig.yaml(d)).distribution
    }

    func testEveryFamilyRoundTrips() throws {
        let cases: [Distribution] = [
            .constant(8), .exponential(mean: 25880.8), .lognormal(mu: 8.97378, sigma: 1.30662), .gamma(shape: 0.530104, scale: 48822.1),
            .weibull(scale: 16009, shape: 0.643524), .uniform(low: -1.5, high: 2), .pareto(scale: 601, shape: 0.388322),
            .geometric(mean: 3.5), .categorical(try CategoricalTable(values: [1, 2, 4, 8], weights: [9854, 836, 1071, 936])),
            .mixture(try MixtureTable(components: [.lognormal(mu: 8.28014, sigma: 0.757033), .constant(600)], weights: [0.612305, 0.387695])),
            .exponential(mean: 1.5e-7), .exponential(mean: 2.5e12),
        ]
        for d in cases { XCTAssertEqual(try roundTrip(d), d, DistributionConfig.yaml(d)) }
        XCTAssertEqual(DistributionConfig.number(1e-7), "1.0e-07")
        XCTAssertEqual(DistributionConfig.number(0.1234567), "0.123457")
        XCTAssertEqual(DistributionConfig.number(-3), "-3")
    }

    func testRelativePath() {
        XCTAssertEqual(FittedWorkload.relativePath(of: "/a/b/traces/t.csv", from: "/a/b/fits"), "../traces/t.csv")
        XCTAssertEqual(FittedWorkload.relativePath(of: "/a/t.csv", from: "/a"), "t.csv")
        XCTAssertEqual(FittedWorkload.relativePath(of: "/x/t.csv", from: "/a/b"), "../../x/t.csv")
    }
}
