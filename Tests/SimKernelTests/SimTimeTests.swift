import SimKernel
import XCTest

final class SimTimeTests: XCTestCase {
    // Double seconds round to the nearest nanosecond; Int seconds convert exactly.
    func testSecondsConversions() {
        XCTAssertEqual(SimTime.seconds(1.5).nanoseconds, 1_500_000_000)
        XCTAssertEqual(SimTime.seconds(0.000_000_001_4).nanoseconds, 1)
        XCTAssertEqual(SimTime.seconds(0.000_000_001_6).nanoseconds, 2)
        XCTAssertEqual(SimTime.seconds(-2.25).nanoseconds, -2_250_000_000)
        XCTAssertEqual(SimTime.seconds(Int64(3)).nanoseconds, 3_000_000_000)
        XCTAssertEqual(SimTime.seconds(Int64(86_400 * 365)).nanoseconds, 31_536_000_000_000_000)
        XCTAssertEqual(SimTime(nanoseconds: 2_500_000_000).seconds, 2.5)
        XCTAssertEqual(SimTime.seconds(0.1).seconds, 0.1)
        XCTAssertEqual(SimTime.zero.nanoseconds, 0)
        XCTAssertEqual(SimTime.never.nanoseconds, Int64.max)
    }

    // 0.1 + 0.2 seconds as SimTime equals 0.3 seconds exactly (the reason times are integers).
    func testIntegerArithmeticIsExact() {
        XCTAssertEqual(SimTime.seconds(0.1) + SimTime.seconds(0.2), SimTime.seconds(0.3))
        XCTAssertEqual((SimTime.seconds(Int64(10)) - SimTime.seconds(2.5)).nanoseconds, 7_500_000_000)
        XCTAssertLessThan(SimTime.seconds(1.0), SimTime.seconds(1.000_000_001))
        XCTAssertLessThan(SimTime.seconds(1e9), SimTime.never)
        XCTAssertEqual(SimTime.seconds(2.0).description, "2.0s")
    }

    // The clock starts at zero, moves forward, and accepts the same instant again.
    func testClockAdvancesForward() {
        var clock = SimClock()
        XCTAssertEqual(clock.now, .zero)
        clock.advance(to: SimTime(nanoseconds: 5))
        XCTAssertEqual(clock.now.nanoseconds, 5)
        clock.advance(to: SimTime(nanoseconds: 5))
        XCTAssertEqual(clock.now.nanoseconds, 5)
        clock.advance(to: .seconds(2.0))
        XCTAssertEqual(clock.now.nanoseconds, 2_000_000_000)
    }
}
