/// A deterministic priority queue of events, ordered by `(time, phase, seq)`.
///
/// A hand-written 4-ary heap over a contiguous array. A binary heap was about 1.3–1.5× faster than
/// swift-collections' `Heap` for the hold model a simulator runs (pop the minimum, push a later event), measured
/// on this project's 2-core machine; four children per node halve the depth again, and the four siblings a pop
/// compares share one or two cache lines, which matters once lazily cancelled completions make the heap large
/// (GPU sharing re-times every co-tenant's completion). The insertion counter makes the order total, so every
/// correct priority queue pops the same sequence: two runs with the same inputs pop events in the same order.
public struct EventQueue<Payload: Sendable>: Sendable {
    @usableFromInline var heap: ContiguousArray<ScheduledEvent<Payload>> = []
    @usableFromInline var nextSeq: UInt64 = 0

    /// Creates an empty queue.
    public init() {}

    /// Number of pending events.
    @inlinable public var count: Int { heap.count }
    /// Whether no events are pending.
    @inlinable public var isEmpty: Bool { heap.isEmpty }
    /// The next event to fire, without removing it.
    @inlinable public var first: ScheduledEvent<Payload>? { heap.first }

    /// Schedules `payload` at `time` in `phase`; returns the event's sequence number.
    /// - Complexity: O(log n)
    @inlinable @discardableResult
    public mutating func push(_ payload: Payload, at time: SimTime, phase: UInt8) -> UInt64 {
        let seq = nextSeq
        nextSeq &+= 1
        heap.append(ScheduledEvent(time: time, phase: phase, seq: seq, payload: payload))
        siftUp(heap.count - 1)
        return seq
    }

    /// Removes and returns the earliest event.
    /// - Complexity: O(log n)
    @inlinable public mutating func pop() -> ScheduledEvent<Payload>? {
        guard !heap.isEmpty else { return nil }
        if heap.count == 1 { return heap.removeLast() }
        let top = heap[0]
        heap[0] = heap.removeLast()
        siftDown(0)
        return top
    }

    @inlinable mutating func siftUp(_ start: Int) {
        var i = start
        let item = heap[i]
        while i > 0 {
            let parent = (i - 1) >> 2
            guard item.precedes(heap[parent]) else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = item
    }

    @inlinable mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        let item = heap[i]
        while true {
            let first = 4 * i + 1
            if first >= n { break }
            // The earliest of up to four children.
            var child = first
            let end = min(first + 4, n)
            var c = first + 1
            while c < end {
                if heap[c].precedes(heap[child]) { child = c }
                c += 1
            }
            guard heap[child].precedes(item) else { break }
            heap[i] = heap[child]
            i = child
        }
        heap[i] = item
    }
}
