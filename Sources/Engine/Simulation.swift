import ClusterModel
import DequeModule
import Network
import Scheduling
import SimKernel
import Workload

/// Settings of one simulation that are not part of the scenario's cluster, jobs or policy.
public struct SimulationOptions {
    /// Check invariants after every event. Defaults to on in builds compiled with `SIM_INTERNAL_CHECKS`
    /// (debug builds, hence `swift test`) and off in release builds.
    public var checkInvariants: Bool
    /// Called every `progressInterval` events (e.g. to print a progress line); nil for none.
    public var progress: ((ProgressReport) -> Void)?
    /// Events between progress callbacks.
    public var progressInterval: Int = 1 << 15

    /// Default options.
    public init(checkInvariants: Bool? = nil, progress: ((ProgressReport) -> Void)? = nil) {
        #if SIM_INTERNAL_CHECKS
        self.checkInvariants = checkInvariants ?? true
        #else
        self.checkInvariants = checkInvariants ?? false
        #endif
        self.progress = progress
    }
}

/// The discrete-event driver: owns the clock, the event queue, the cluster and every job's state, calls the
/// policy, applies its decisions, and collects the run's outputs.
///
/// A class because it is the one object with identity in a run; everything it holds is value types in
/// arrays indexed by typed IDs, so the hot loop does no reference counting per job.
public final class Simulation {
    // MARK: - Configuration
    /// The cluster's shape.
    public let topology: Topology
    /// The policy's catalog name.
    public let policyName: String
    private var policy: any SchedulingPolicy
    private let placement: any PlacementStrategy
    private let skipsIdleRounds: Bool
    private let skipsBlockedHeadRounds: Bool
    /// The queue's first job when the last round ended with it still waiting (strict-order policies only).
    private var blockedHead: JobID?
    /// Whether any GPU was released since the last policy round.
    private var releasedSinceRound = false
    private let options: SimulationOptions
    /// Observers called after every event.
    public var observers: [any SimulationObserver] = []

    // MARK: - State
    /// Current simulated time.
    public var now: SimTime { clock.now }
    /// GPU ownership.
    public private(set) var cluster: ClusterState
    /// Every job, by JobID.
    public private(set) var jobs: [JobStatus]
    /// Waiting jobs in submission (JobID) order. A deque: FIFO-like policies start jobs at its front.
    public private(set) var queue: Deque<JobID> = []
    /// Running jobs by (expected end, JobID), the order policies such as backfilling need.
    public private(set) var running: [JobID] = []
    private var clock = SimClock()
    private var events = EventQueue<SimEvent>()
    private var roundPendingAt: SimTime?
    private var finishedCount = 0

    // Hot per-job progress, struct-of-arrays by JobID.
    private var remainingWork: [Double]
    private var workRate: [Double]
    private var epoch: [UInt32]
    private let speed: SpeedCache
    private var nextArrival = 0
    /// The flow-level fabric, when the simulation uses the interconnect model (nil: α–β speed model).
    private var network: NetworkState?
    private var networkReferenceStep: [ReferenceKey: Double] = [:]
    /// When each running job's progress was last brought up to date (start, or its last rate change).
    private var progressSince: [SimTime]
    /// Seconds per iteration and exposed-communication share at the job's current speed (0 without a model).
    private var currentStep: [Double]
    private var currentCommFraction: [Double]
    /// Σ dt × step and Σ dt × communication share over the job's running time, for its mean iteration time.
    private var stepIntegral: [Double]
    private var commIntegral: [Double]
    private var linkSamples: [LinkUtilizationSample] = []
    private var nextLinkSample = SimTime.zero

    // MARK: - Outputs
    private var firstGPUType: [String?]
    private var allocations: [AllocationInterval] = []
    private var samples: [UtilizationSample] = []
    /// Events processed so far.
    public private(set) var eventsProcessed = 0
    /// Busy GPU-seconds integrated over simulated time (for utilization and the conservation check).
    public private(set) var busyGPUSeconds = 0.0
    private var lastAccounting = SimTime.zero

    /// Prepares a run. `jobs` must be in submission order with IDs 0..<count, and every job must be able to
    /// run on `topology` (see `JobSetup.problems`); violating either is a programming error.
    public init(
        topology: Topology, jobs specs: [JobSpec], policy: any SchedulingPolicy, placement: any PlacementStrategy,
        interconnect: Interconnect? = nil, options: SimulationOptions = SimulationOptions()
    ) {
        precondition(specs.enumerated().allSatisfy { $0.offset == $0.element.id.index }, "job IDs must be 0..<count in order")
        assert(JobSetup.problems(jobs: specs, topology: topology).isEmpty, "jobs that cannot run were not rejected")
        self.topology = topology
        self.policyName = policy.name
        self.policy = policy
        self.placement = placement
        self.skipsIdleRounds = type(of: policy).onlyStartsWaitingJobs
        self.skipsBlockedHeadRounds = type(of: policy).onlyStartsWaitingJobs && type(of: policy).startsStrictlyInQueueOrder
        self.options = options
        self.cluster = ClusterState(topology: topology)
        // Eligibility and the reference template depend only on (GPU-type constraint, model): computed once per
        // distinct pair, not once per job (100k jobs, a handful of pairs).
        struct EligibilityKey: Hashable {
            var gpuType: String?
            var model: Int?
        }
        var eligibility: [EligibilityKey: (mask: GPUTypeMask, reference: Int32)] = [:]
        var masks: [GPUTypeMask] = []
        var refs: [Int32] = []
        masks.reserveCapacity(specs.count)
        refs.reserveCapacity(specs.count)
        for spec in specs {
            let key = EligibilityKey(gpuType: spec.gpuType, model: spec.model)
            if eligibility[key] == nil {
                let mask = JobSetup.eligibleTypes(for: spec, in: topology)
                eligibility[key] = (mask, Int32(JobSetup.referenceTemplate(for: mask, in: topology)!))
            }
            masks.append(eligibility[key]!.mask)
            refs.append(eligibility[key]!.reference)
        }
        let speed = SpeedCache(topology: topology, jobs: specs, referenceTemplate: refs)
        self.speed = speed
        self.jobs = specs.indices.map { i in
            JobStatus(spec: specs[i], eligibleTypes: masks[i], estimatedDuration: speed.estimatedDuration(of: specs[i]))
        }
        self.remainingWork = specs.map(SpeedModel.workUnits)
        self.workRate = Array(repeating: 0, count: specs.count)
        self.epoch = Array(repeating: 0, count: specs.count)
        self.progressSince = Array(repeating: .zero, count: specs.count)
        self.currentStep = Array(repeating: 0, count: specs.count)
        self.currentCommFraction = Array(repeating: 0, count: specs.count)
        self.stepIntegral = Array(repeating: 0, count: specs.count)
        self.commIntegral = Array(repeating: 0, count: specs.count)
        if let interconnect {
            precondition(interconnect.graph.topology === topology, "the interconnect's link graph is of another topology")
            self.network = NetworkState(model: interconnect, jobCount: specs.count)
        }
        self.firstGPUType = specs.map(\.gpuType)
        pushNextArrival()
        samples.append(UtilizationSample(time: .zero, busyGPUs: 0, queuedJobs: 0, runningJobs: 0))
    }

    // MARK: - Run loop

    /// Runs until no events remain (or every job has finished) and returns the outputs.
    public func run() throws(SimulationError) -> RunResult {
        while finishedCount < jobs.count, let event = events.pop() {
            try process(event)
        }
        closeAccounting()
        return result()
    }

    /// Processes every event due at or before `time`, then moves the clock to `time` (for tests that drive
    /// the simulation by hand).
    public func advance(to time: SimTime) throws(SimulationError) {
        while let next = events.first, next.time <= time, let event = events.pop() {
            try process(event)
        }
        if time > clock.now { account(to: time) }
    }

    private func process(_ event: ScheduledEvent<SimEvent>) throws(SimulationError) {
        if network != nil && event.time > nextLinkSample { sampleLinks(before: event.time) }
        account(to: event.time)
        eventsProcessed += 1
        switch event.payload {
        case .arrival(let id):
            pushNextArrival()
            transition(id, to: .queued)
            queue.append(id)  // arrivals pop in JobID order, so the queue stays sorted
            requestRound()
        case .completion(let id, let e):
            // A preemption since this event was scheduled bumped the epoch: the event is stale.
            guard e == epoch[id.index], jobs[id.index].state == .running else { break }
            finish(id)
            requestRound()
        case .schedulingRound:
            if roundPendingAt == clock.now { roundPendingAt = nil }
            try schedulingRound()
        }
        recordSample()
        if options.checkInvariants, let problem = invariantViolation() {
            throw .invariantViolated(time: clock.now, event: event.payload, message: problem)
        }
        for o in observers { o.didProcess(event, in: self) }
        if let progress = options.progress, eventsProcessed % options.progressInterval == 0 {
            progress(ProgressReport(now: clock.now, events: eventsProcessed, finishedJobs: finishedCount, totalJobs: jobs.count))
        }
    }

    /// Records the busiest links at every sample time before `time`. The fabric does not change between events,
    /// so a sample at t shows the state after every event at or before t. Idle stretches record nothing.
    private func sampleLinks(before time: SimTime) {
        let interval = SimTime.seconds(network!.model.linkSampleInterval)
        guard interval > .zero else { return }
        let busiest = network!.busiestLinks(network!.model.linksPerSample)
        guard !busiest.isEmpty else {
            // Jump to the first sample time at or after `time`.
            let periods = (time - nextLinkSample).nanoseconds / interval.nanoseconds
            let rest = (time - nextLinkSample).nanoseconds % interval.nanoseconds
            nextLinkSample = nextLinkSample + SimTime(nanoseconds: (periods + (rest > 0 ? 1 : 0)) * interval.nanoseconds)
            return
        }
        while nextLinkSample < time {
            for (link, u) in busiest {
                linkSamples.append(LinkUtilizationSample(
                    time: nextLinkSample, link: link.raw, name: network!.model.graph.name(of: link), utilization: u))
            }
            nextLinkSample = nextLinkSample + interval
        }
    }

    /// Advances the clock and integrates busy GPU-seconds up to `time`.
    private func account(to time: SimTime) {
        clock.advance(to: time)
        if time > lastAccounting {
            busyGPUSeconds += Double(cluster.busyGPUs) * (time - lastAccounting).seconds
            lastAccounting = time
        }
    }

    private func closeAccounting() { account(to: clock.now) }

    /// Puts the next job's arrival in the event queue.
    ///
    /// NOTE: arrivals are fed one at a time (jobs are sorted by submit time) instead of all at start, which keeps
    /// the heap as small as the number of running jobs: with 100k jobs that is several times faster.
    /// Same-instant arrivals still fire in JobID order: each is pushed, with a later sequence number, while the
    /// previous one is processed.
    private func pushNextArrival() {
        guard nextArrival < jobs.count else { return }
        let spec = jobs[nextArrival].spec
        events.push(.arrival(spec.id), at: spec.submitTime, phase: EventPhase.arrival.rawValue)
        nextArrival += 1
    }

    /// Schedules one policy round at the current instant, after every other event of this instant.
    private func requestRound() {
        guard roundPendingAt != clock.now else { return }
        roundPendingAt = clock.now
        events.push(.schedulingRound, at: clock.now, phase: EventPhase.schedulingRound.rawValue)
    }

    // MARK: - Policy rounds

    private func schedulingRound() throws(SimulationError) {
        guard !queue.isEmpty || !running.isEmpty else { return }
        // NOTE: a round of a start-only policy with nobody waiting or nothing free cannot decide anything.
        if skipsIdleRounds && (queue.isEmpty || cluster.freeGPUs == 0) { return }
        // NOTE: a strict-order policy whose head job could not start, with no GPU released since, cannot start it
        // now either; arrivals behind the head change nothing.
        if skipsBlockedHeadRounds && !releasedSinceRound && blockedHead != nil && queue.first == blockedHead { return }
        releasedSinceRound = false
        // NOTE: the snapshot shares the engine's arrays (copy-on-write). It must be gone before the decisions
        // are applied, or the first mutation would copy every job; hence the separate function.
        let decisions = askPolicy()
        for decision in decisions { try apply(decision) }
        blockedHead = queue.first
    }

    private func askPolicy() -> [SchedulingDecision] {
        let snapshot = ClusterSnapshot(
            now: clock.now, jobs: jobs, queue: queue, runningByExpectedEnd: running, cluster: cluster)
        var planner = PlacementPlanner(cluster: cluster, strategy: placement)
        return policy.schedule(snapshot, planner: &planner)
    }

    private func apply(_ decision: SchedulingDecision) throws(SimulationError) {
        func reject(_ reason: String) -> SimulationError {
            .invalidDecision(policy: policyName, time: clock.now, decision: decision, reason: reason)
        }
        switch decision {
        case .start(let id, let gpus):
            guard id.index >= 0 && id.index < jobs.count else { throw reject("\(id) does not exist") }
            let job = jobs[id.index]
            guard job.state.isWaiting else { throw reject("\(id) is \(job.state), not waiting") }
            guard gpus.count == job.gpuCount else {
                throw reject("\(id) needs \(job.gpuCount) GPUs, the decision gives \(gpus.count)")
            }
            for g in gpus where g.index >= 0 && g.index < topology.gpuCount
                && !job.eligibleTypes.contains(Int(topology.gpuTypeIndex[g.index])) {
                throw reject("\(g) is a \(topology.gpuTypes[Int(topology.gpuTypeIndex[g.index])].name), which \(id) cannot use")
            }
            do { try cluster.allocate(gpus, to: id) } catch { throw reject(error.description) }
            start(id, on: gpus)
        case .preempt(let id):
            guard id.index >= 0 && id.index < jobs.count else { throw reject("\(id) does not exist") }
            guard jobs[id.index].state == .running else { throw reject("\(id) is \(jobs[id.index].state), not running") }
            preempt(id)
        case .wakeUp(let time):
            guard time > clock.now else { throw reject("wake-up time \(time.seconds) s is not in the future") }
            events.push(.schedulingRound, at: time, phase: EventPhase.schedulingRound.rawValue)
        }
    }

    // MARK: - Job lifecycle

    private func transition(_ id: JobID, to next: JobState) {
        let current = jobs[id.index].state
        precondition(current.canMove(to: next), "illegal job transition \(current) → \(next) for \(id)")
        jobs[id.index].state = next
    }

    private func start(_ id: JobID, on gpus: [GPUID]) {
        transition(id, to: .running)
        let i = id.index
        let spec = jobs[i].spec
        var others: [JobID] = []
        if network != nil, let m = spec.model {
            others = network!.start(id, on: gpus, bytes: ModelZoo.all[m].gradientBytes)
        }
        setSpeed(i, spec: spec, gpus: gpus)
        progressSince[i] = clock.now
        epoch[i] &+= 1
        let end = clock.now + SimTime.seconds(remainingWork[i] / workRate[i])
        if jobs[i].firstStart == nil {
            jobs[i].firstStart = clock.now
            firstGPUType[i] = topology.gpuTypes[Int(topology.gpuTypeIndex[gpus[0].index])].name
        }
        jobs[i].gpus = gpus
        jobs[i].runningSince = clock.now
        jobs[i].expectedEnd = end
        queue.remove(at: queuePosition(of: id))
        running.insert(id, at: runningPosition(of: id))
        events.push(.completion(id, epoch: epoch[i]), at: end, phase: EventPhase.completion.rawValue)
        for other in others { rerate(other) }
    }

    /// Sets a running job's speed from its placement: the α–β speed model, or the shared fabric's current rates.
    private func setSpeed(_ i: Int, spec: JobSpec, gpus: [GPUID]) {
        guard let network, let m = spec.model else {
            let parts = speed.stepParts(of: spec, on: gpus, in: topology)
            workRate[i] = speed.workRate(of: spec, on: gpus, in: topology)
            currentStep[i] = parts.map { $0.compute + $0.communication } ?? 0
            currentCommFraction[i] = parts.map { $0.compute + $0.communication > 0 ? $0.communication / ($0.compute + $0.communication) : 0 } ?? 0
            return
        }
        let compute = speed.computeSeconds(model: m, typeIndex: Int(topology.gpuTypeIndex[gpus[0].index]))
        let comm = network.collectiveTime(of: spec.id).total
        let step = StepTimeModel.overlap(
            compute: compute, communication: comm, gamma: ModelZoo.all[m].overlapGamma ?? network.model.gamma)
        currentStep[i] = step
        currentCommFraction[i] = step > 0 ? (step - compute) / step : 0
        switch spec.work {
        case .iterations: workRate[i] = 1 / step
        case .duration: workRate[i] = networkReferenceStepSeconds(i, spec: spec, model: m, compute: compute) / step
        }
    }

    /// Key of a reference (packed, uncontended) step under the interconnect model.
    struct ReferenceKey: Hashable {
        var model: Int
        var gpus: Int
        var template: Int32
    }

    /// The uncontended step of a duration job's model at its requested size, packed on the first nodes of its
    /// reference template: the placement at which it runs exactly its recorded duration.
    private func networkReferenceStepSeconds(_ i: Int, spec: JobSpec, model m: Int, compute: Double) -> Double {
        let template = speed.referenceTemplate(of: i)
        let key = ReferenceKey(model: m, gpus: spec.gpuCount, template: template)
        if let step = networkReferenceStep[key] { return step }
        var gpus: [GPUID] = []
        for node in 0..<topology.nodeCount where topology.nodeTemplates[node] == topology.nodeTemplates[Int(template)] {
            for g in topology.gpus(of: NodeID(node)) where gpus.count < spec.gpuCount { gpus.append(GPUID(g)) }
            if gpus.count == spec.gpuCount { break }
        }
        let comm = network!.uncontendedTime(on: gpus, bytes: ModelZoo.all[m].gradientBytes).total
        let refCompute = speed.computeSeconds(model: m, typeIndex: topology.typeIndex(of: NodeID(Int(template))))
        let step = StepTimeModel.overlap(
            compute: refCompute, communication: comm, gamma: ModelZoo.all[m].overlapGamma ?? network!.model.gamma)
        networkReferenceStep[key] = step
        return step
    }

    /// Brings a running job's remaining work and iteration statistics up to now (before its rate changes).
    private func settleProgress(_ i: Int) {
        let dt = (clock.now - progressSince[i]).seconds
        remainingWork[i] = max(0, remainingWork[i] - workRate[i] * dt)
        stepIntegral[i] += dt * currentStep[i]
        commIntegral[i] += dt * currentCommFraction[i]
        progressSince[i] = clock.now
    }

    /// Re-derives a running job's speed after the flows on its links changed, and moves its completion.
    private func rerate(_ id: JobID) {
        let i = id.index
        guard jobs[i].state == .running else { return }
        settleProgress(i)
        setSpeed(i, spec: jobs[i].spec, gpus: jobs[i].gpus)
        running.remove(at: runningPosition(of: id))  // keyed by the old expected end
        epoch[i] &+= 1  // the completion scheduled at the old speed is now stale
        let end = clock.now + SimTime.seconds(remainingWork[i] / workRate[i])
        jobs[i].expectedEnd = end
        running.insert(id, at: runningPosition(of: id))
        events.push(.completion(id, epoch: epoch[i]), at: end, phase: EventPhase.completion.rawValue)
    }

    /// Ends the current run interval of a running job: frees its GPUs and records where it ran.
    private func stopRunning(_ id: JobID) {
        let i = id.index
        let since = jobs[i].runningSince!
        let gpus = jobs[i].gpus
        do { try cluster.release(gpus, from: id) } catch { preconditionFailure("engine lost track of \(id)'s GPUs: \(error)") }
        releasedSinceRound = true
        recordAllocation(id, gpus: gpus, from: since, to: clock.now)
        jobs[i].runSeconds += (clock.now - since).seconds
        running.remove(at: runningPosition(of: id))  // before expectedEnd, its sort key, is cleared
        jobs[i].gpus = []
        jobs[i].runningSince = nil
        jobs[i].expectedEnd = nil
        if network != nil {
            for other in network!.stop(id) { rerate(other) }
        }
    }

    private func finish(_ id: JobID) {
        settleProgress(id.index)
        stopRunning(id)
        remainingWork[id.index] = 0
        transition(id, to: .finished)
        jobs[id.index].finish = clock.now
        finishedCount += 1
    }

    private func preempt(_ id: JobID) {
        let i = id.index
        settleProgress(i)
        stopRunning(id)
        epoch[i] &+= 1  // cancels the pending completion
        transition(id, to: .preempted)
        jobs[i].preemptions += 1
        queue.insert(id, at: queuePosition(of: id))  // back at its submission position
    }

    /// Where `id` is, or belongs, in the queue (sorted by JobID). O(log Q).
    private func queuePosition(of id: JobID) -> Int {
        var lo = 0
        var hi = queue.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if queue[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Where `id` is, or belongs, in `running` (sorted by expected end, then JobID). O(log R).
    private func runningPosition(of id: JobID) -> Int {
        var lo = 0
        var hi = running.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ClusterSnapshot.endsBefore(running[mid], id, jobs) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: - Outputs

    private func recordAllocation(_ id: JobID, gpus: [GPUID], from start: SimTime, to end: SimTime) {
        // One row per node, GPUs as node-local indices, nodes in ascending order.
        // Placements usually come sorted already; sort (allocating) only when they do not.
        let sorted = zip(gpus, gpus.dropFirst()).allSatisfy({ $0.0 < $0.1 }) ? gpus : gpus.sorted()
        var k = 0
        while k < sorted.count {
            let node = topology.gpuNode[sorted[k].index]
            let first = Int(topology.nodeFirstGPU[node.index])
            var local: [Int] = []
            while k < sorted.count && topology.gpuNode[sorted[k].index] == node {
                local.append(sorted[k].index - first)
                k += 1
            }
            allocations.append(AllocationInterval(job: id, start: start, end: end, node: node, localGPUs: local))
        }
    }

    private func recordSample() {
        let s = UtilizationSample(time: clock.now, busyGPUs: cluster.busyGPUs, queuedJobs: queue.count, runningJobs: running.count)
        func same(_ a: UtilizationSample, _ b: UtilizationSample) -> Bool {
            a.busyGPUs == b.busyGPUs && a.queuedJobs == b.queuedJobs && a.runningJobs == b.runningJobs
        }
        let last = samples[samples.count - 1]
        if same(last, s) { return }
        if last.time == s.time {
            // Several events at one instant: only the state after the last counts; and if that state equals
            // the one before the instant, the instant leaves no sample at all.
            if samples.count >= 2 && same(samples[samples.count - 2], s) { samples.removeLast() } else { samples[samples.count - 1] = s }
        } else {
            samples.append(s)
        }
    }

    private func result() -> RunResult {
        let outcomes = jobs.indices.map { i -> JobOutcome in
            let j = jobs[i]
            return JobOutcome(
                id: j.id, name: j.spec.name, submit: j.spec.submitTime, firstStart: j.firstStart, finish: j.finish,
                gpus: j.gpuCount, gpuType: firstGPUType[i], model: j.spec.model.map { ModelZoo.all[$0].name }, runSeconds: j.runSeconds,
                preemptions: j.preemptions,
                meanIterationSeconds: j.spec.model != nil && j.runSeconds > 0 ? stepIntegral[i] / j.runSeconds : nil,
                communicationFraction: j.spec.model != nil && j.runSeconds > 0 ? commIntegral[i] / j.runSeconds : nil)
        }
        let unfinished = jobs.filter { $0.state != .finished }.map(\.id)
        return RunResult(
            jobs: outcomes, allocations: allocations, samples: samples,
            summary: RunMetrics.summary(jobs: outcomes, busyGPUSeconds: busyGPUSeconds, clusterGPUs: topology.gpuCount),
            eventsProcessed: eventsProcessed, simulatedEnd: clock.now, unfinishedJobs: unfinished, links: linkSamples)
    }
}
