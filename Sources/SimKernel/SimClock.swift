/// The simulated clock: a time that only moves forward.
public struct SimClock: Sendable {
    /// The current simulated time.
    public private(set) var now: SimTime = .zero

    /// Creates a clock at time zero.
    public init() {}

    /// Moves the clock to `time`. Traps if `time` is in the past: an event scheduled before `now` is an
    /// engine bug, and continuing would silently reorder history.
    public mutating func advance(to time: SimTime) {
        precondition(time >= now, "simulated time went backwards: \(time) < \(now)")
        now = time
    }
}
