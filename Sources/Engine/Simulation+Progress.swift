import ClusterModel
import Scheduling
import SimKernel

/// Work done and speed: progress is brought up to date lazily, only when a job's rate is about to change.
extension Simulation {
    /// Sets a running job's speed from the speed model (its placement, and under the flow model the fabric's
    /// current rates).
    func setSpeed(_ i: Int) {
        let step = throughput.currentStep(of: jobs[i].spec, on: jobs[i].gpus)
        progress.entries[i].workRate = step.workRate
        currentStep[i] = step.seconds
        currentCommFraction[i] = step.communicationFraction
    }

    /// Brings a job's remaining work and iteration statistics up to now (before its rate changes).
    func settleProgress(_ i: Int) {
        if tracksCheckpoints { advanceCheckpoints(i, by: clock.now - progress.entries[i].since) }
        let dt = (clock.now - progress.entries[i].since).seconds
        progress.entries[i].remainingWork = max(0, progress.entries[i].remainingWork - progress.entries[i].workRate * dt)
        stepIntegral[i] += dt * currentStep[i]
        commIntegral[i] += dt * currentCommFraction[i]
        progress.entries[i].since = clock.now
    }

    /// Re-derives a running job's speed after the flows on its links changed, and moves its completion.
    func rerate(_ id: JobID) {
        let i = id.index
        guard jobs[i].state == .running && !awaitingSpeed[i] else { return }
        settleProgress(i)
        setSpeed(i)
        running.remove(at: runningPosition(of: id))  // keyed by the old expected end
        epoch[i] &+= 1  // the completion scheduled at the old speed is now stale
        let end = clock.now + SimTime.seconds(progress.entries[i].remainingWork / progress.entries[i].workRate)
        jobs[i].expectedEnd = end
        running.insert(id, at: runningPosition(of: id))
        events.push(.completion(id, epoch: epoch[i]), at: end, phase: EventPhase.completion.rawValue)
    }
}
