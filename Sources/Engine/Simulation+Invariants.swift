import ClusterModel
import DequeModule
import Scheduling
import SimKernel

extension Simulation {
    /// Checks the run's invariants and returns the first violation, or nil.
    ///
    /// - the cluster's derived counts agree with GPU ownership, and its down GPUs with the outstanding failures;
    /// - no GPU over its memory or share limit: every job that holds GPUs (running or in a timed transition)
    ///   holds as many as its GPU range allows and the cluster lists it among each one's holders; the job–GPU
    ///   holdings add up to the busy GPUs plus the guests (so no job holds a GPU the cluster does not give it);
    ///   no GPU holds more jobs than `sharing.maxJobsPerGPU` (checked by the cluster), and the jobs packed on a
    ///   GPU fit its memory together;
    /// - GPU-time is conserved: busy plus guest GPU-seconds integrated over time equal the sum over jobs of
    ///   GPU-seconds held (closed intervals plus the open ones up to now);
    /// - every job is accounted for, in exactly one state: the queue holds exactly the waiting jobs in
    ///   submission order, `running` exactly the running ones by expected end, the transition count the jobs in
    ///   timed transitions, and the finished count the finished ones; running jobs have an expected end and
    ///   transitioning ones a transition end, and nobody else has either; the compact states and the per-shape
    ///   lists of waiting jobs the policy reads agree;
    /// - no stale event is pending: see `eventInvariantViolation`.
    /// - Complexity: O(GPUs + jobs); called after every event in checked builds only.
    public func invariantViolation() -> String? {
        if let problem = cluster.invariantViolation() { return problem }
        if !startsAwaitingSpeed.isEmpty { return "\(startsAwaitingSpeed) started without a speed after the event" }
        if let problem = failureInvariantViolation() { return problem }
        if let problem = eventInvariantViolation() { return problem }
        var held = 0
        var gpuSeconds = 0.0
        var counts = Array(repeating: 0, count: JobState.allCases.count)
        for job in jobs {
            if jobStates[job.id.index] != job.state {
                return "\(job.id) is \(job.state) but listed as \(jobStates[job.id.index])"
            }
            counts[Int(job.state.rawValue)] += 1
            gpuSeconds += job.gpuSeconds
            if (job.expectedEnd != nil) != (job.state == .running) {
                return "\(job.id) is \(job.state) with expected end \(job.expectedEnd.map { "\($0.seconds) s" } ?? "none")"
            }
            if (job.transitionEnd != nil) != job.state.isTransition {
                return "\(job.id) is \(job.state) with transition end \(job.transitionEnd.map { "\($0.seconds) s" } ?? "none")"
            }
            guard job.state.holdsGPUs else {
                if !job.gpus.isEmpty || job.heldSince != nil { return "\(job.id) is \(job.state) but lists GPUs \(job.gpus)" }
                continue
            }
            guard let since = job.heldSince else { return "\(job.id) is \(job.state) without an allocation start" }
            guard job.allocation.isExclusive else {
                return "\(job.id) holds \(job.allocation.shareMilli)/1000 of its GPUs; only whole GPUs are supported"
            }
            if !job.spec.allowedGPUCounts.contains(job.gpus.count) {
                return "\(job.id) runs on \(job.gpus.count) GPUs, outside its allowed \(job.spec.allowedGPUCounts)"
            }
            for g in job.gpus where !cluster.holds(job.id, g) {
                return "\(job.id) believes it holds \(g), which the cluster gives to \(cluster.holders(of: g))"
            }
            held += job.gpus.count
            gpuSeconds += Double(job.gpus.count) * (now - since).seconds
        }
        if held != cluster.busyGPUs + cluster.totalGuests {
            return "jobs hold \(held) GPUs but \(cluster.busyGPUs) are busy with \(cluster.totalGuests) guests"
        }
        let integral = busyGPUSeconds + guestGPUSeconds
        if abs(gpuSeconds - integral) > 1e-9 * max(1, integral) {
            return "GPU-time not conserved: cluster integral \(integral) GPU·s vs jobs' sum \(gpuSeconds) GPU·s"
        }
        if let problem = packedMemoryViolation() { return problem }
        func count(_ s: JobState) -> Int { counts[Int(s.rawValue)] }
        let waiting = count(.queued) + count(.preempted)
        if queue.count != waiting || !queue.allSatisfy({ jobs[$0.index].state.isWaiting }) {
            return "queue holds \(queue.count) entries but \(waiting) jobs are waiting"
        }
        for k in queue.indices.dropFirst() where !(queue[k - 1] < queue[k]) {
            return "queue is not in submission order at position \(k)"
        }
        var perShape = Array(repeating: Deque<JobID>(), count: queuedShapes.table.count)
        for id in queue { perShape[Int(queuedShapes.shapeOf[id.index])].append(id) }
        if perShape != queuedShapes.members {
            return "waiting jobs per shape listed as \(queuedShapes.members), but the queue holds \(perShape)"
        }
        for k in running.indices.dropFirst() where !ClusterSnapshot.endsBefore(running[k - 1], running[k], jobs) {
            return "running list is not sorted by expected end at position \(k)"
        }
        if running.count != count(.running) || !running.allSatisfy({ jobs[$0.index].state == .running }) {
            return "running list has \(running.count) entries but \(count(.running)) jobs run"
        }
        let transitioning = count(.restoring) + count(.checkpointing) + count(.resizing)
        if transitioningCount != transitioning {
            return "\(transitioningCount) jobs counted in transition but \(transitioning) are"
        }
        if finishedCount != count(.finished) { return "\(finishedCount) jobs counted finished but \(count(.finished)) are" }
        return nil
    }

    /// The first pending event that is stale or misfiled, or nil: every running job has exactly one pending completion,
    /// at its expected end, and every job in a timed transition exactly one transition end, at its transition end;
    /// nobody else has either; noise-scale steps are pending only for running goodput jobs, at most one each, and at
    /// most one policy timer; each of these is filed under its `EventKey`, and the queue's key positions agree with
    /// its heap.
    /// - Complexity: O(pending events + keys).
    func eventInvariantViolation() -> String? {
        if let problem = events.invariantViolation() { return "event queue: \(problem)" }
        var completions = 0, transitionEnds = 0
        for e in events.unordered {
            switch e.payload {
            case .completion(let id):
                completions += 1
                let job = jobs[id.index]
                if e.queueKey != EventKey.completion(id.index) { return "\(id)'s completion is not filed under its key" }
                if job.state != .running { return "\(id) is \(job.state) with a completion pending at \(e.time.seconds) s" }
                if job.expectedEnd != e.time {
                    return "\(id)'s completion is pending at \(e.time.seconds) s but it is expected to end at \(job.expectedEnd.map { "\($0.seconds) s" } ?? "none")"
                }
            case .transitionEnd(let id):
                transitionEnds += 1
                let job = jobs[id.index]
                if e.queueKey != EventKey.transitionEnd(id.index) { return "\(id)'s transition end is not filed under its key" }
                if !job.state.isTransition { return "\(id) is \(job.state) with a transition end pending at \(e.time.seconds) s" }
                if job.transitionEnd != e.time {
                    return "\(id)'s transition end is pending at \(e.time.seconds) s but recorded at \(job.transitionEnd.map { "\($0.seconds) s" } ?? "none")"
                }
            case .noiseScaleStep(let id):
                if e.queueKey != EventKey.noiseScaleStep(id.index) { return "\(id)'s noise-scale step is not filed under its key" }
                if jobs[id.index].state != .running || !countsGoodput[id.index] {
                    return "\(id) is \(jobs[id.index].state) with a noise-scale step pending at \(e.time.seconds) s"
                }
            case .policyTimer:
                if e.queueKey != EventKey.policyTimer(jobs: jobs.count) { return "the policy timer is not filed under its key" }
            case .arrival, .schedulingRound, .failure, .repair:
                if let key = e.queueKey { return "\(e.payload) is filed under key \(key)" }
            }
        }
        // One per key, so equal counts mean one each.
        if completions != running.count { return "\(completions) completions pending for \(running.count) running jobs" }
        if transitionEnds != transitioningCount { return "\(transitionEnds) transition ends pending for \(transitioningCount) jobs in transition" }
        return nil
    }
}
