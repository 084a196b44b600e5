import SimKernel

/// Every job's progress through its work, as struct-of-arrays by JobID: the engine's hot state, shared
/// read-only with policies through the snapshot (copy-on-write: handing it over copies nothing).
///
/// Progress is brought up to date lazily: `remainingWork[i]` holds at `since[i]`, and the job has advanced at
/// `workRate[i]` units per second since (0 while it does not run or is in a timed transition).
public struct JobProgress: Sendable {
    /// Work units left at `since` (iterations, or reference seconds; see `WorkRate`).
    public var remainingWork: [Double]
    /// Current work units per second (0 unless running).
    public var workRate: [Double]
    /// When `remainingWork` was last brought up to date.
    public var since: [SimTime]
    /// Work units per second on the job's packed reference placement at its requested size: the speed its
    /// estimated duration assumes.
    public var referenceRate: [Double]

    /// Progress of jobs that have not started, with `work` units each and the given reference rates.
    public init(work: [Double], referenceRate: [Double]) {
        precondition(work.count == referenceRate.count, "one reference rate per job")
        self.remainingWork = work
        self.workRate = Array(repeating: 0, count: work.count)
        self.since = Array(repeating: .zero, count: work.count)
        self.referenceRate = referenceRate
    }

    /// Work units left of job `i` at `now`.
    @inlinable public func remaining(_ i: Int, at now: SimTime) -> Double {
        let rate = workRate[i]
        guard rate > 0 else { return remainingWork[i] }
        return max(0, remainingWork[i] - rate * (now - since[i]).seconds)
    }
}
