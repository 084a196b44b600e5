import CUDABackend
import XCTest

final class CollectiveBandwidthTests: XCTestCase {
    func testNCCLTestsBusBandwidthFormula() {
        // nccl-tests PERFORMANCE.md: busbw = algbw × 2(n−1)/n for all-reduce.
        XCTAssertEqual(CollectiveBandwidth.allReduceBusFactor(ranks: 1), 0)
        XCTAssertEqual(CollectiveBandwidth.allReduceBusFactor(ranks: 2), 1)
        XCTAssertEqual(CollectiveBandwidth.allReduceBusFactor(ranks: 4), 1.5)
        XCTAssertEqual(CollectiveBandwidth.allReduceBusFactor(ranks: 8), 1.75)
        // 1 GB in 10 ms on 8 ranks: algbw 100 GB/s, busbw 175 GB/s.
        XCTAssertEqual(CollectiveBandwidth.algorithmBandwidth(bytes: 1e9, seconds: 0.01), 100e9, accuracy: 1e-3)
        XCTAssertEqual(CollectiveBandwidth.allReduceBusBandwidth(bytes: 1e9, seconds: 0.01, ranks: 8), 175e9, accuracy: 1e-3)
    }

    func testAlphaBetaFitOnSyntheticData() throws {
        let alpha = 25e-6, busbw = 150e9, ranks = 4
        let sizes = (0...5).map { Double((1 << 20) << (2 * $0)) }
        let times = sizes.map { alpha + $0 * 1.5 / busbw }
        let fit = try XCTUnwrap(CollectiveBandwidth.fitAlphaBeta(bytes: sizes, seconds: times, ranks: ranks))
        XCTAssertEqual(fit.alphaSeconds, alpha, accuracy: 1e-12)
        XCTAssertEqual(fit.busBandwidth / busbw, 1, accuracy: 1e-9)
        XCTAssertEqual(fit.seconds(bytes: 1e8, ranks: ranks), alpha + 1e8 * 1.5 / busbw, accuracy: 1e-12)
    }

    func testFitRejectsOneRankAndFlatTimes() {
        XCTAssertNil(CollectiveBandwidth.fitAlphaBeta(bytes: [1, 2], seconds: [1, 2], ranks: 1))
        XCTAssertNil(CollectiveBandwidth.fitAlphaBeta(bytes: [1, 2, 3], seconds: [5, 5, 5], ranks: 2), "zero slope")
        XCTAssertNil(CollectiveBandwidth.fitAlphaBeta(bytes: [1e6], seconds: [1e-3], ranks: 2), "one size")
    }

    func testNegativeAlphaCountsAsZeroInPredictions() {
        let m = CollectiveBandwidth.AlphaBeta(alphaSeconds: -1e-6, busBandwidth: 1e9)
        XCTAssertEqual(m.seconds(bytes: 1e9, ranks: 2), 1, accuracy: 1e-15)
    }
}
