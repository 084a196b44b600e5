import ClusterModel
import Scheduling
import SimKernel

/// Work done and speed: progress is brought up to date lazily, only when a job's rate is about to change.
extension Simulation {
    /// Sets a running job's speed from the speed model (its placement, and under the flow model the fabric's
    /// current rates).
    func setSpeed(_ i: Int) {
        let step = throughput.currentStep(of: jobs[i].spec, on: jobs[i].gpus)
        let factor = sharingFactor(i)
        progress.entries[i].workRate = step.workRate * factor
        currentStep[i] = step.seconds / factor
        currentCommFraction[i] = step.communicationFraction
    }

    /// The speed factor GPU sharing imposes on job i: on each GPU it shares, the time-sliced share or the product of
    /// its packed co-runners' factors (`GPUSharingModel`); a data-parallel job runs at its slowest GPU's pace.
    func sharingFactor(_ i: Int) -> Double {
        guard cluster.totalGuests > 0 else { return 1 }  // no GPU is shared: the common case, O(1)
        var factor = 1.0
        let me = jobs[i].spec.model
        for g in jobs[i].gpus {
            guard let mode = cluster.sharing(of: g) else { continue }
            let holders = cluster.holders(of: g)
            var f = 1.0
            switch mode {
            case .timeSliced:
                f = sharing.timeSlicedFactor(jobs: holders.count)
            case .packed:
                for h in holders where h.index != i { f *= sharing.packedFactor(me, with: jobs[h.index].spec.model) }
            }
            factor = min(factor, f)
        }
        return factor
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
