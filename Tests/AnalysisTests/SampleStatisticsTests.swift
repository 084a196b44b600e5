@testable import Analysis
import XCTest

/// Means, standard deviations and Student-t intervals against hand-computed values and published t quantiles.
final class SampleStatisticsTests: XCTestCase {
    /// Two-sided 95% t quantiles from standard tables (e.g. NIST/SEMATECH e-Handbook of Statistical Methods,
    /// https://www.itl.nist.gov/div898/handbook/eda/section3/eda3672.htm): t(0.975, 4) = 2.776, t(0.975, 1) = 12.706,
    /// t(0.975, 10) = 2.228, t(0.975, 30) = 2.042.
    func testTQuantilesMatchPublishedTable() {
        XCTAssertEqual(SampleStatistics.tQuantile(0.975, degreesOfFreedom: 4), 2.776, accuracy: 0.0005)
        XCTAssertEqual(SampleStatistics.tQuantile(0.975, degreesOfFreedom: 1), 12.706, accuracy: 0.0005)
        XCTAssertEqual(SampleStatistics.tQuantile(0.975, degreesOfFreedom: 10), 2.228, accuracy: 0.0005)
        XCTAssertEqual(SampleStatistics.tQuantile(0.975, degreesOfFreedom: 30), 2.042, accuracy: 0.0005)
        // More digits: t(0.975, 4) = 2.7764451051977987 (R: qt(0.975, 4)).
        XCTAssertEqual(SampleStatistics.tQuantile(0.975, degreesOfFreedom: 4), 2.7764451051977987, accuracy: 1e-12)
    }

    /// 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 32, s² = 32/7, s = 2.13809; t(0.975, 7) = 2.36462;
    /// half-width = 2.36462 × 2.13809 / √8 = 1.78749, so the interval is [3.21251, 6.78749].
    func testHandComputedInterval() throws {
        let s = SampleStatistics([2, 4, 4, 4, 5, 5, 7, 9])
        XCTAssertEqual(s.n, 8)
        XCTAssertEqual(try XCTUnwrap(s.mean), 5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(s.sd), (32.0 / 7).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(s.low), 3.21251, accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(s.high), 6.78749, accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(s.halfWidth), 1.78749, accuracy: 1e-5)
    }

    /// A 90% interval uses t(0.95, n − 1): for 1..5, s = √2.5 and t(0.95, 4) = 2.13185, half-width 1.50745.
    func testOtherLevel() throws {
        let s = SampleStatistics([1, 2, 3, 4, 5], level: 0.9)
        XCTAssertEqual(try XCTUnwrap(s.halfWidth), 2.131847 * 2.5.squareRoot() / 5.0.squareRoot(), accuracy: 1e-5)
    }

    /// One value has a mean but no spread; none has nothing.
    func testTooFewValuesHaveNoInterval() {
        let one = SampleStatistics([3.5])
        XCTAssertEqual(one.mean, 3.5)
        XCTAssertNil(one.sd)
        XCTAssertNil(one.low)
        let none = SampleStatistics([])
        XCTAssertNil(none.mean)
        XCTAssertEqual(none.n, 0)
    }
}
