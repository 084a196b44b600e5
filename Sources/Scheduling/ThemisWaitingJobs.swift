import ClusterModel
import SimKernel
import Workload

/// Themis' waiting jobs kept across rounds, with what finish-time fairness reads of each, in one compact array.
///
/// A round ranks every waiting job by ρ (Mahajan et al., NSDI 2020); ρ changes with the clock for every one of them,
/// so the ranking itself cannot be kept, but what ρ reads of a waiting job (submission time, isolated run time,
/// requested GPUs and types, remaining time) is fixed while it waits. Reading those from each job's status through
/// the queue at every round (scattered over the whole job table) was most of Themis' own time on the whole ITP
/// trace; here a round reads one contiguous array.
///
/// The set follows the queue by what changed since the last round, as `TiresiasLevels` does:
/// - arrivals are the queued jobs with JobIDs above every one listed so far, at the queue's tail (the queue is in
///   JobID order);
/// - this policy's preemptions of the last round join if they are waiting now (a free checkpoint);
/// - jobs leave only when this policy starts them (`started`, applied at the next sync: the round that started them
///   still reads the array, and changing it then would copy it);
/// - when the queue then holds more jobs than the set (a checkpoint ended, a failure re-queued a job) or fewer, the
///   set is brought level by a full pass over the queue.
/// Debug builds check the set and every kept value against the queue and the jobs' statuses after every sync.
struct ThemisWaitingJobs {
    /// One waiting job, as ρ and the placement checks read it.
    struct Job {
        var id: JobID
        var gpuCount: Int32
        var types: GPUTypeMask
        var submit: SimTime
        var isolated: Double
        var gpus: Double
        var remaining: Double
        /// The same values in the forms a round's cheap bounds on ρ read (see `ThemisPolicy`): submission in
        /// seconds, 1 / isolated time, 1 / GPUs; `boundable` is false when ρ is not a plain quotient of finite
        /// positive values (it is then always computed exactly).
        var submitSeconds: Double
        var inverseIsolated: Double
        var inverseGPUs: Double
        var boundable: Bool

        init(id: JobID, gpuCount: Int32, types: GPUTypeMask, submit: SimTime, isolated: Double, gpus: Double, remaining: Double) {
            self.id = id
            self.gpuCount = gpuCount
            self.types = types
            self.submit = submit
            self.isolated = isolated
            self.gpus = gpus
            self.remaining = remaining
            submitSeconds = submit.seconds
            inverseIsolated = 1 / isolated
            inverseGPUs = 1 / gpus
            boundable = isolated > 0 && isolated.isFinite && remaining >= 0 && remaining.isFinite && gpus >= 0 && gpus.isFinite
        }
    }

    /// The waiting jobs, in no particular order (a round's ranking does not depend on it: its keys are unique).
    private(set) var jobs: [Job] = []
    /// Each job's position in `jobs`, −1 when not listed, by JobID index.
    private var slot: [Int32] = []
    /// The highest JobID index ever listed: queued jobs above it are arrivals.
    private var newestListed = -1
    /// Jobs this policy preempted since the last sync: waiting now unless their checkpoint takes time.
    private var preemptedLast: [JobID] = []
    /// Jobs this policy started since the last sync.
    private var startedLast: [JobID] = []
    /// Marks of the full pass, by JobID index.
    private var queuedIn: [UInt32] = []
    private var pass: UInt32 = 0

    /// Brings the set level with `s.queue`; with `rebuild`, from scratch (every value read again), the reference the
    /// kept set is tested against.
    mutating func sync(_ s: ClusterSnapshot, rebuild: Bool) {
        if slot.count < s.jobs.count {
            let extra = s.jobs.count - slot.count
            slot += repeatElement(-1, count: extra)
            queuedIn += repeatElement(0, count: extra)
        }
        for id in startedLast { remove(id) }
        startedLast.removeAll(keepingCapacity: true)
        if rebuild {
            for job in jobs { slot[job.id.index] = -1 }
            jobs.removeAll(keepingCapacity: true)
            preemptedLast.removeAll(keepingCapacity: true)
            for id in s.queue { add(id, s) }
        } else {
            for id in preemptedLast where s.jobs[id.index].state.isWaiting && slot[id.index] < 0 { add(id, s) }
            preemptedLast.removeAll(keepingCapacity: true)
            var first = s.queue.count
            while first > 0 && s.queue[first - 1].index > newestListed { first -= 1 }
            for k in first..<s.queue.count where slot[s.queue[k].index] < 0 { add(s.queue[k], s) }
            if jobs.count != s.queue.count { resync(s) }
        }
        #if SIM_INTERNAL_CHECKS
        assert(jobs.count == s.queue.count, "Themis' waiting set has \(jobs.count) jobs, the queue \(s.queue.count)")
        for id in s.queue {
            let k = Int(slot[id.index])
            assert(k >= 0 && jobs[k].id == id, "Themis' waiting set lost \(id)")
            let fresh = Self.read(id, s)
            let kept = jobs[k]
            assert(kept.gpuCount == fresh.gpuCount && kept.types == fresh.types && kept.submit == fresh.submit
                   && kept.isolated.bitPattern == fresh.isolated.bitPattern && kept.gpus.bitPattern == fresh.gpus.bitPattern
                   && kept.remaining.bitPattern == fresh.remaining.bitPattern, "stale waiting values of \(id)")
        }
        #endif
    }

    /// Notes that this policy started `id`: it leaves at the next sync.
    mutating func started(_ id: JobID) { startedLast.append(id) }

    /// Takes `id` out of the set.
    private mutating func remove(_ id: JobID) {
        let k = Int(slot[id.index])
        precondition(k >= 0, "\(id) is not in Themis' waiting set")
        let last = jobs.removeLast()
        if k < jobs.count {
            jobs[k] = last
            slot[last.id.index] = Int32(k)
        }
        slot[id.index] = -1
    }

    /// Notes that this policy preempted `id`: it joins at the next sync if it is waiting by then.
    mutating func preempted(_ id: JobID) { preemptedLast.append(id) }

    /// What ρ reads of waiting job `id`, from its status.
    private static func read(_ id: JobID, _ s: ClusterSnapshot) -> Job {
        let i = id.index
        return Job(
            id: id, gpuCount: Int32(s.jobs[i].spec.gpuCount), types: s.jobs[i].eligibleTypes,
            submit: s.jobs[i].spec.submitTime, isolated: s.jobs[i].estimatedDuration.seconds,
            gpus: Double(s.jobs[i].spec.gpuCount), remaining: s.estimatedRemainingTime(of: id))
    }

    private mutating func add(_ id: JobID, _ s: ClusterSnapshot) {
        slot[id.index] = Int32(jobs.count)
        jobs.append(Self.read(id, s))
        newestListed = max(newestListed, id.index)
    }

    /// Lists every queued job not listed yet and drops listed jobs no longer queued (none, unless a job left the
    /// queue without this policy starting it).
    private mutating func resync(_ s: ClusterSnapshot) {
        pass &+= 1
        if pass == 0 {  // wrapped: clear the marks so an old pass cannot look current
            for i in queuedIn.indices { queuedIn[i] = 0 }
            pass = 1
        }
        for id in s.queue { queuedIn[id.index] = pass }
        var k = 0
        while k < jobs.count {
            if queuedIn[jobs[k].id.index] != pass { remove(jobs[k].id) } else { k += 1 }
        }
        for id in s.queue where slot[id.index] < 0 { add(id, s) }
    }
}
