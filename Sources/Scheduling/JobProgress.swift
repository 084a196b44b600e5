import SimKernel

/// Every job's progress through its work, by JobID: the engine's hot per-job state, shared read-only with
/// policies through the snapshot (copy-on-write: handing it over copies nothing).
///
/// Progress is brought up to date lazily: `remainingWork` holds at `since`, and the job has advanced at
/// `workRate` units per second since (0 while it does not run or is in a timed transition). One array of
/// small entries rather than one array per quantity: the engine reads and writes them together, and a
/// snapshot then holds one array reference instead of four.
public struct JobProgress: Sendable {
    /// One job's progress.
    public struct Entry: Sendable, Equatable {
        /// Work units left at `since` (iterations, or reference seconds; see `WorkRate`).
        public var remainingWork: Double
        /// Current work units per second (0 unless running).
        public var workRate: Double
        /// When `remainingWork` was last brought up to date.
        public var since: SimTime
        /// Work units per second on the job's packed reference placement at its requested size: the speed its
        /// estimated duration assumes.
        public var referenceRate: Double
    }

    /// The entries, by JobID.
    public var entries: [Entry]

    /// Progress of jobs that have not started, with `work` units each and the given reference rates.
    public init(work: [Double], referenceRate: [Double]) {
        precondition(work.count == referenceRate.count, "one reference rate per job")
        entries = zip(work, referenceRate).map { Entry(remainingWork: $0, workRate: 0, since: .zero, referenceRate: $1) }
    }

    /// Work units left of job `i` at `now`.
    @inlinable public func remaining(_ i: Int, at now: SimTime) -> Double {
        let e = entries[i]
        guard e.workRate > 0 else { return e.remainingWork }
        return max(0, e.remainingWork - e.workRate * (now - e.since).seconds)
    }
}
