import ClusterModel
import Models
import Performance
import Scheduling
import SimKernel

/// Work done and speed: progress is brought up to date lazily, only when a job's rate is about to change.
extension Simulation {
    /// Sets a running job's speed from the speed model (its placement, and under the flow model the fabric's
    /// current rates).
    func setSpeed(_ i: Int) {
        let step = throughput.currentStep(of: jobs[i].spec, on: jobs[i].gpus)
        unsharedRate[i] = step.workRate
        unsharedStep[i] = step.seconds
        currentCommFraction[i] = step.communicationFraction
        if countsGoodput[i] {
            // The model priced goodput at the start of training; the noise scale depends on how far the job is.
            let total = WorkRate.units(of: jobs[i].spec)
            let done = total > 0 ? 1 - progress.entries[i].remainingWork / total : 0
            let spec = jobs[i].spec
            let profile = ModelZoo.efficiencyProfiles[spec.model!]!
            let g = StatisticalEfficiency.goodput(
                of: spec, profile: profile, gpuCount: jobs[i].gpus.count, compute: step.compute, seconds: step.seconds, progress: done)
            unsharedRate[i] = g.rate
            currentEfficiency[i] = StatisticalEfficiency.efficiency(
                batch: g.batch, baseBatch: Double(profile.baseBatch), noiseScale: profile.noiseScale(atProgress: done, batch: g.batch))
            applySharingFactor(i)
            scheduleNoiseScaleStep(i, done: done, total: total)
            return
        }
        applySharingFactor(i)
    }

    /// Schedules the re-pricing of goodput job i where its progress enters the next share of the noise-scale profile
    /// (at its current rate; any later speed change moves or cancels it).
    private func scheduleNoiseScaleStep(_ i: Int, done: Double, total: Double) {
        let key = EventKey.noiseScaleStep(i)
        let rate = progress.entries[i].workRate
        guard let m = jobs[i].spec.model, let profile = ModelZoo.efficiencyProfiles[m], rate > 0 else {
            events.cancel(key: key)
            return
        }
        let shares = Double(profile.shares)
        let next = ((done * shares).rounded(.down) + 1) / shares
        // Remaining work at the boundary, and a nanosecond past it so that the new share is the one priced.
        let left = progress.entries[i].remainingWork - total * (1 - next)
        guard next < 1, left > 0 else {
            events.cancel(key: key)
            return
        }
        let at = clock.now + SimTime.seconds(left / rate) + SimTime(nanoseconds: 1)
        events.schedule(.noiseScaleStep(JobID(i)), at: at, phase: EventPhase.completion.rawValue, key: key)
    }

    /// Sets job i's rate and step from its speed alone on its GPUs (as last asked of the speed model) and the
    /// sharing factor its co-tenants impose now.
    func applySharingFactor(_ i: Int) {
        let factor = sharingFactor(i)
        progress.entries[i].workRate = unsharedRate[i] * factor
        currentStep[i] = unsharedStep[i] / factor
    }

    /// Brings a job's remaining work and iteration statistics up to now (before its rate changes).
    func settleProgress(_ i: Int) {
        if tracksCheckpoints { advanceCheckpoints(i, by: clock.now - progress.entries[i].since) }
        let dt = (clock.now - progress.entries[i].since).seconds
        if progress.entries[i].workRate > 0 {
            let gpuSeconds = dt * Double(jobs[i].gpus.count)
            trainingGPUSeconds += gpuSeconds
            goodputGPUSeconds += gpuSeconds * currentEfficiency[i]
        }
        progress.entries[i].remainingWork = max(0, progress.entries[i].remainingWork - progress.entries[i].workRate * dt)
        stepIntegral[i] += dt * currentStep[i]
        commIntegral[i] += dt * currentCommFraction[i]
        progress.entries[i].since = clock.now
    }

    /// Re-derives a running job's speed after the flows on its links changed (or, with `sharingOnly`, after only its
    /// GPUs' co-tenants changed, so its speed alone stands), and moves its completion.
    func rerate(_ id: JobID, sharingOnly: Bool = false) {
        let i = id.index
        guard jobs[i].state == .running && !awaitingSpeed[i] else { return }
        let oldRate = progress.entries[i].workRate
        settleProgress(i)
        if sharingOnly { applySharingFactor(i) } else { setSpeed(i) }
        // The same rate keeps the same end: the completion already scheduled stands (no stale event, no heap growth).
        if progress.entries[i].workRate == oldRate { return }
        let from = runningPosition(of: id)  // keyed by the old expected end
        let end = later(by: progress.entries[i].remainingWork / progress.entries[i].workRate, job: id)
        jobs[i].expectedEnd = end
        moveRunning(id, from: from)
        // Moves the completion scheduled at the old speed (a new sequence number, as a fresh push would take).
        events.schedule(.completion(id), at: end, phase: EventPhase.completion.rawValue, key: EventKey.completion(i))
    }

    /// Moves `id`, at position `from` of `running`, to where its new expected end puts it: the same list as a removal
    /// and an insertion, but one shift of the jobs in between instead of two of the whole tail (a job re-rated under
    /// contention usually moves only a little; the two memmoves and two searches showed in Gandiva's profile).
    private func moveRunning(_ id: JobID, from: Int) {
        assert(running[from] == id, "\(id) is not at position \(from) of the running list")
        jobs.withUnsafeBufferPointer { jobs in
            running.withUnsafeMutableBufferPointer { running in
                let end = jobs[id.index].expectedEnd ?? .never
                /// Whether the job at position j goes before `id` (by expected end, ties by JobID).
                @inline(__always) func before(_ j: Int) -> Bool {
                    let e = jobs[running[j].index].expectedEnd ?? .never
                    return e != end ? e < end : running[j] < id
                }
                if from > 0 && !before(from - 1) {
                    // Earlier: the first position in 0..<from whose job does not go before `id`.
                    var lo = 0, hi = from - 1
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if before(mid) { lo = mid + 1 } else { hi = mid }
                    }
                    var j = from
                    while j > lo { running[j] = running[j - 1]; j -= 1 }
                    running[lo] = id
                } else if from + 1 < running.count && before(from + 1) {
                    // Later: the last position in from+1..<count whose job goes before `id`.
                    var lo = from + 1, hi = running.count - 1
                    while lo < hi {
                        let mid = (lo + hi + 1) / 2
                        if before(mid) { lo = mid } else { hi = mid - 1 }
                    }
                    var j = from
                    while j < lo { running[j] = running[j + 1]; j += 1 }
                    running[lo] = id
                }
            }
        }
    }
}
