import SimKernel
import XCTest

final class EventQueueOrderTests: XCTestCase {
    private func drain(_ q: inout EventQueue<String>) -> [String] {
        var out: [String] = []
        while let e = q.pop() { out.append(e.payload) }
        return out
    }

    // Events pop by time first, whatever the push order.
    func testPopsByTime() {
        var q = EventQueue<String>()
        q.push("c", at: SimTime(nanoseconds: 30), phase: 0)
        q.push("a", at: SimTime(nanoseconds: 10), phase: 0)
        q.push("b", at: SimTime(nanoseconds: 20), phase: 0)
        XCTAssertEqual(q.count, 3)
        XCTAssertEqual(q.first?.payload, "a")
        XCTAssertEqual(drain(&q), ["a", "b", "c"])
        XCTAssertTrue(q.isEmpty)
        XCTAssertNil(q.pop())
    }

    // At the same instant a lower phase fires first even when pushed later; time still beats phase.
    func testSameTimeOrdersByPhase() {
        var q = EventQueue<String>()
        q.push("round@5", at: SimTime(nanoseconds: 5), phase: 2)
        q.push("arrival@5", at: SimTime(nanoseconds: 5), phase: 1)
        q.push("round@4", at: SimTime(nanoseconds: 4), phase: 2)
        q.push("completion@5", at: SimTime(nanoseconds: 5), phase: 0)
        XCTAssertEqual(drain(&q), ["round@4", "completion@5", "arrival@5", "round@5"])
    }

    // Equal (time, phase) pop in insertion order (FIFO), which a bare binary heap would not guarantee.
    func testTiesPopInInsertionOrder() {
        var q = EventQueue<String>()
        let names = (0..<50).map { "e\($0)" }
        for (i, n) in names.enumerated() {
            // Interleave a different phase so the heap is reshuffled between the tied ones.
            q.push(n, at: SimTime(nanoseconds: 7), phase: 1)
            if i % 3 == 0 { q.push("x\(i)", at: SimTime(nanoseconds: 7), phase: 0) }
        }
        let out = drain(&q)
        XCTAssertEqual(out.filter { $0.hasPrefix("e") }, names)
        XCTAssertEqual(out.prefix(17).allSatisfy { $0.hasPrefix("x") }, true)
        XCTAssertEqual(out.filter { $0.hasPrefix("x") }, stride(from: 0, to: 50, by: 3).map { "x\($0)" })
    }

    // push returns consecutive sequence numbers starting at 0, and popped events carry them.
    func testSequenceNumbers() {
        var q = EventQueue<Int>()
        XCTAssertEqual(q.push(0, at: .zero, phase: 0), 0)
        XCTAssertEqual(q.push(1, at: .zero, phase: 0), 1)
        XCTAssertEqual(q.push(2, at: SimTime(nanoseconds: -1), phase: 9), 2)
        XCTAssertEqual(q.pop()?.seq, 2)
        XCTAssertEqual(q.pop()?.seq, 0)
        XCTAssertEqual(q.pop()?.seq, 1)
    }

    // precedes is a strict order on (time, phase, seq).
    func testPrecedes() {
        let a = ScheduledEvent(time: SimTime(nanoseconds: 1), phase: 2, seq: 9, payload: 0)
        let b = ScheduledEvent(time: SimTime(nanoseconds: 2), phase: 0, seq: 0, payload: 0)
        let c = ScheduledEvent(time: SimTime(nanoseconds: 1), phase: 1, seq: 99, payload: 0)
        let d = ScheduledEvent(time: SimTime(nanoseconds: 1), phase: 1, seq: 100, payload: 0)
        XCTAssertTrue(a.precedes(b))
        XCTAssertFalse(b.precedes(a))
        XCTAssertTrue(c.precedes(a))
        XCTAssertTrue(c.precedes(d))
        XCTAssertFalse(d.precedes(c))
        XCTAssertFalse(c.precedes(c))
    }
}
