import ClusterModel
import Scheduling
import SimKernel

/// Job lifecycle: every state change goes through here, and so does every change of who holds which GPU.
extension Simulation {
    func transition(_ id: JobID, to next: JobState) {
        let current = jobs[id.index].state
        precondition(current.canMove(to: next), "illegal job transition \(current) → \(next) for \(id)")
        jobs[id.index].state = next
        jobStates[id.index] = next
    }

    /// Gives a waiting job its GPUs (joining their holders in `sharing` mode, if given); it runs at once, or after
    /// restoring for `restoreSeconds`.
    func start(_ id: JobID, on gpus: [GPUID], restoreSeconds: Double, sharing: SharingMode? = nil) {
        let i = id.index
        // Validated with the whole round (Simulation+Decisions).
        if let sharing {
            cluster.joinValidated(gpus, for: id, mode: sharing)
            rerateCoTenants(on: gpus, except: id)
        } else {
            cluster.claimValidated(gpus, for: id)
        }
        if jobs[i].firstStart == nil {
            jobs[i].firstStart = clock.now
            firstGPUType[i] = topology.gpuTypes[Int(topology.gpuTypeIndex[gpus[0].index])].name
        } else {
            jobs[i].restarts += 1
        }
        jobs[i].allocation = Allocation(gpus: gpus)
        jobs[i].heldSince = clock.now
        resetCheckpoints(i)
        queue.remove(at: queuePosition(of: id))
        queuedShapes.dequeue(id)
        if restoreSeconds > 0 {
            beginTransition(id, to: .restoring, seconds: restoreSeconds)
        } else {
            beginRunning(id)
        }
    }

    /// Makes a job that holds its GPUs run: registers it with the speed model, sets its speed and schedules
    /// its completion; re-rates the jobs whose speed its communication changed. With a speed model that defers
    /// updates, the speed and completion wait for the flush at the end of the event (`flushThroughput`).
    func beginRunning(_ id: JobID) {
        let i = id.index
        transition(id, to: .running)
        let others: [JobID]
        if let slicing = sliceMates(of: id) {
            others = throughput.attach(jobs[i].spec, on: jobs[i].gpus, timeSlicingWith: slicing)
        } else {
            others = throughput.attach(jobs[i].spec, on: jobs[i].gpus)
        }
        if deferredUpdates {
            progress.entries[i].since = clock.now
            awaitingSpeed[i] = true
            startsAwaitingSpeed.append(id)
            return
        }
        scheduleRunning(id)
        for other in others { rerate(other) }
    }

    /// The other holders of the job's GPUs, ascending, when it time-slices them (checked on its first GPU: a GPU is
    /// shared in one mode); nil when it holds them alone or packed.
    private func sliceMates(of id: JobID) -> [JobID]? {
        guard cluster.totalGuests > 0, let first = jobs[id.index].gpus.first, cluster.holderCount(of: first) > 1,
              cluster.sharing(of: first) == .timeSliced else { return nil }
        return cluster.holders(of: first).filter { $0 != id }.sorted()
    }

    /// Sets a running job's speed and schedules its completion (the second half of `beginRunning`).
    func scheduleRunning(_ id: JobID) {
        let i = id.index
        awaitingSpeed[i] = false
        setSpeed(i)
        progress.entries[i].since = clock.now
        let end = later(by: progress.entries[i].remainingWork / progress.entries[i].workRate, job: id)
        jobs[i].expectedEnd = end
        running.insert(id, at: runningPosition(of: id))
        events.schedule(.completion(id), at: end, phase: EventPhase.completion.rawValue, key: EventKey.completion(i))
    }

    /// Gives every job started during this event its speed and re-rates every job whose flows changed, after one
    /// re-solve of the fabric for all of the event's starts and stops; in ascending JobID order.
    func flushThroughput() {
        guard deferredUpdates else { return }
        let changed = throughput.flush()
        defer { rerateSharingChanges(after: changed) }
        guard !changed.isEmpty || !startsAwaitingSpeed.isEmpty else { return }
        startsAwaitingSpeed.sort()
        var a = 0, c = 0
        while a < startsAwaitingSpeed.count || c < changed.count {
            let id: JobID
            if c == changed.count || (a < startsAwaitingSpeed.count && startsAwaitingSpeed[a] <= changed[c]) {
                id = startsAwaitingSpeed[a]
                a += 1
                if c < changed.count && changed[c] == id { c += 1 }
            } else {
                id = changed[c]
                c += 1
            }
            // A job started and stopped within the event is neither waiting for a speed nor running.
            if awaitingSpeed[id.index] { scheduleRunning(id) } else { rerate(id) }
        }
        startsAwaitingSpeed.removeAll(keepingCapacity: true)
    }

    /// Stops a running job's progress: brings its work up to date, takes it off the running list and out of the
    /// speed model (re-rating the jobs that shared links with it), and cancels its completion and noise-scale step.
    func stopProgress(_ id: JobID) {
        let i = id.index
        if awaitingSpeed[i] {
            // Started during this event and stopped before it ended: no progress, not on the running list, and
            // nothing scheduled yet (its speed, completion and noise-scale step wait for the flush).
            awaitingSpeed[i] = false
            startsAwaitingSpeed.removeAll { $0 == id }
            _ = throughput.detach(id)
            return
        }
        settleProgress(i)
        running.remove(at: runningPosition(of: id))  // before expectedEnd, its sort key, is cleared
        jobs[i].expectedEnd = nil
        events.cancel(key: EventKey.completion(i))  // nil when it is the completion being processed
        if countsGoodput[i] { events.cancel(key: EventKey.noiseScaleStep(i)) }
        progress.entries[i].workRate = 0
        currentStep[i] = 0
        currentCommFraction[i] = 0
        for other in throughput.detach(id) { rerate(other) }
    }

    /// Enters a timed transition: the job holds its GPUs and makes no progress until it ends.
    private func beginTransition(_ id: JobID, to state: JobState, seconds: Double) {
        let i = id.index
        transition(id, to: state)
        let end = later(by: seconds, job: id)
        jobs[i].transitionEnd = end
        transitionSince[i] = clock.now
        transitioningCount += 1
        events.schedule(.transitionEnd(id), at: end, phase: EventPhase.completion.rawValue, key: EventKey.transitionEnd(i))
    }

    /// Ends a job's timed transition: a restore or resize starts it running, a checkpoint completes its preemption.
    func endTransition(_ id: JobID) {
        let i = id.index
        let dt = (clock.now - transitionSince[i]).seconds
        jobs[i].overheadSeconds += dt
        jobs[i].overheadGPUSeconds += dt * Double(jobs[i].allocation.count)
        if jobs[i].state == .resizing { jobs[i].reallocationGPUSeconds += dt * Double(jobs[i].allocation.count) }
        jobs[i].transitionEnd = nil
        transitioningCount -= 1
        switch jobs[i].state {
        case .restoring, .resizing:
            beginRunning(id)
        case .checkpointing:
            releaseAll(id)
            transition(id, to: .preempted)
            requeue(id)
        default:
            preconditionFailure("\(id) ended a transition while \(jobs[i].state)")
        }
    }

    /// Closes the job's current allocation interval at now: records where it was and adds its time and GPU-time.
    private func closeInterval(_ id: JobID) {
        let i = id.index
        let since = jobs[i].heldSince!
        let dt = (clock.now - since).seconds
        recorder.allocation(id, gpus: jobs[i].gpus, from: since, to: clock.now, in: topology)
        jobs[i].runSeconds += dt
        jobs[i].gpuSeconds += dt * Double(jobs[i].allocation.count)
    }

    /// Gives every GPU of the job back and closes its allocation interval.
    func releaseAll(_ id: JobID) {
        let i = id.index
        let wasShared = cluster.totalGuests > 0 && jobs[i].gpus.contains { cluster.holderCount(of: $0) > 1 }
        // The job's own list, claimed when it started: held once each (checked after every event in debug builds).
        cluster.releaseValidated(jobs[i].gpus, from: id)
        if wasShared { rerateCoTenants(on: jobs[i].gpus, except: id) }
        releasedSinceRound = true
        closeInterval(id)
        jobs[i].allocation = .none
        jobs[i].heldSince = nil
    }

    func finish(_ id: JobID) {
        stopProgress(id)
        releaseAll(id)
        progress.entries[id.index].remainingWork = 0
        transition(id, to: .finished)
        jobs[id.index].finish = clock.now
        finishedCount += 1
    }

    /// Preempts a running job: at once, or after a checkpoint of `checkpointSeconds` during which it keeps its GPUs.
    func preempt(_ id: JobID, checkpointSeconds: Double) {
        stopProgress(id)
        jobs[id.index].preemptions += 1
        if checkpointSeconds > 0 {
            beginTransition(id, to: .checkpointing, seconds: checkpointSeconds)
        } else {
            releaseAll(id)
            transition(id, to: .preempted)
            requeue(id)
        }
    }

    /// Moves a running job to `gpus` (a resize or a migration): GPUs in both sets stay held throughout, the
    /// others are released or claimed now; it runs on the new set at once or after `seconds` of transition.
    func reallocate(_ id: JobID, to gpus: [GPUID], kind: TransitionKind, seconds: Double) {
        let i = id.index
        stopProgress(id)
        closeInterval(id)
        let old = jobs[i].gpus
        let leaving = old.filter { !gpus.contains($0) }
        let joining = gpus.filter { !old.contains($0) }
        let leftShared = cluster.totalGuests > 0 && leaving.contains { cluster.holderCount(of: $0) > 1 }
        do {
            if !leaving.isEmpty { try cluster.release(leaving, from: id) }
            if !joining.isEmpty { try cluster.allocate(joining, to: id) }
        } catch {
            preconditionFailure("validated \(kind) of \(id) failed: \(error)")
        }
        if leftShared { rerateCoTenants(on: leaving, except: id) }
        if !leaving.isEmpty { releasedSinceRound = true }
        jobs[i].allocation = Allocation(gpus: gpus)
        jobs[i].heldSince = clock.now
        if kind == .migrate { jobs[i].migrations += 1 } else { jobs[i].resizes += 1 }
        if seconds > 0 {
            beginTransition(id, to: .resizing, seconds: seconds)
        } else {
            beginRunning(id)
        }
    }

    // MARK: - Ordered lists

    /// Puts a job that held GPUs back in the queue, at its submission position.
    func requeue(_ id: JobID) {
        queue.insert(id, at: queuePosition(of: id))
        queuedShapes.enqueue(id)
    }

    /// Where `id` is, or belongs, in the queue (sorted by JobID). O(log Q).
    func queuePosition(of id: JobID) -> Int {
        queue.lowerBound(of: id)
    }

    /// Where `id` is, or belongs, in `running` (sorted by expected end, then JobID). O(log R).
    func runningPosition(of id: JobID) -> Int {
        // NOTE: both arrays are read through buffer pointers taken once: passing `jobs` to `endsBefore` at every
        // step retained and released it per comparison, a tenth of FIFO's profile in `schedlab bench`.
        jobs.withUnsafeBufferPointer { jobs in
            running.withUnsafeBufferPointer { running in
                let end = jobs[id.index].expectedEnd ?? .never
                var lo = 0
                var hi = running.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    // `ClusterSnapshot.endsBefore(running[mid], id, jobs)`: by expected end, ties by JobID.
                    let e = jobs[running[mid].index].expectedEnd ?? .never
                    if e != end ? e < end : running[mid] < id { lo = mid + 1 } else { hi = mid }
                }
                return lo
            }
        }
    }
}
