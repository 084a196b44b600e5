/// One arrival: its time and the batch it belongs to.
public struct Arrival: Sendable, Equatable {
    /// Seconds from the start of the workload.
    public var time: Double
    /// The batch number (0, 1, ...): arrivals of one batch are submitted together; every other process gives each
    /// arrival its own batch.
    public var batch: Int

    /// Creates an arrival.
    public init(time: Double, batch: Int) {
        self.time = time
        self.batch = batch
    }
}

/// A source of arrivals in non-decreasing time order, drawing from its own named streams.
public protocol ArrivalGenerator {
    /// The next arrival, or nil when the process has no more (a replayed trace ends).
    mutating func next() -> Arrival?
}
