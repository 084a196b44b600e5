import SimKernel
import XCTest

/// Keyed events (`EventQueue.schedule(_:at:phase:key:)`, `cancel(key:)`): re-timing moves an event in place with a
/// fresh sequence number, cancelling removes it, and the heap and the key positions stay consistent.
final class EventQueueKeyTests: XCTestCase {
    private func t(_ ns: Int64) -> SimTime { SimTime(nanoseconds: ns) }

    private func drain(_ q: inout EventQueue<String>) -> [String] {
        var out: [String] = []
        while let e = q.pop() {
            out.append(e.payload)
            XCTAssertNil(q.invariantViolation())
        }
        return out
    }

    func testRetimeLaterAndEarlierMovesTheOneEntry() {
        var q = EventQueue<String>(keys: 2)
        q.schedule("a", at: t(5), phase: 0, key: 0)
        q.push("x", at: t(7), phase: 0)
        q.schedule("b", at: t(9), phase: 0, key: 1)
        q.schedule("a'", at: t(10), phase: 0, key: 0)  // later: past x and b
        q.schedule("b'", at: t(1), phase: 0, key: 1)   // earlier: to the front
        XCTAssertEqual(q.count, 3)
        XCTAssertEqual(q.scheduled(key: 0)?.time, t(10))
        XCTAssertEqual(q.scheduled(key: 0)?.payload, "a'")
        XCTAssertEqual(q.scheduled(key: 1)?.queueKey, 1)
        XCTAssertNil(q.invariantViolation())
        XCTAssertEqual(drain(&q), ["b'", "x", "a'"])
        XCTAssertNil(q.scheduled(key: 0))
        XCTAssertNil(q.scheduled(key: 1))
    }

    // A re-timed event takes the next sequence number, exactly as a fresh push would: at an unchanged time and phase
    // it now fires after an event pushed between its first scheduling and its re-timing.
    func testRetimeTakesAFreshSequenceNumber() {
        var q = EventQueue<String>(keys: 1)
        XCTAssertEqual(q.schedule("k", at: t(5), phase: 0, key: 0), 0)
        XCTAssertEqual(q.push("x", at: t(5), phase: 0), 1)
        XCTAssertEqual(q.schedule("k", at: t(5), phase: 0, key: 0), 2)
        XCTAssertEqual(q.scheduled(key: 0)?.seq, 2)
        XCTAssertEqual(q.push("y", at: t(5), phase: 0), 3)
        XCTAssertEqual(drain(&q), ["x", "k", "y"])
    }

    func testCancelRemovesAndReportsTheEntry() {
        var q = EventQueue<String>(keys: 4)
        for k in 0..<4 { q.schedule("k\(k)", at: t(Int64(10 - k)), phase: 0, key: k) }
        q.push("x", at: t(8), phase: 1)
        XCTAssertEqual(q.cancel(key: 2)?.payload, "k2")
        XCTAssertNil(q.cancel(key: 2), "a cancelled key has nothing left")
        XCTAssertNil(q.scheduled(key: 2))
        XCTAssertEqual(q.count, 4)
        XCTAssertNil(q.invariantViolation())
        XCTAssertEqual(q.pop()?.payload, "k3")  // the root: its key is free again
        XCTAssertNil(q.cancel(key: 3))
        XCTAssertEqual(q.cancel(key: 0)?.payload, "k0")  // the last entry
        XCTAssertNil(q.invariantViolation())
        XCTAssertEqual(drain(&q), ["x", "k1"])
        // A key can be scheduled again after a cancel or a pop.
        q.schedule("again", at: t(1), phase: 0, key: 3)
        XCTAssertEqual(drain(&q), ["again"])
    }

    // The entry that fills a cancelled slot may come from another subtree and belong above the hole. Heap (4-ary):
    // [0] t0; [1] t100, [2...4] t1; [5...8] t200...203 under [1]; [9] t2 under [2]. Cancelling [5] moves t2 into it,
    // below t100: it must sift up to [1].
    func testCancelSiftsTheFillerUp() {
        var q = EventQueue<String>(keys: 10)
        let times: [Int64] = [0, 100, 1, 1, 1, 200, 201, 202, 203, 2]
        for (k, time) in times.enumerated() { q.schedule("t\(time)#\(k)", at: t(time), phase: 0, key: k) }
        XCTAssertEqual(q.unordered.map(\.time.nanoseconds), times, "the pushes built the heap described above")
        XCTAssertEqual(q.cancel(key: 5)?.payload, "t200#5")
        XCTAssertNil(q.invariantViolation())
        XCTAssertEqual(q.unordered[1].time, t(2))
        XCTAssertEqual(q.unordered[5].time, t(100))
        XCTAssertEqual(drain(&q), ["t0#0", "t1#2", "t1#3", "t1#4", "t2#9", "t100#1", "t201#6", "t202#7", "t203#8"])
    }

    // Unkeyed pushes leave every key free; a queue without keys behaves as before.
    func testUnkeyedEventsHaveNoKey() {
        var q = EventQueue<String>()
        XCTAssertEqual(q.keyCount, 0)
        q.push("a", at: t(1), phase: 0)
        XCTAssertNil(q.first?.queueKey)
        XCTAssertNil(q.invariantViolation())
        XCTAssertEqual(drain(&q), ["a"])
    }

    // Random push / schedule / cancel / pop sequences with many ties against a reference model (a list of pending
    // events, each with its key, popped by smallest (time, phase, seq)): the same pops, counts and scheduled times
    // for 300 seeds, and consistent positions after every operation.
    func testRandomOperationsMatchReferenceModel() {
        struct Pending { var time: Int64; var phase: UInt8; var seq: UInt64; var id: Int; var key: Int? }
        for seed in 0..<300 {
            var rng = Mix(s: UInt64(seed) &* 0x9E37_79B9 &+ 11)
            let keys = 1 + rng.below(12)
            var q = EventQueue<Int>(keys: keys)
            var reference: [Pending] = []
            var now: Int64 = 0
            var nextID = 0
            let ops = 100 + rng.below(400)
            for op in 0..<ops {
                let label = "seed \(seed) op \(op)"
                let time = now + Int64(rng.below(6))
                let phase = UInt8(rng.below(3))
                switch rng.below(10) {
                case 0...2:  // plain push
                    let seq = q.push(nextID, at: SimTime(nanoseconds: time), phase: phase)
                    reference.append(Pending(time: time, phase: phase, seq: seq, id: nextID, key: nil))
                    nextID += 1
                case 3...5:  // schedule or re-time a key
                    let key = rng.below(keys)
                    let seq = q.schedule(nextID, at: SimTime(nanoseconds: time), phase: phase, key: key)
                    reference.removeAll { $0.key == key }
                    reference.append(Pending(time: time, phase: phase, seq: seq, id: nextID, key: key))
                    nextID += 1
                case 6:  // cancel a key, pending or not
                    let key = rng.below(keys)
                    let expected = reference.firstIndex { $0.key == key }.map { reference.remove(at: $0).id }
                    XCTAssertEqual(q.cancel(key: key)?.payload, expected, label)
                default:  // pop
                    reference.sort { ($0.time, $0.phase, $0.seq) < ($1.time, $1.phase, $1.seq) }
                    let e = q.pop()
                    let r = reference.isEmpty ? nil : reference.removeFirst()
                    XCTAssertEqual(e?.payload, r?.id, label)
                    XCTAssertEqual(e?.queueKey, r?.key, label)
                    if let e { now = e.time.nanoseconds }
                }
                XCTAssertEqual(q.count, reference.count, label)
                if let problem = q.invariantViolation() { XCTFail("\(label): \(problem)"); return }
                for k in 0..<keys {
                    let r = reference.first { $0.key == k }
                    XCTAssertEqual(q.scheduled(key: k)?.payload, r?.id, label)
                    XCTAssertEqual(q.scheduled(key: k)?.time.nanoseconds, r?.time, label)
                }
            }
            reference.sort { ($0.time, $0.phase, $0.seq) < ($1.time, $1.phase, $1.seq) }
            var popped: [Int] = []
            while let e = q.pop() { popped.append(e.payload) }
            XCTAssertEqual(popped, reference.map(\.id), "seed \(seed)")
            if popped != reference.map(\.id) { return }
        }
    }
}
