import ClusterModel
import SimKernel

/// What a policy must look at again to keep a list of running jobs current between rounds, instead of rescanning every
/// running job: the holders of the GPUs changed since it last refreshed (`ClusterSnapshot.changedGPUs`), and the jobs
/// that then held GPUs in a timed transition (they can start running without any GPU changing).
///
/// Why this is enough for a property of a running job that depends only on its own state and on the entries of its
/// GPUs (holders, sharing mode): those entries change only with a change the engine lists, and then the job is a holder
/// of a changed GPU (or held it: a job that loses or moves its GPUs is a holder of its new ones, or no longer runs).
/// A member whose GPUs did not change keeps its property while it runs; its state alone can only turn into a timed
/// transition (a preemption with a checkpoint), which `carryOver` notices and watches. Users check their lists
/// against full scans in debug builds (`GandivaPolicy`).
struct RunningJobChanges {
    /// Whether the jobs below cover every change since the last refresh (false: the user must scan every running job).
    private(set) var isTracking = false
    /// Holders of the GPUs changed since the last refresh (repeats allowed).
    private var touched: [Int32] = []
    /// Jobs that held GPUs in a timed transition at the last refresh.
    private var inTransition: [Int32] = []

    /// Notes the holders of the snapshot's changed GPUs; stops tracking without a change list or past `4 × GPUs` notes
    /// (a full scan is then cheaper than the list).
    mutating func note(_ s: ClusterSnapshot) {
        guard isTracking else { return }
        guard let changed = s.changedGPUs, touched.count + changed.count <= 4 * s.topology.gpuCount else {
            isTracking = false
            touched.removeAll()
            return
        }
        for g in changed {
            // A job's GPUs change together and are listed in a row: noting it once per run of them, not per GPU, keeps
            // the list (sorted at the refresh) short under jobs of many GPUs.
            s.cluster.forEachHolder(of: GPUID(Int(g))) { h in
                if touched.last != h.raw { touched.append(h.raw) }
            }
        }
    }

    /// Calls `body` with each job the next refresh will look at again (repeats allowed), without starting it.
    func forEachPending(_ body: (Int32) -> Void) {
        for j in touched { body(j) }
        for j in inTransition { body(j) }
    }

    /// Starts a refresh: the jobs to look at again, ascending and distinct (empty when not tracking), and forgets them.
    /// Finish it with `finishRefresh`, having passed every job read on the way to `observe`.
    mutating func beginRefresh() -> [Int32] {
        var recheck = touched
        recheck += inTransition
        recheck.sortAndRemoveDuplicates()
        touched.removeAll(keepingCapacity: true)
        inTransition.removeAll(keepingCapacity: true)
        return isTracking ? recheck : []
    }

    /// Whether job `j`, in `state`, is running; a job in a timed transition is watched until the next refresh.
    @inline(__always) mutating func observe(_ j: Int32, _ state: JobState) -> Bool {
        if state.isTransition { inTransition.append(j) }
        return state == .running
    }

    /// Calls `keep` for each of `members` (ascending by `job`) that is not in `recheck` and still runs: the members
    /// whose GPUs did not change.
    mutating func carryOver<Member>(
        _ members: [Member], job: (Member) -> Int32, recheck: [Int32], states: UnsafeBufferPointer<JobState>, keep: (Member) -> Void
    ) {
        var r = 0
        for m in members {
            let j = job(m)
            while r < recheck.count && recheck[r] < j { r += 1 }
            if r < recheck.count && recheck[r] == j { continue }
            if observe(j, states[Int(j)]) { keep(m) }
        }
    }

    /// Ends a refresh; after a full scan (`fullScan`), first watches every job holding GPUs in a timed transition.
    mutating func finishRefresh(_ s: ClusterSnapshot, fullScan: Bool) {
        if fullScan {
            inTransition.removeAll(keepingCapacity: true)
            s.jobs.withUnsafeBufferPointer { jobs in
                for g in 0..<s.topology.gpuCount where s.cluster.holderCount(of: GPUID(g)) > 0 {
                    s.cluster.forEachHolder(of: GPUID(g)) { h in
                        if jobs[h.index].state.isTransition { inTransition.append(h.raw) }
                    }
                }
            }
        }
        isTracking = true
    }
}
