import ClusterModel
import SimKernel

/// Time each job has held GPUs of each type, for Gavel's priorities, counted per stint rather than per call.
///
/// A stint is one allocation: from the call whose decision started or moved the job to the last call that saw it
/// still holding those GPUs. Adding every holder's time since the previous call at every call (as Gavel did) sums,
/// over a stint, to exactly that span, so a stint is added once, when it ends, and read as `now − from` while open;
/// that made Gavel's calls between round boundaries O(changes) instead of O(jobs holding GPUs).
/// Time is kept in whole nanoseconds (the clock's unit), so a sum is exact and does not depend on how it was split;
/// it is turned into seconds once, when read.
struct GavelReceivedTime {
    /// A job's open stint: the GPU type it holds (−1: none open; its first GPU's type), whether its GPUs span
    /// types, and the call its time counts from.
    private struct Stint {
        var type: Int32 = -1
        var spansTypes = false
        var from: SimTime = .zero
    }

    /// GPU types of the cluster.
    let types: Int
    /// Nanoseconds of closed stints, job-major (`index × types + type`).
    private var closed: [Int64] = []
    /// Each job's open stint, by JobID index.
    private var stints: [Stint] = []
    /// Nanoseconds held up to each job's last `rebase`, job-major as `closed` (0 for a job never rebased); empty until
    /// the first `rebase`, so that runs which count from submission carry none of it.
    private var base: [Int64] = []

    /// An empty ledger for a cluster of `types` GPU types.
    init(types: Int) { self.types = types }

    /// Makes room for jobs with indices below `jobs`.
    mutating func reserve(jobs: Int) {
        guard stints.count < jobs else { return }
        stints.append(contentsOf: repeatElement(Stint(), count: jobs - stints.count))
        closed.append(contentsOf: repeatElement(0, count: jobs * types - closed.count))
        if !base.isEmpty { base.append(contentsOf: repeatElement(0, count: jobs * types - base.count)) }
    }

    /// Whether `job` has an open stint.
    func isOpen(_ job: JobID) -> Bool { stints[job.index].type >= 0 }

    /// The type of `job`'s open stint, or nil.
    func openType(of job: JobID) -> Int? {
        let t = stints[job.index].type
        return t >= 0 ? Int(t) : nil
    }

    /// The type of `job`'s open stint when its GPUs are all of that type; nil when none is open or they span types.
    /// (Gavel reads it for every job holding GPUs at every boundary: it is kept here so that the round need not read
    /// each job's GPU list, a cache miss per job.)
    func singleType(of job: JobID) -> Int? {
        let s = stints[job.index]
        return s.type >= 0 && !s.spansTypes ? Int(s.type) : nil
    }

    /// Starts a stint of `job` on `type` (its first GPU's; `spansTypes` when its other GPUs are not all of it) at
    /// `time`, ending the one it has open, if any, at the same time (a job preempted and started again, or moved, by
    /// one call).
    mutating func open(_ job: JobID, type: Int, spansTypes: Bool = false, at time: SimTime) {
        close(job, at: time)
        stints[job.index] = Stint(type: Int32(type), spansTypes: spansTypes, from: time)
    }

    /// Ends `job`'s open stint at `time` (the last call that saw it hold its GPUs); nothing when none is open.
    mutating func close(_ job: JobID, at time: SimTime) {
        let s = stints[job.index]
        guard s.type >= 0 else { return }
        closed[job.index * types + Int(s.type)] += (time - s.from).nanoseconds
        stints[job.index].type = -1
    }

    /// Seconds `job` has held GPUs of `type` (of any type when nil) up to `now`, its open stint included.
    func seconds(_ job: JobID, type: Int?, now: SimTime) -> Double {
        SimTime(nanoseconds: nanoseconds(job, type: type, now: now)).seconds
    }

    /// Seconds `job` has held GPUs of `type` (of any type when nil) between its last `rebase` (its submission when
    /// it has none) and `now`.
    func secondsSinceRebase(_ job: JobID, type: Int?, now: SimTime) -> Double {
        var nanos = nanoseconds(job, type: type, now: now)
        if !base.isEmpty {
            let b = job.index * types
            if let type { nanos -= base[b + type] } else { for u in 0..<types { nanos -= base[b + u] } }
        }
        return SimTime(nanoseconds: nanos).seconds
    }

    /// Makes `job`'s time count from `now` for `secondsSinceRebase` (Gavel's simulator resets every job's received
    /// time when it recomputes the allocation).
    mutating func rebase(_ job: JobID, at now: SimTime) {
        if base.isEmpty { base = Array(repeating: 0, count: closed.count) }
        for t in 0..<types { base[job.index * types + t] = nanoseconds(job, type: t, now: now) }
    }

    /// Nanoseconds `job` has held GPUs of `type` (of any type when nil) up to `now`, its open stint included.
    private func nanoseconds(_ job: JobID, type: Int?, now: SimTime) -> Int64 {
        let base = job.index * types
        let s = stints[job.index]
        var nanos: Int64 = 0
        if let type {
            nanos = closed[base + type]
            if Int(s.type) == type { nanos += (now - s.from).nanoseconds }
        } else {
            for u in 0..<types { nanos += closed[base + u] }
            if s.type >= 0 { nanos += (now - s.from).nanoseconds }
        }
        return nanos
    }
}
