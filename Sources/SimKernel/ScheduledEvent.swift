/// An event in the queue: a payload due at `time`, ordered by `(time, phase, seq)`.
///
/// `phase` orders different kinds of events at the same instant (the engine defines the phases, e.g.
/// completions before arrivals before the scheduling round). `seq` is the insertion counter: it breaks
/// the remaining ties in insertion order, because a binary heap by itself is not stable.
///
/// Storage: phase and seq share one word, phase in the top byte (`order`), so that the heap compares two words and
/// an event takes 32 bytes instead of 40 (a phase byte between the time and the counter padded it to a word): the
/// heap holds a completion for every running job, and its sift showed in the profiles of runs with many of them.
public struct ScheduledEvent<Payload>: Sendable where Payload: Sendable {
    /// When the event fires.
    public var time: SimTime
    /// `phase << 56 | seq`: orders same-instant events as (phase, seq) does.
    @usableFromInline var order: UInt64
    /// What happens.
    public var payload: Payload
    /// The key this event is the pending event of in its `EventQueue` (`schedule(_:at:phase:key:)`), or -1. Four
    /// bytes in the padding after a small payload: the engine's events stay 32 bytes.
    @usableFromInline var key: Int32

    /// Largest insertion counter an event can carry (2⁵⁶ − 1).
    @inlinable public static var maxSeq: UInt64 { (1 << 56) - 1 }

    /// The key this event is pending under in its queue (`EventQueue.schedule(_:at:phase:key:)`), or nil.
    @inlinable public var queueKey: Int? { key >= 0 ? Int(key) : nil }

    /// Same-instant order between event kinds; lower fires first.
    @inlinable public var phase: UInt8 {
        get { UInt8(truncatingIfNeeded: order >> 56) }
        set { order = UInt64(newValue) << 56 | (order & Self.maxSeq) }
    }
    /// Insertion order; unique per queue.
    @inlinable public var seq: UInt64 {
        get { order & Self.maxSeq }
        set {
            precondition(newValue <= Self.maxSeq, "event sequence number beyond 2^56")
            order = (order & ~Self.maxSeq) | newValue
        }
    }

    @inlinable public init(time: SimTime, phase: UInt8, seq: UInt64, payload: Payload) {
        precondition(seq <= Self.maxSeq, "event sequence number beyond 2^56")
        self.time = time
        self.order = UInt64(phase) << 56 | seq
        self.payload = payload
        self.key = -1
    }

    @inlinable init(time: SimTime, phase: UInt8, seq: UInt64, payload: Payload, key: Int32) {
        self.init(time: time, phase: phase, seq: seq, payload: payload)
        precondition(key >= 0, "negative event key \(key)")
        self.key = key
    }

    /// Whether `self` fires strictly before `other`.
    @inlinable public func precedes(_ other: ScheduledEvent) -> Bool {
        time != other.time ? time < other.time : order < other.order
    }
}
