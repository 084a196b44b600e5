/// An event in the queue: a payload due at `time`, ordered by `(time, phase, seq)`.
///
/// `phase` orders different kinds of events at the same instant (the engine defines the phases, e.g.
/// completions before arrivals before the scheduling round). `seq` is the insertion counter: it breaks
/// the remaining ties in insertion order, because a binary heap by itself is not stable.
public struct ScheduledEvent<Payload>: Sendable where Payload: Sendable {
    /// When the event fires.
    public var time: SimTime
    /// Same-instant order between event kinds; lower fires first.
    public var phase: UInt8
    /// Insertion order; unique per queue.
    public var seq: UInt64
    /// What happens.
    public var payload: Payload

    @inlinable public init(time: SimTime, phase: UInt8, seq: UInt64, payload: Payload) {
        self.time = time
        self.phase = phase
        self.seq = seq
        self.payload = payload
    }

    /// Whether `self` fires strictly before `other`.
    @inlinable public func precedes(_ other: ScheduledEvent) -> Bool {
        if time != other.time { return time < other.time }
        if phase != other.phase { return phase < other.phase }
        return seq < other.seq
    }
}
