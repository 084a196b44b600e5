import ClusterModel
import Scheduling
import SimKernel

/// A decision checked against the state, with the costs it will incur: applying it cannot fail.
enum ValidatedDecision {
    case start(JobID, gpus: [GPUID], restoreSeconds: Double, sharing: SharingMode?)
    case preempt(JobID, checkpointSeconds: Double)
    case reallocate(JobID, gpus: [GPUID], kind: TransitionKind, seconds: Double)
    case wakeUp(SimTime)
}

extension Simulation {
    // MARK: - Policy rounds

    func schedulingRound() throws(SimulationError) {
        guard !queue.isEmpty || !running.isEmpty || transitioningCount > 0 else { return }
        // NOTE: a round of a start-only policy with nobody waiting or nothing free cannot decide anything.
        if skipsIdleRounds && (queue.isEmpty || cluster.freeGPUs == 0) { return }
        // NOTE: a strict-order policy whose head job could not start, with no GPU released since, cannot start it
        // now either; arrivals behind the head change nothing.
        if skipsBlockedHeadRounds && !releasedSinceRound && blockedHead != nil && queue.first == blockedHead { return }
        releasedSinceRound = false
        // NOTE: the snapshot shares the engine's arrays (copy-on-write). It must be gone before the decisions
        // are applied, or the first mutation would copy every job; hence the separate function.
        let decisions = try askPolicy()
        // All or nothing: every decision is validated (each against what the earlier ones leave) before any is
        // applied, so a round with an invalid decision leaves the state exactly as the policy saw it.
        do {
            try validate(decisions, into: &plan)
        } catch {
            // A policy that knows more about its rejected decision (an external process's round and stderr) says so.
            if case .invalidDecision(_, let time, let decision, let reason) = error,
               let failure = policy.rejected(decision, reason: reason) {
                throw .policyFailed(policy: policyName, time: time, failure: failure)
            }
            throw error
        }
        for step in plan { apply(step) }
        blockedHead = queue.first
        try checkForStall()
    }

    /// Rounds in a row that left jobs waiting on an idle cluster with no arrival, failure or repair to come: only
    /// the policy's own wake-ups could change anything, and after `stallLimit` of them that start nothing, none will.
    public static let stallLimit = 10_000

    /// Ends a run whose policy keeps waking itself without ever starting the jobs that wait on an idle cluster.
    private func checkForStall() throws(SimulationError) {
        let idle = running.isEmpty && transitioningCount == 0 && cluster.busyGPUs == 0 && !queue.isEmpty
            && nextArrival >= jobs.count && failureModel == nil
        stalledRounds = idle ? stalledRounds + 1 : 0
        if stalledRounds >= Self.stallLimit {
            throw .stalled(policy: policyName, time: clock.now, waiting: queue.count, rounds: stalledRounds)
        }
    }

    private func askPolicy() throws(SimulationError) -> [SchedulingDecision] {
        // NOTE: planning on a copy of `cluster` made the planner's first reservation duplicate every per-GPU array
        // (copy-on-write), O(GPUs) per round; the planning copy is instead kept across rounds and mirrored, and moved
        // into the planner so that it stays uniquely referenced (its arrays change in place). The mirror comes before
        // the snapshot shares `cluster`: it clears the cluster's change list, which must not be shared then.
        var scratch = plannerCluster.take() ?? Self.freshPlanningCopy(of: cluster)
        // What changed since the last round (the mirror below clears the list), for policies that keep an index.
        let changedGPUs = cluster.changesOverflowed ? nil : cluster.changedGPUs
        cluster.mirror(into: &scratch)
        var planner = PlacementPlanner(cluster: consume scratch, strategy: placement)
        defer { plannerCluster = planner.cluster }
        let snapshot = ClusterSnapshot(
            now: clock.now, jobs: jobs, queue: queue, runningByExpectedEnd: running, cluster: cluster,
            progress: progress, oracle: oracle, transitionCosts: costs, sharing: sharing, changedGPUs: changedGPUs,
            states: jobStates, shapes: jobShapes, queuedShapes: queuedShapes)
        do {
            return try policy.decide(snapshot, planner: &planner)
        } catch {
            throw .policyFailed(policy: policyName, time: clock.now, failure: error)
        }
    }

    /// A planning copy for the first round: a fresh cluster of the same shape, marked to be mirrored in full.
    private static func freshPlanningCopy(of cluster: ClusterState) -> ClusterState {
        var copy = ClusterState(topology: cluster.topology, maxJobsPerGPU: cluster.maxJobsPerGPU)
        copy.tracksChanges = true
        copy.forceFullMirror()
        return copy
    }

    // MARK: - Validation

    /// Checks every decision of a round in order against the state the earlier ones leave; `plan` (a buffer
    /// reused across rounds) receives the checked decisions.
    func validate(_ decisions: [SchedulingDecision], into plan: inout [ValidatedDecision]) throws(SimulationError) {
        overlay.beginRound()
        plan.removeAll(keepingCapacity: true)
        // NOTE: `cluster` is read into a local once per round and passed down: read through `self` next to the overlay's
        // mutation, it was copied (every array retained and released) for every GPU, 5% of a FIFO run (callgrind); once
        // per decision, still 1.6% of an SRTF run on the ITP trace (370k preemptions and as many restarts). Nothing
        // changes the cluster while a round is validated, and the local is gone before the plan is applied.
        let cluster = self.cluster
        for d in decisions { plan.append(try validate(d, against: cluster)) }
    }

    /// Checks one decision; `cluster` is the engine's cluster (the state before the round: the overlay holds what the
    /// round's earlier decisions change).
    private func validate(_ decision: SchedulingDecision, against cluster: ClusterState) throws(SimulationError) -> ValidatedDecision {
        func reject(_ reason: String) -> SimulationError {
            .invalidDecision(policy: policyName, time: clock.now, decision: decision, reason: reason)
        }
        func existing(_ id: JobID) throws(SimulationError) -> Int {
            guard id.index >= 0 && id.index < jobs.count else { throw reject("\(id) does not exist") }
            return id.index
        }
        /// Checks a GPU list's count, types, existence and duplicates; `mayHold` GPUs may already be the job's; with
        /// `share`, GPUs held by others may be joined in that mode within the sharing limits.
        func checkGPUs(
            _ gpus: [GPUID], of id: JobID, count allowed: ClosedRange<Int>, mayHold: Bool, share: SharingMode? = nil
        ) throws(SimulationError) {
            let eligible = jobs[id.index].eligibleTypes
            guard allowed.contains(gpus.count) else {
                throw reject(allowed.count == 1
                    ? "\(id) needs \(allowed.lowerBound) GPUs, the decision gives \(gpus.count)"
                    : "\(id) runs on \(allowed.lowerBound) to \(allowed.upperBound) GPUs, the decision gives \(gpus.count)")
            }
            for g in gpus where g.index >= 0 && g.index < topology.gpuCount
                && !eligible.contains(Int(topology.gpuTypeIndex[g.index])) {
                throw reject("\(g) is a \(topology.gpuTypes[Int(topology.gpuTypeIndex[g.index])].name), which \(id) cannot use")
            }
            overlay.beginDecision()
            for g in gpus {
                guard g.index >= 0 && g.index < topology.gpuCount else { throw reject(AllocationError.unknownGPU(g).description) }
                guard overlay.list(g) else { throw reject(AllocationError.duplicate(g, id).description) }
                let holder = overlay.owner(of: g, in: cluster)
                if holder == ClusterState.downOwner { throw reject(AllocationError.down(g, wanted: id).description) }
                guard holder >= 0 else { continue }
                if mayHold && overlay.holds(id.raw, g, in: cluster) { continue }
                if let share {
                    try checkJoin(g, by: id, mode: share)
                    continue
                }
                throw reject(holder == id.raw
                    ? AllocationError.duplicate(g, id).description
                    : AllocationError.busy(g, heldBy: JobID(Int(holder)), wanted: id).description)
            }
        }
        /// Checks that `id` may join held GPU `g` in `mode`: limit per GPU, one mode per GPU, memory when packed.
        func checkJoin(_ g: GPUID, by id: JobID, mode: SharingMode) throws(SimulationError) {
            let n = overlay.holderCount(of: g, in: cluster)
            guard n < cluster.maxJobsPerGPU else {
                throw reject(cluster.maxJobsPerGPU == 1
                    ? "\(g) is held by \(JobID(Int(overlay.owner(of: g, in: cluster)))) and GPU sharing is off (sharing.max_jobs_per_gpu: 1)"
                    : "\(g) already holds \(n) jobs, the most one GPU may (sharing.max_jobs_per_gpu: \(cluster.maxJobsPerGPU))")
            }
            if n >= 2, let current = overlay.sharing(of: g, in: cluster), current != mode {
                throw reject("\(g) is \(current), not \(mode)")
            }
            guard mode == .packed else { return }
            let capacity = topology.gpuTypes[Int(topology.gpuTypeIndex[g.index])].memoryGB
            guard var used = memoryGB[id.index] else {
                throw reject("\(id) has no zoo model, so its memory footprint is unknown and it cannot be packed (time-slice it)")
            }
            for h in overlay.holders(of: g, in: cluster) {
                guard let m = memoryGB[Int(h)] else {
                    throw reject("\(g) is held by \(JobID(Int(h))), whose memory footprint is unknown: it cannot be packed")
                }
                used += m
            }
            guard used <= capacity else {
                throw reject("packing \(id) on \(g) needs \(used) GB together, more than its \(capacity) GB")
            }
        }
        /// Claims `gpus` for `id` in the overlay (joining in `mode` where others hold them).
        func claim(_ gpus: [GPUID], for id: JobID, mode: SharingMode?) {
            for g in gpus { overlay.add(id.raw, to: g, sharing: mode, in: cluster) }
        }
        func unclaim(_ gpus: [GPUID], of id: JobID) {
            for g in gpus { overlay.remove(id.raw, from: g, in: cluster) }
        }

        switch decision {
        case .start(let id, let gpus), .share(let id, let gpus, _):
            var mode: SharingMode?
            if case .share(_, _, let m) = decision { mode = m }
            let i = try existing(id)
            let state = overlay.state(of: i, else: jobs[i].state)
            guard state.isWaiting else { throw reject("\(id) is \(state), not waiting") }
            try checkGPUs(gpus, of: id, count: jobs[i].spec.allowedGPUCounts, mayHold: false, share: mode)
            let seconds = try cost(.restore(firstStart: jobs[i].firstStart == nil), i, from: [], to: gpus, reject)
            claim(gpus, for: id, mode: mode)
            overlay.set(job: i, state: seconds > 0 ? .restoring : .running, gpus: gpus)
            return .start(id, gpus: gpus, restoreSeconds: seconds, sharing: mode)

        case .preempt(let id):
            let i = try existing(id)
            let state = overlay.state(of: i, else: jobs[i].state)
            guard state == .running else { throw reject("\(id) is \(state), not running") }
            let held = overlay.gpus(of: i, in: jobs)
            let seconds = try cost(.checkpoint, i, from: held, to: [], reject)
            if seconds > 0 {
                overlay.set(job: i, state: .checkpointing, gpus: held)  // the GPUs stay held until the checkpoint ends
            } else {
                unclaim(held, of: id)
                overlay.set(job: i, state: .preempted, gpus: [])
            }
            return .preempt(id, checkpointSeconds: seconds)

        case .resize(let id, let gpus), .migrate(let id, let gpus):
            let i = try existing(id)
            let state = overlay.state(of: i, else: jobs[i].state)
            guard state == .running else { throw reject("\(id) is \(state), not running") }
            let held = overlay.gpus(of: i, in: jobs)
            let kind: TransitionKind
            if case .migrate = decision {
                kind = .migrate
                try checkGPUs(gpus, of: id, count: held.count...held.count, mayHold: true)
            } else {
                kind = .resize
                try checkGPUs(gpus, of: id, count: jobs[i].spec.allowedGPUCounts, mayHold: true)
            }
            guard gpus.sorted() != held.sorted() else { throw reject("\(id) already holds exactly these GPUs") }
            let seconds = try cost(kind, i, from: held, to: gpus, reject)
            unclaim(held.filter { !gpus.contains($0) }, of: id)
            claim(gpus.filter { !held.contains($0) }, for: id, mode: nil)
            overlay.set(job: i, state: seconds > 0 ? .resizing : .running, gpus: gpus)
            return .reallocate(id, gpus: gpus, kind: kind, seconds: seconds)

        case .wakeUp(let time):
            guard time > clock.now else { throw reject("wake-up time \(time.seconds) s is not in the future") }
            return .wakeUp(time)
        }
    }

    /// The cost model's seconds for a transition, checked: a cost that is negative, not finite, or beyond
    /// what the clock can hold is the cost model's error, reported against the decision.
    private func cost(
        _ kind: TransitionKind, _ i: Int, from: [GPUID], to: [GPUID], _ reject: (String) -> SimulationError
    ) throws(SimulationError) -> Double {
        // NOTE: free transitions (the default) skip the call: it would copy the job's status for every start.
        if costsAreFree { return 0 }
        let s = costs.seconds(kind, job: jobs[i], from: from, to: to)
        guard s.isFinite && s >= 0 && s < SimTime.never.seconds - clock.now.seconds else {
            throw reject("the transition cost model gave \(s) s for a \(kind) of \(jobs[i].id); expected a finite number >= 0")
        }
        return s
    }

    // MARK: - Applying

    func apply(_ step: ValidatedDecision) {
        switch step {
        case .start(let id, let gpus, let seconds, let sharing): start(id, on: gpus, restoreSeconds: seconds, sharing: sharing)
        case .preempt(let id, let seconds): preempt(id, checkpointSeconds: seconds)
        case .reallocate(let id, let gpus, let kind, let seconds): reallocate(id, to: gpus, kind: kind, seconds: seconds)
        case .wakeUp(let time): setTimer(at: time)
        }
    }
}
