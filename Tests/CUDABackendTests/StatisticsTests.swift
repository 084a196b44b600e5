import CUDABackend
import XCTest

final class StatisticsTests: XCTestCase {
    func testMedianOddEvenUnsortedAndEmpty() {
        XCTAssertEqual(Statistics.median([3, 1, 2]), 2)
        XCTAssertEqual(Statistics.median([4, 1, 3, 2]), 2.5)
        XCTAssertEqual(Statistics.median([7]), 7)
        XCTAssertEqual(Statistics.median([5, 100, 5, 5, -100]), 5, "outliers do not move the median")
        XCTAssertNil(Statistics.median([]))
    }

    func testLeastSquaresRecoversAnExactLine() throws {
        let x: [Double] = [1, 2, 4, 8, 16]
        let fit = try XCTUnwrap(Statistics.leastSquaresLine(x: x, y: x.map { 3 + 0.5 * $0 }))
        XCTAssertEqual(fit.intercept, 3, accuracy: 1e-12)
        XCTAssertEqual(fit.slope, 0.5, accuracy: 1e-12)
    }

    func testLeastSquaresWithSymmetricNoise() throws {
        // Residuals +e, −e, −e, +e at x symmetric about the mean: they cancel in both sums, so the fit is exact.
        let x: [Double] = [0, 1, 2, 3]
        let noise: [Double] = [0.1, -0.1, -0.1, 0.1]
        let y = zip(x, noise).map { 2 + 4 * $0 + $1 }
        let fit = try XCTUnwrap(Statistics.leastSquaresLine(x: x, y: y))
        XCTAssertEqual(fit.slope, 4, accuracy: 1e-12)
        XCTAssertEqual(fit.intercept, 2, accuracy: 1e-12)
    }

    func testLeastSquaresNeedsTwoDistinctX() {
        XCTAssertNil(Statistics.leastSquaresLine(x: [1], y: [2]))
        XCTAssertNil(Statistics.leastSquaresLine(x: [2, 2, 2], y: [1, 2, 3]))
    }
}
