import ClusterModel
import Models
import DequeModule
import Performance
import Scheduling
import SimKernel
import SimRandom
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
    /// Asked at every 16th event boundary (before the first event, the 17th, ...); when it answers true the run stops
    /// there and throws `SimulationError.interrupted` (the CLI sets it from SIGINT and SIGTERM). nil: never stop early.
    public var shouldStop: (() -> Bool)?
    /// Called every `outputInterval` events with the output rows that became final since the last call (see
    /// `RunOutputChunk`; chunks may be empty), so that a writer on another thread can store them while the run goes
    /// on; nil for none. The final `RunResult` still holds every row.
    public var output: ((RunOutputChunk) -> Void)?
    /// Events between `output` calls.
    public var outputInterval: Int = 1 << 12

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
/// The parts live in extensions, one concern each: `+Decisions` (policy rounds, validation, applying),
/// `+Lifecycle` (starts, preemptions, reallocations, timed transitions, completions), `+Progress` (work
/// done and speed), `+Invariants` (checks after every event), `+Result` (the run's outputs); `RunRecorder`
/// collects the output rows.
///
/// A class because it is the one object with identity in a run; everything it holds is value types in
/// arrays indexed by typed IDs, so the hot loop does no reference counting per job.
public final class Simulation {
    // MARK: - Configuration
    /// The cluster's shape.
    public let topology: Topology
    /// The policy's catalog name.
    public let policyName: String
    var policy: any SchedulingPolicy
    let placement: any PlacementStrategy
    /// The speed model (α–β or flow-level), told which jobs hold which GPUs.
    let throughput: any ThroughputModel
    /// The policies' view of the speed model.
    let oracle: ThroughputOracle
    /// How long restores, checkpoints, resizes and migrations take.
    let costs: any TransitionCostModel
    /// Whether `costs` is `FreeTransitions`, whose answer is known without asking.
    let costsAreFree: Bool
    /// How jobs sharing a GPU slow each other, and how many may share one.
    public let sharing: GPUSharingModel
    /// Each job's device memory per GPU, GB, for packing checks (nil: unknown, so it can only be time-sliced).
    let memoryGB: [Double?]
    let skipsIdleRounds: Bool
    /// Whether job i counts its work in goodput (its zoo model has an efficiency profile): its rate then depends on
    /// its progress through the gradient noise scale, and is re-priced where that steps (`noiseScaleStep`).
    let countsGoodput: [Bool]
    let skipsBlockedHeadRounds: Bool
    /// The queue's first job when the last round ended with it still waiting (strict-order policies only).
    var blockedHead: JobID?
    /// Whether any GPU was released since the last policy round.
    var releasedSinceRound = false
    let options: SimulationOptions
    /// Observers called after every event.
    public var observers: [any SimulationObserver] = []
    /// The first job whose completion or transition would fall past the clock's range, and how far; fails the run.
    var beyondClock: (job: JobID, seconds: Double)?

    // MARK: - State
    /// Current simulated time.
    public var now: SimTime { clock.now }
    /// GPU ownership.
    public internal(set) var cluster: ClusterState
    /// Every job, by JobID.
    public internal(set) var jobs: [JobStatus]
    /// Each job's state and shape, compact copies of `jobs[i].state` and its GPU count and types, handed to the policy
    /// (`ClusterSnapshot.states`, `.shapes`); `transition` keeps the states in step.
    var jobStates: [JobState]
    let jobShapes: [JobShape]
    /// The jobs' distinct shapes and the waiting jobs of each (`ClusterSnapshot.queuedShapes`), kept in step with
    /// `queue`.
    var queuedShapes: QueuedShapes
    /// Waiting jobs in submission (JobID) order. A deque: FIFO-like policies start jobs at its front.
    public internal(set) var queue: Deque<JobID> = []
    /// Running jobs by (expected end, JobID), the order policies such as backfilling need.
    public internal(set) var running: [JobID] = []
    /// Every job's remaining work and current rate (struct-of-arrays by JobID: the hot per-job state).
    public internal(set) var progress: JobProgress
    /// Jobs in a timed transition (restoring, checkpointing, resizing).
    public internal(set) var transitioningCount = 0
    var clock = SimClock()
    /// Pending events; completions, transition ends, noise-scale steps and the policy timer under their `EventKey`.
    var events: EventQueue<SimEvent>
    var roundPendingAt: SimTime?
    var finishedCount = 0
    var nextArrival = 0
    /// When each job's current timed transition began.
    var transitionSince: [SimTime]
    /// The failure processes and checkpoint interval, if the run has failures; see `Simulation+Failures`.
    let failureModel: FailureModel?
    var nodeFailureStream: RandomStream?
    var gpuFailureStream: RandomStream?
    /// Whether each node, and each GPU on its own, is down (a failure of it awaits its repair).
    var nodeDown: [Bool] = []
    var gpuDown: [Bool] = []
    /// Failure and repair events in the event queue (a run ends when only they are left and nothing is held or down).
    var pendingFailureEvents = 0
    /// Failures that took a node or GPU down.
    public internal(set) var failureEvents = 0
    /// Down GPU-seconds integrated over simulated time.
    public internal(set) var downGPUSeconds = 0.0
    /// Guest GPU-seconds (holdings beyond one job per busy GPU) and shared GPU-seconds (GPUs held by two or more
    /// jobs), integrated over simulated time: the first closes the GPU-time conservation check under sharing.
    public internal(set) var guestGPUSeconds = 0.0
    public internal(set) var sharedGPUSeconds = 0.0
    /// GPU-seconds of training so far (held at a positive rate).
    public internal(set) var trainingGPUSeconds = 0.0
    /// `trainingGPUSeconds` weighted by each job's statistical efficiency at the time (`currentEfficiency`).
    public internal(set) var goodputGPUSeconds = 0.0
    /// Statistical efficiency of the batch each job trains with now (1 for jobs without an efficiency profile).
    var currentEfficiency: [Double]
    /// Running jobs whose co-tenants changed during this event, re-rated at the flush (deferred speed models only).
    var coTenantsToRerate: [JobID] = []
    /// Periodic checkpoints, tracked only with failures: the interval (0 = none), and per job its running time and
    /// GPU-time since it last started and at its last periodic checkpoint, and its remaining work at that checkpoint.
    let tracksCheckpoints: Bool
    let checkpointIntervalNanos: Int64
    var progressNanos: [Int64] = []
    var progressGPUSeconds: [Double] = []
    var checkpointNanos: [Int64] = []
    var checkpointGPUSeconds: [Double] = []
    var checkpointRemaining: [Double] = []
    /// Decision validation scratch: see `RoundOverlay`.
    var overlay: RoundOverlay
    /// Whether the speed model defers re-solves to `flushThroughput()` at the end of each event.
    let deferredUpdates: Bool
    /// Jobs started during the current event whose speed waits for the flush, and the same as a flag by JobID.
    var startsAwaitingSpeed: [JobID] = []
    var awaitingSpeed: [Bool]
    /// Consecutive rounds that left jobs waiting on an idle cluster with nothing else to come (see `checkForStall`).
    var stalledRounds = 0
    /// The current round's validated decisions (a buffer reused across rounds).
    var plan: [ValidatedDecision] = []
    /// The policy's planning copy of `cluster`, kept across rounds and brought level with it before each round
    /// (`ClusterState.mirror`) instead of copied afresh; nil until the first round, and while a round's planner holds it.
    var plannerCluster: ClusterState?

    // Iteration statistics, by JobID.
    /// Seconds per iteration and exposed-communication share at the job's current speed (0 without a model).
    var currentStep: [Double]
    /// Work rate and seconds per iteration the speed model last gave each running job, before GPU sharing's factor.
    var unsharedRate: [Double]
    var unsharedStep: [Double]
    var currentCommFraction: [Double]
    /// Σ dt × step and Σ dt × communication share over the job's running time, for its mean iteration time.
    var stepIntegral: [Double]
    var commIntegral: [Double]

    // MARK: - Outputs
    var recorder: RunRecorder
    var firstGPUType: [String?]
    /// Jobs, allocation intervals and samples already handed to `options.output`.
    var handedOut = (jobs: 0, allocations: 0, samples: 0)
    /// Events processed so far.
    public internal(set) var eventsProcessed = 0
    /// Busy GPU-seconds integrated over simulated time (for utilization and the conservation check).
    public internal(set) var busyGPUSeconds = 0.0
    var lastAccounting = SimTime.zero

    /// Prepares a run. `jobs` must be in submission order with IDs 0..<count, and every job must be able to
    /// run on `topology` (see `JobSetup.problems`); violating either is a programming error.
    ///
    /// Speed follows the flow-level model over `interconnect` when one is given, else the α–β model.
    public convenience init(
        topology: Topology, jobs specs: [JobSpec], policy: any SchedulingPolicy, placement: any PlacementStrategy,
        interconnect: Interconnect? = nil, costs: any TransitionCostModel = FreeTransitions(),
        failures: FailureModel? = nil, sharing: GPUSharingModel = GPUSharingModel(), options: SimulationOptions = SimulationOptions()
    ) {
        let setup = JobSetup.Prepared(jobs: specs, topology: topology)
        let model: any ThroughputModel
        if let interconnect {
            precondition(interconnect.graph.topology === topology, "the interconnect's link graph is of another topology")
            model = FlowThroughput(interconnect: interconnect, jobs: specs, referenceNodes: setup.referenceNodes)
        } else {
            model = AlphaBetaThroughput(topology: topology, jobs: specs, referenceNodes: setup.referenceNodes)
        }
        self.init(topology: topology, jobs: specs, setup: setup, policy: policy, placement: placement, throughput: model,
                  costs: costs, failures: failures, sharing: sharing, options: options)
    }

    /// Each job's run time in seconds at its reference placement under the speed model a run would use (the flow model
    /// over `interconnect`, else α–β): what the engine estimates before anything contends. The scenario loader bounds
    /// these, so that link parameters slow enough to push a completion past the simulated clock are an input error.
    public static func referenceSeconds(topology: Topology, jobs specs: [JobSpec], interconnect: Interconnect?) -> [Double] {
        let setup = JobSetup.Prepared(jobs: specs, topology: topology)
        let model: any ThroughputModel = interconnect.map { FlowThroughput(interconnect: $0, jobs: specs, referenceNodes: setup.referenceNodes) }
            ?? AlphaBetaThroughput(topology: topology, jobs: specs, referenceNodes: setup.referenceNodes)
        return specs.map { spec in
            switch spec.work {
            case .duration(let d): return d.seconds
            case .iterations(let k): return spec.model == nil ? k : k * model.referenceStep(of: spec)
            }
        }
    }

    /// Prepares a run with a given speed model, prepared for these jobs with `setup`'s reference nodes.
    public init(
        topology: Topology, jobs specs: [JobSpec], setup: JobSetup.Prepared, policy: any SchedulingPolicy,
        placement: any PlacementStrategy, throughput: any ThroughputModel, costs: any TransitionCostModel,
        failures: FailureModel? = nil, sharing: GPUSharingModel = GPUSharingModel(), options: SimulationOptions
    ) {
        precondition(specs.enumerated().allSatisfy { $0.offset == $0.element.id.index }, "job IDs must be 0..<count in order")
        let goodput = specs.map { spec in
            guard let m = spec.model, case .iterations = spec.work else { return false }
            return ModelZoo.efficiencyProfiles[m] != nil
        }
        // Pollux's jobs pick their batch for each allocation (AdaptDL); other policies' jobs keep their global batch.
        let adapts = type(of: policy).adaptsBatchSize
        let specs = specs.enumerated().map { i, spec in
            guard adapts, goodput[i], spec.gpuRange != nil else { return spec }
            var s = spec
            s.adaptiveBatch = true
            return s
        }
        self.countsGoodput = goodput
        self.currentEfficiency = Array(repeating: 1, count: specs.count)
        assert(JobSetup.problems(jobs: specs, topology: topology).isEmpty, "jobs that cannot run were not rejected")
        self.topology = topology
        self.policyName = policy.name
        self.policy = policy
        self.placement = placement
        self.throughput = throughput
        self.oracle = ThroughputOracle(model: throughput, topology: topology)
        self.deferredUpdates = throughput.defersUpdates
        self.awaitingSpeed = Array(repeating: false, count: specs.count)
        self.costs = costs
        self.costsAreFree = costs is FreeTransitions
        self.sharing = sharing
        self.memoryGB = specs.map { GPUSharingModel.memoryGB(of: $0.model) }
        self.skipsIdleRounds = type(of: policy).onlyStartsWaitingJobs
        self.skipsBlockedHeadRounds = type(of: policy).onlyStartsWaitingJobs && type(of: policy).startsStrictlyInQueueOrder
        self.options = options
        self.cluster = ClusterState(topology: topology, maxJobsPerGPU: sharing.maxJobsPerGPU)
        // Noted changes let the planning copy follow the cluster at the cost of what changed (see `askPolicy`).
        self.cluster.tracksChanges = true
        var statuses: [JobStatus] = []
        var referenceRates: [Double] = []
        var overflow: (job: JobID, seconds: Double)?
        statuses.reserveCapacity(specs.count)
        referenceRates.reserveCapacity(specs.count)
        for (i, spec) in specs.enumerated() {
            let refStep = spec.model == nil ? 0 : throughput.referenceStep(of: spec)
            let estimated: SimTime
            switch spec.work {
            case .duration(let d): estimated = d
            case .iterations(let k):
                // Past the clock only if the loader was bypassed: saturate here, fail at the first event.
                let seconds = spec.model == nil ? k : k * refStep
                estimated = SimTime.zero.adding(seconds: seconds) ?? .never
                if estimated == .never, overflow == nil { overflow = (spec.id, seconds) }
            }
            statuses.append(JobStatus(spec: spec, eligibleTypes: setup.eligibleTypes[i], estimatedDuration: estimated))
            referenceRates.append(WorkRate.of(spec, gpuCount: spec.gpuCount, step: refStep, referenceStep: refStep))
        }
        self.jobs = statuses
        self.jobStates = statuses.map(\.state)
        self.jobShapes = statuses.map(JobShape.init)
        self.queuedShapes = QueuedShapes(shapes: jobShapes, queue: [])
        self.progress = JobProgress(work: specs.map(WorkRate.units(of:)), referenceRate: referenceRates)
        self.events = EventQueue(keys: EventKey.count(jobs: specs.count))
        self.transitionSince = Array(repeating: .zero, count: specs.count)
        self.overlay = RoundOverlay(gpuCount: topology.gpuCount, jobCount: specs.count, maxJobsPerGPU: sharing.maxJobsPerGPU)
        self.currentStep = Array(repeating: 0, count: specs.count)
        self.unsharedRate = Array(repeating: 0, count: specs.count)
        self.unsharedStep = Array(repeating: 0, count: specs.count)
        self.currentCommFraction = Array(repeating: 0, count: specs.count)
        self.stepIntegral = Array(repeating: 0, count: specs.count)
        self.commIntegral = Array(repeating: 0, count: specs.count)
        self.firstGPUType = specs.map(\.gpuType)
        self.recorder = RunRecorder(linkSampleInterval: throughput.linkSampleInterval)
        let failuresOn = failures.map { $0.node != nil || $0.gpu != nil } ?? false
        self.failureModel = failuresOn ? failures : nil
        self.tracksCheckpoints = failuresOn
        // An interval beyond ~30 years of running time is no checkpoint at all.
        self.checkpointIntervalNanos = failuresOn
            ? (failures?.checkpointIntervalSeconds).map { SimTime.seconds(min(max($0, 1e-9), 1e9)).nanoseconds } ?? 0 : 0
        pushNextArrival()
        if failuresOn { startFailureProcesses(specs.count) }
        beyondClock = overflow
    }

    // MARK: - Run loop

    /// The time `seconds` from now for `job`'s completion or transition end; when that is past the clock's range, the
    /// event is scheduled at `.never` and the run fails after the current event (`SimulationError.beyondClock`) rather
    /// than trapping in the conversion.
    func later(by seconds: Double, job: JobID) -> SimTime {
        if let t = clock.now.adding(seconds: seconds) { return t }
        if beyondClock == nil { beyondClock = (job, seconds) }
        return .never
    }

    /// Runs until no events remain (or every job has finished, or only failures and repairs are left with nothing
    /// held or down: `onlyFailuresLeft`) and returns the outputs.
    public func run() throws(SimulationError) -> RunResult {
        while finishedCount < jobs.count, !onlyFailuresLeft, let event = events.pop() {
            // At an event boundary: everything before is fully applied, nothing of this event yet.
            // Every 16th boundary only: the CLI's answer takes a lock (about 45 ns, measured with `swiftc -O` on the
            // project's 2-core machine, against about 860 ns per event in `schedlab bench`), 0.3% asked this often,
            // and 16 events take far less than a second even in a debug build.
            if let stop = options.shouldStop, eventsProcessed & 15 == 0, stop() {
                throw .interrupted(time: clock.now, events: eventsProcessed)
            }
            try process(event)
        }
        account(to: clock.now)
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
        if event.time > recorder.nextLinkSample { recorder.sampleLinks(before: event.time, from: throughput) }
        account(to: event.time)
        eventsProcessed += 1
        switch event.payload {
        case .arrival(let id):
            pushNextArrival()
            transition(id, to: .queued)
            queue.append(id)  // arrivals pop in JobID order, so the queue stays sorted
            queuedShapes.enqueue(id)
            requestRound()
        case .completion(let id):
            // Superseded completions were re-timed or cancelled in the queue (`EventKey`): this one is current.
            assert(jobs[id.index].state == .running && !awaitingSpeed[id.index], "completion of \(id) while \(jobs[id.index].state)")
            finish(id)
            requestRound()
        case .transitionEnd(let id):
            assert(jobs[id.index].state.isTransition, "transition end of \(id) while \(jobs[id.index].state)")
            endTransition(id)
            requestRound()
        case .noiseScaleStep(let id):
            assert(jobs[id.index].state == .running && !awaitingSpeed[id.index], "noise-scale step of \(id) while \(jobs[id.index].state)")
            rerate(id)
        case .policyTimer:
            // One round at this instant, shared with any arrival or completion of the same instant.
            requestRound()
        case .schedulingRound:
            if roundPendingAt == clock.now { roundPendingAt = nil }
            try schedulingRound()
        case .failure(let target):
            pendingFailureEvents -= 1
            if fail(target) { requestRound() }
        case .repair(let target):
            pendingFailureEvents -= 1
            repair(target)
            requestRound()
        }
        flushThroughput()
        recorder.sample(UtilizationSample(
            time: clock.now, busyGPUs: cluster.busyGPUs, queuedJobs: queue.count, runningJobs: running.count + transitioningCount))
        if let overflow = beyondClock { throw .beyondClock(time: clock.now, job: overflow.job, seconds: overflow.seconds) }
        if options.checkInvariants, let problem = invariantViolation() {
            throw .invariantViolated(time: clock.now, event: event.payload, message: problem)
        }
        for o in observers { o.didProcess(event, in: self) }
        if let report = options.progress, eventsProcessed % options.progressInterval == 0 {
            report(ProgressReport(now: clock.now, events: eventsProcessed, finishedJobs: finishedCount, totalJobs: jobs.count))
        }
        if let output = options.output, eventsProcessed % max(1, options.outputInterval) == 0 {
            output(finalOutput())
        }
    }

    /// Advances the clock and integrates busy GPU-seconds up to `time`.
    func account(to time: SimTime) {
        clock.advance(to: time)
        if time > lastAccounting {
            busyGPUSeconds += Double(cluster.busyGPUs) * (time - lastAccounting).seconds
            downGPUSeconds += Double(cluster.downGPUs) * (time - lastAccounting).seconds
            if cluster.totalGuests > 0 {
                guestGPUSeconds += Double(cluster.totalGuests) * (time - lastAccounting).seconds
                sharedGPUSeconds += Double(cluster.sharedGPUs) * (time - lastAccounting).seconds
            }
            lastAccounting = time
        }
    }

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
    func requestRound() {
        guard roundPendingAt != clock.now else { return }
        roundPendingAt = clock.now
        events.push(.schedulingRound, at: clock.now, phase: EventPhase.schedulingRound.rawValue)
    }

    /// Replaces the policy's wake-up with one at `time` (moving the pending one in the queue).
    func setTimer(at time: SimTime) {
        events.schedule(.policyTimer, at: time, phase: EventPhase.schedulingRound.rawValue, key: EventKey.policyTimer(jobs: jobs.count))
    }
}
