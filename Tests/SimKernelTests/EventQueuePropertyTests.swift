import SimKernel
import XCTest

final class EventQueuePropertyTests: XCTestCase {
    // Random interleavings of pushes and pops (with many ties) pop exactly what a stable sort by
    // (time, phase, seq) of the pending events would give, for 200 seeds.
    func testRandomPushPopMatchesSortedReference() {
        for seed in 0..<200 {
            var rng = Mix(s: UInt64(seed))
            var q = EventQueue<Int>()
            var reference: [(time: Int64, phase: UInt8, seq: UInt64, id: Int)] = []
            var popped: [Int] = []
            var expected: [Int] = []
            var nextID = 0
            var now: Int64 = 0
            let ops = 50 + rng.below(300)
            for _ in 0..<ops {
                if rng.below(3) > 0 || reference.isEmpty {
                    // Small time and phase ranges force ties; never earlier than the last pop (hold model).
                    let t = now + Int64(rng.below(5))
                    let p = UInt8(rng.below(3))
                    let seq = q.push(nextID, at: SimTime(nanoseconds: t), phase: p)
                    reference.append((t, p, seq, nextID))
                    nextID += 1
                } else {
                    let e = q.pop()!
                    popped.append(e.payload)
                    reference.sort { ($0.time, $0.phase, $0.seq) < ($1.time, $1.phase, $1.seq) }
                    let r = reference.removeFirst()
                    expected.append(r.id)
                    XCTAssertEqual(e.time.nanoseconds, r.time, "seed \(seed)")
                    XCTAssertEqual(e.phase, r.phase, "seed \(seed)")
                    now = e.time.nanoseconds
                }
                XCTAssertEqual(q.count, reference.count, "seed \(seed)")
            }
            reference.sort { ($0.time, $0.phase, $0.seq) < ($1.time, $1.phase, $1.seq) }
            while let e = q.pop() { popped.append(e.payload) }
            expected += reference.map(\.id)
            XCTAssertEqual(popped, expected, "seed \(seed)")
            if popped != expected { return }
        }
    }
}
