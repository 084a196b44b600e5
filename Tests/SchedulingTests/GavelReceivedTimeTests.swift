import ClusterModel
@testable import Scheduling
import SimKernel
import XCTest

/// `GavelReceivedTime`, the per-stint ledger of Gavel's received time: exact nanosecond sums, open stints read up to
/// now, a stint closed where the last call saw it, and a new stint ending the open one.
final class GavelReceivedTimeTests: XCTestCase {
    private func ns(_ n: Int64) -> SimTime { SimTime(nanoseconds: n) }

    // Ten stints of 0.1 s on one type add up to exactly 1 s: summed as seconds (Double), one at a time, they would
    // give 0.9999999999999999, and Gavel's priorities would depend on how a job's time was split into calls.
    func testSumsAreExactWhateverTheSplit() {
        var r = GavelReceivedTime(types: 1)
        r.reserve(jobs: 1)
        let j = JobID(0)
        var t: Int64 = 0
        for _ in 0..<10 {
            r.open(j, type: 0, at: ns(t))
            t += 100_000_000
            r.close(j, at: ns(t))
            t += 7  // idle between stints: not counted
        }
        XCTAssertEqual(r.seconds(j, type: 0, now: ns(t)), 1.0)
        XCTAssertEqual(r.seconds(j, type: nil, now: ns(t)), 1.0)
        var asSeconds = 0.0
        for _ in 0..<10 { asSeconds += 0.1 }
        XCTAssertNotEqual(asSeconds, 1.0, "the float sum this ledger replaces")
    }

    // An open stint counts up to the time read; other types and other jobs are untouched; a job's total is the sum
    // over types with the open stint.
    func testOpenStintIsReadUpToNow() {
        var r = GavelReceivedTime(types: 3)
        r.reserve(jobs: 2)
        let a = JobID(0), b = JobID(1)
        r.open(a, type: 2, at: .seconds(Int64(10)))
        XCTAssertTrue(r.isOpen(a))
        XCTAssertFalse(r.isOpen(b))
        XCTAssertEqual(r.openType(of: a), 2)
        XCTAssertNil(r.openType(of: b))
        XCTAssertEqual(r.seconds(a, type: 2, now: .seconds(Int64(25))), 15)
        XCTAssertEqual(r.seconds(a, type: 0, now: .seconds(Int64(25))), 0)
        XCTAssertEqual(r.seconds(b, type: nil, now: .seconds(Int64(25))), 0)
        r.close(a, at: .seconds(Int64(20)))  // last seen holding at 20: the 5 s after are not counted
        XCTAssertFalse(r.isOpen(a))
        XCTAssertEqual(r.seconds(a, type: 2, now: .seconds(Int64(25))), 10)
        r.open(a, type: 0, at: .seconds(Int64(30)))
        XCTAssertEqual(r.seconds(a, type: nil, now: .seconds(Int64(34))), 14)
        XCTAssertEqual(r.seconds(a, type: 0, now: .seconds(Int64(34))), 4)
    }

    // A job moved (or preempted and started again) by one call: opening the new stint ends the old one at that call;
    // closing a job with no open stint changes nothing.
    func testOpeningEndsTheOpenStint() {
        var r = GavelReceivedTime(types: 2)
        r.reserve(jobs: 1)
        let j = JobID(0)
        r.close(j, at: .seconds(Int64(5)))
        XCTAssertEqual(r.seconds(j, type: nil, now: .seconds(Int64(5))), 0)
        r.open(j, type: 0, at: .seconds(Int64(0)))
        r.open(j, type: 1, at: .seconds(Int64(8)))
        XCTAssertEqual(r.seconds(j, type: 0, now: .seconds(Int64(12))), 8)
        XCTAssertEqual(r.seconds(j, type: 1, now: .seconds(Int64(12))), 4)
        r.close(j, at: .seconds(Int64(12)))
        r.close(j, at: .seconds(Int64(50)))
        XCTAssertEqual(r.seconds(j, type: nil, now: .seconds(Int64(50))), 12)
    }

    // Reserving more jobs keeps what was counted.
    func testReserveKeepsCounts() {
        var r = GavelReceivedTime(types: 2)
        r.reserve(jobs: 1)
        r.open(JobID(0), type: 1, at: .zero)
        r.reserve(jobs: 5)
        r.reserve(jobs: 3)
        XCTAssertEqual(r.seconds(JobID(0), type: 1, now: .seconds(Int64(2))), 2)
        XCTAssertEqual(r.seconds(JobID(4), type: nil, now: .seconds(Int64(2))), 0)
    }

    // A rebase (`allocation_reset_s`) makes a job's time count from then, through an open stint, per type and in
    // total; a job never rebased counts from its start; jobs reserved after the first rebase start at zero.
    func testRebaseCountsFromThenThroughAnOpenStint() {
        var r = GavelReceivedTime(types: 2)
        r.reserve(jobs: 2)
        let a = JobID(0), b = JobID(1), c = JobID(2)
        r.open(a, type: 0, at: .seconds(Int64(0)))
        r.open(b, type: 1, at: .seconds(Int64(5)))
        r.rebase(a, at: .seconds(Int64(30)))
        XCTAssertEqual(r.secondsSinceRebase(a, type: 0, now: .seconds(Int64(30))), 0)
        r.open(a, type: 1, at: .seconds(Int64(40)))  // 10 s more on type 0, then type 1
        XCTAssertEqual(r.secondsSinceRebase(a, type: 0, now: .seconds(Int64(50))), 10)
        XCTAssertEqual(r.secondsSinceRebase(a, type: 1, now: .seconds(Int64(50))), 10)
        XCTAssertEqual(r.secondsSinceRebase(a, type: nil, now: .seconds(Int64(50))), 20)
        XCTAssertEqual(r.seconds(a, type: nil, now: .seconds(Int64(50))), 50, "the total since the start is kept")
        XCTAssertEqual(r.secondsSinceRebase(b, type: 1, now: .seconds(Int64(50))), 45, "never rebased: from its start")
        r.reserve(jobs: 3)
        r.open(c, type: 0, at: .seconds(Int64(60)))
        XCTAssertEqual(r.secondsSinceRebase(c, type: nil, now: .seconds(Int64(70))), 10)
    }
}
