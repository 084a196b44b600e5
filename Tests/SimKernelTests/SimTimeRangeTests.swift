import SimKernel
import XCTest

/// `SimTime.adding(seconds:)` is how run-time derived times stay inside the clock: nil instead of a trap.
final class SimTimeRangeTests: XCTestCase {
    func testAddingWithinTheClock() {
        XCTAssertEqual(SimTime.seconds(Int64(10)).adding(seconds: 2.5), SimTime(nanoseconds: 12_500_000_000))
        XCTAssertEqual(SimTime.zero.adding(seconds: 7e9)?.seconds, 7e9)
    }

    func testAddingPastTheClockIsNil() {
        XCTAssertNil(SimTime.zero.adding(seconds: 1e10))
        XCTAssertNil(SimTime.zero.adding(seconds: .nan))
        XCTAssertNil(SimTime.zero.adding(seconds: .infinity))
        XCTAssertNil(SimTime.zero.adding(seconds: 6.87e301))
        // Each part fits, the sum does not.
        XCTAssertNil(SimTime.seconds(9e9).adding(seconds: 9e9))
    }
}
