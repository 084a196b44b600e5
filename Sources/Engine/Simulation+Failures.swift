import ClusterModel
import Scheduling
import SimKernel
import SimRandom

/// Node and GPU failures (`FailureModel`): failure and repair events, killing the jobs on failed GPUs, and the
/// periodic checkpoints that bound what a killed job loses. Nothing here runs without a failure model.
extension Simulation {
    // MARK: - Processes

    /// Draws every node's, then every GPU's, first failure time, in index order, and sizes the per-job tracking.
    func startFailureProcesses(_ jobCount: Int) {
        guard let model = failureModel else { return }
        let streams = RandomStreams(master: model.seed)
        nodeDown = Array(repeating: false, count: topology.nodeCount)
        gpuDown = Array(repeating: false, count: topology.gpuCount)
        progressNanos = Array(repeating: 0, count: jobCount)
        progressGPUSeconds = Array(repeating: 0, count: jobCount)
        checkpointNanos = Array(repeating: 0, count: jobCount)
        checkpointGPUSeconds = Array(repeating: 0, count: jobCount)
        checkpointRemaining = progress.entries.map(\.remainingWork)
        if model.node != nil {
            nodeFailureStream = streams.stream(FailureModel.nodeStream)
            for n in 0..<topology.nodeCount { scheduleFailure(of: .node(NodeID(n))) }
        }
        if model.gpu != nil {
            gpuFailureStream = streams.stream(FailureModel.gpuStream)
            for g in 0..<topology.gpuCount { scheduleFailure(of: .gpu(GPUID(g))) }
        }
    }

    /// Whether the only events left are failures and repairs while nothing is held or down: then nothing more can
    /// happen to any job (every GPU is up and the policy already had its round), so the run ends.
    var onlyFailuresLeft: Bool {
        pendingFailureEvents > 0 && pendingFailureEvents == events.count && cluster.busyGPUs == 0 && cluster.downGPUs == 0
    }

    /// The stream and process of a target's kind.
    private func process(of target: FailureTarget) -> (RandomStream, FailureProcess) {
        switch target {
        case .node: return (nodeFailureStream!, failureModel!.node!)
        case .gpu: return (gpuFailureStream!, failureModel!.gpu!)
        }
    }

    /// Schedules the target's next failure after a drawn time between failures (at least 1 ns, so that a process
    /// always moves forward; none when the draw is beyond the clock's range).
    private func scheduleFailure(of target: FailureTarget) {
        let (stream, p) = process(of: target)
        push(.failure(target), afterHours: stream.draw(p.timeBetweenFailuresHours), atLeast: SimTime(nanoseconds: 1))
    }

    /// Schedules the target's repair after a drawn repair time.
    private func scheduleRepair(of target: FailureTarget) {
        let (stream, p) = process(of: target)
        push(.repair(target), afterHours: stream.draw(p.repairHours), atLeast: .zero)
    }

    private func push(_ event: SimEvent, afterHours hours: Double, atLeast minimum: SimTime) {
        let seconds = max(0, hours.isNaN ? 0 : hours) * 3600
        // Beyond ~290 years of simulated time: never.
        guard seconds < SimTime.never.seconds - clock.now.seconds - 1 else { return }
        let delay = max(SimTime.seconds(seconds), minimum)
        events.push(event, at: clock.now + delay, phase: EventPhase.completion.rawValue)
        pendingFailureEvents += 1
    }

    // MARK: - Failures and repairs

    /// A node or GPU fails: the jobs holding any of its GPUs are killed (in GPU order), its GPUs go down and its
    /// repair is scheduled. A GPU that is already down (its node failed) is left alone: only its next failure is
    /// drawn. Returns whether anything went down.
    func fail(_ target: FailureTarget) -> Bool {
        let gpus: [GPUID]
        switch target {
        case .node(let n):
            precondition(!nodeDown[n.index], "node \(n.index) failed while down")
            nodeDown[n.index] = true
            gpus = topology.gpus(of: n).map(GPUID.init)
        case .gpu(let g):
            precondition(!gpuDown[g.index], "\(g) failed while down")
            if cluster.isDown(g) {
                scheduleFailure(of: target)
                return false
            }
            gpuDown[g.index] = true
            gpus = [g]
        }
        failureEvents += 1
        var victims: [JobID] = []
        for g in gpus {
            for j in cluster.holders(of: g) where !victims.contains(j) { victims.append(j) }
        }
        for j in victims { kill(j) }
        do { try cluster.markDown(gpus) } catch { preconditionFailure("failure of \(target): \(error)") }
        scheduleRepair(of: target)
        return true
    }

    /// A failed node or GPU is repaired: its GPUs come back up unless another failure still holds them down, and
    /// its next failure is drawn.
    func repair(_ target: FailureTarget) {
        let gpus: [GPUID]
        switch target {
        case .node(let n):
            nodeDown[n.index] = false
            gpus = topology.gpus(of: n).map(GPUID.init)
        case .gpu(let g):
            gpuDown[g.index] = false
            gpus = [g]
        }
        do {
            if try cluster.markRepaired(gpus) > 0 { releasedSinceRound = true }
        } catch {
            preconditionFailure("repair of \(target): \(error)")
        }
        scheduleFailure(of: target)
    }

    /// Kills a job that holds GPUs (running or in a timed transition): it loses its progress since its last
    /// periodic checkpoint, gives back every GPU and waits in the queue at its submission position.
    func kill(_ id: JobID) {
        let i = id.index
        let state = jobs[i].state
        if state == .running {
            stopProgress(id)
        } else {
            precondition(state.isTransition, "\(id) killed while \(state)")
            // The transition is cut short: its time so far is overhead.
            let dt = (clock.now - transitionSince[i]).seconds
            jobs[i].overheadSeconds += dt
            jobs[i].overheadGPUSeconds += dt * Double(jobs[i].allocation.count)
            if state == .resizing { jobs[i].reallocationGPUSeconds += dt * Double(jobs[i].allocation.count) }
            jobs[i].transitionEnd = nil
            transitioningCount -= 1
            events.cancel(key: EventKey.transitionEnd(i))
        }
        jobs[i].failures += 1
        jobs[i].lostSeconds += Double(progressNanos[i] - checkpointNanos[i]) / 1e9
        jobs[i].lostGPUSeconds += progressGPUSeconds[i] - checkpointGPUSeconds[i]
        progress.entries[i].remainingWork = checkpointRemaining[i]
        releaseAll(id)
        transition(id, to: .preempted)
        requeue(id)
    }

    // MARK: - Periodic checkpoints

    /// A start from the queue begins at a saved state: the checkpoint clock restarts.
    func resetCheckpoints(_ i: Int) {
        guard tracksCheckpoints else { return }
        progressNanos[i] = 0
        progressGPUSeconds[i] = 0
        checkpointNanos[i] = 0
        checkpointGPUSeconds[i] = 0
        checkpointRemaining[i] = progress.entries[i].remainingWork
    }

    /// Advances job i's running time by `dt` at its current rate and GPU count (called by `settleProgress` before
    /// it changes the remaining work), recording the last periodic checkpoint passed on the way.
    func advanceCheckpoints(_ i: Int, by dt: SimTime) {
        let r0 = progressNanos[i]
        let r1 = r0 + dt.nanoseconds
        let gpus = Double(jobs[i].allocation.count)
        if checkpointIntervalNanos > 0 {
            let last = r1 / checkpointIntervalNanos * checkpointIntervalNanos
            if last > checkpointNanos[i] && last > r0 {
                let upTo = Double(last - r0) / 1e9
                checkpointNanos[i] = last
                checkpointRemaining[i] = max(0, progress.entries[i].remainingWork - progress.entries[i].workRate * upTo)
                checkpointGPUSeconds[i] = progressGPUSeconds[i] + gpus * upTo
            }
        }
        progressNanos[i] = r1
        progressGPUSeconds[i] += gpus * dt.seconds
    }

    // MARK: - Invariants

    /// The failure state agrees with the cluster: each GPU is down for exactly its own outstanding failure and its
    /// node's. Nil without failures.
    func failureInvariantViolation() -> String? {
        guard failureModel != nil else { return nil }
        for g in 0..<topology.gpuCount {
            let expected = Int32((nodeDown[topology.gpuNode[g].index] ? 1 : 0) + (gpuDown[g] ? 1 : 0))
            if cluster.downCount[g] != expected {
                return "gpu\(g) has \(cluster.downCount[g]) outstanding failures but its node and itself account for \(expected)"
            }
        }
        return nil
    }
}
