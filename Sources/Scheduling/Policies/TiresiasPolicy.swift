import ClusterModel
import SimKernel
import Workload

/// Tiresias' discretized two-dimensional least-attained-service scheduler, 2D-LAS (Gu, Chowdhury, Shin, Zhu,
/// Jeon, Qian, Liu, Guo, "Tiresias: A GPU Cluster Manager for Distributed Deep Learning", NSDI 2019: the
/// "Discretized 2D-LAS" scheduler of its design section), the information-agnostic variant by default, and with
/// `order: gittins` the paper's Discretized 2D-Gittins scheduler for when the distribution of job service is known
/// (no profile-based placement in either), cross-checked against the authors' simulator (`dlas_sim_jobs` in
/// `simulator/run_sim.py`, schedules `dlas-gpu` and `dlas-gpu-gittins`).
///
/// Variant implemented, with every detail the paper leaves open and the choice made here:
/// - **Service** (`service`): attained GPU-time, the paper's two dimensions (seconds × GPUs held, summed over
///   allocation intervals), by default; `time` uses plain seconds held (one-dimensional LAS, the simulator's
///   `dlas`; GPU-time is its `dlas-gpu`). Service is `ClusterSnapshot.attainedService`: time *holding* GPUs, so timed restores and
///   checkpoints count as service.
/// - **Queues** (`queue_thresholds_gpu_s`): K thresholds give K+1 queues; queue q holds jobs whose service (since
///   their last promotion, see below) is in [threshold q−1, threshold q). Default [3250, 7200] GPU-seconds, the
///   values of the authors' simulator (github.com/SymbioticLab/Tiresias, `simulator/jobs.py`: `queue_limit`
///   3250, 7200, 18000 with `num_queue` 3, so only the first two are used). With `service: time` the same
///   numbers are seconds. A job within 1 µs(GPU)·s of a threshold counts as having reached it (float slack).
/// - **Demotion is exact**: the policy asks for a wake-up at the earliest moment a running job (or one it starts
///   this round) reaches its next threshold, now + (threshold − service) / GPUs held (/ 1 for `time`), rounded
///   up to the nanosecond, so the round that demotes it runs at that instant, not at the next arrival or
///   completion. (The authors' simulator does the same with whole seconds.) A job in a timed transition when it
///   crosses is re-ranked at the round that ends the transition.
/// - **Queue membership** follows from attained service minus the job's baseline (0 until it is promoted), not
///   from sticky state; with increasing thresholds this equals the simulator's one-level-at-a-time demotion, since
///   every crossing gets its own round. Without promotion the queues are kept across rounds and updated by what
///   changed (`TiresiasLevels`); with it they are rebuilt every round. Both give the same rounds.
/// - **Order** (`order`): queues from highest (least service) to lowest; within a queue, by default
///   (`running-first`), running jobs ahead of waiting ones (the authors' simulator moves pending jobs to the back of
///   their queue after every round), then submission order (JobID) — FIFO inside a queue, as in the paper. New jobs
///   enter the top queue. With `arrival`, a queue keeps the order jobs entered it, running or not: the top queue by
///   the round that first saw each job, lower queues by the round that first saw the job there (demotion order), ties
///   by JobID — the Pollux artifact's Tiresias (petuum/adaptdl, branch `osdi21-artifact`, `simulator/tiresias.py`:
///   `_queue_0.append` for new jobs, `_queue_1.append` on demotion, statuses assigned by walking the two lists). A
///   waiting job that entered its queue before a running one then outranks it, and preempts it once it fits: the
///   backfilled jobs of a queue are preempted for the older jobs they overtook. Rounds with `arrival` rebuild the
///   queues every round, as with promotion.
/// - **2D-Gittins** (`order: gittins`): inside a queue, jobs by their Gittins index (`GittinsIndex`) at their
///   effective service, highest first, running or not, then JobID; queues and demotion are as above. The index needs
///   a service distribution: `gittins_samples_gpu_s` (samples of job service, in the service's unit, e.g. from a
///   cluster's history), or by default every job of the run's workload, each at its estimated duration (the run time
///   at its requested size on a packed placement) × its GPUs (× 1 with `service: time`): the distribution is known,
///   each job's own size is not (the paper's premise). The quantum Δ (`gittins_delta_gpu_s`) defaults to the first
///   queue threshold (the simulator's static `gittins_delta` 3250 equals its first `queue_limit`). Indices are
///   evaluated at each round (arrivals, completions, demotions), as the simulator re-ranks at its events, so a running
///   job whose index falls below a waiting one's in the same queue is preempted at the next round. The simulator breaks
///   ties by later submission first (its sort is reversed on both keys); JobID (earlier first) is used here.
/// - **Packing**: the desired running set is built greedily in that order over all running and waiting jobs;
///   jobs that do not fit in the capacity left are skipped (the simulator's fit-first inside FIFO), GPUs counted
///   per eligible type (`PriorityRunningSet`). A running job that no longer fits is preempted; one that stays
///   keeps its GPUs (no migration). Placement is the run's strategy (the paper's consolidation step is not
///   modelled here; use `topology-aware` or `packed` placement for it).
/// - **Starvation** (`promote_after`, off by default): the paper's starvation avoidance, parameterised as the
///   simulator's `solve_starvation` multiple S. A waiting job below the top queue that has run since its last
///   promotion goes back to the top queue once its current wait (since it last stopped: the round that preempted
///   it, or the round that first saw it waiting) is at least S × its executed time (seconds held since its last
///   promotion, the simulator's `executed_time`). Promotion resets its service baseline to its attained service
///   then (the one piece of per-job state besides the wait start), so it re-enters the top queue with zero
///   effective service and is demoted again as it runs. The policy wakes up at the earliest due promotion. (The
///   simulator instead accumulates all pending time since the last promotion across waiting spells; the current
///   spell is used here.)
/// - **Interval** (`interval_s`, off by default): decide only at interval boundaries, as the Pollux simulator runs every
///   policy (60 s); arrivals wait for the next boundary and demotions are seen there.
/// - Jobs in a timed transition cannot be preempted: they keep their GPUs and are left out of the ordering
///   until the transition ends. Like `srtf`, the policy assumes a preemption frees its GPUs at once (free
///   checkpoints). Jobs run on exactly their requested GPU count.
/// - Complexity: without promotion, on one GPU type, O(R + A log J) per round for R running jobs and A jobs that
///   arrived, started, stopped or changed queue, plus the waiting jobs the admission reaches and placements; with
///   promotion or several types, O(J log J + J × 2^k) for J running and waiting jobs and k GPU types.
public struct TiresiasPolicy: SchedulingPolicy {
    public static let name = "tiresias"

    /// What attained service counts.
    public enum Service: String, Sendable, Equatable, CaseIterable {
        /// GPU-seconds held (2D-LAS).
        case gpuTime = "gpu-time"
        /// Seconds held (1D LAS).
        case time
    }

    /// The order of the jobs inside one queue.
    public enum Order: String, Sendable, Equatable, CaseIterable {
        /// Running jobs ahead of waiting ones, then JobID (the Tiresias authors' simulator).
        case runningFirst = "running-first"
        /// The order jobs entered the queue, running or not, then JobID (the Pollux artifact's Tiresias).
        case arrival
        /// The Gittins index at each job's service, highest first, running or not, then JobID (Discretized 2D-Gittins).
        case gittins
    }

    /// Scenario parameters of `tiresias`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// What attained service counts.
        public var service: Service = .gpuTime
        /// Queue thresholds in the service's unit (GPU-seconds, or seconds with `time`), increasing, > 0.
        public var queueThresholds: [Double] = [3250, 7200]
        /// Starvation promotion: a waiting job returns to the top queue after waiting this many times its executed
        /// time; nil = off.
        public var promoteAfter: Double?
        /// Seconds between rounds when the policy decides only at interval boundaries (as the Pollux simulator runs
        /// every policy, `simulator/simulator.py`, 60 s); nil = at every event (arrivals, completions, demotions).
        public var intervalSeconds: Double?
        /// The order inside a queue.
        public var order: Order = .runningFirst
        /// With `Order.gittins`: the index's quantum Δ in the service's unit; nil = the first queue threshold.
        public var gittinsDelta: Double?
        /// With `Order.gittins`: samples of job service (the service's unit) the index is computed over; nil = every
        /// job of the run at its estimated duration × GPUs (× 1 with `time`).
        public var gittinsSamples: [Double]?

        /// Most samples `gittins_samples_gpu_s` may list.
        public static let maxGittinsSamples = 1_000_000
        /// Largest quantum or sample accepted, in the service's unit (about 3 × 10^7 GPU-years).
        public static let maxGittinsService = 1e15  // the error messages write it as 1e15

        static let documentation = [
            "service: gpu-time (GPU-seconds held, 2D-LAS) or time (seconds held) (gpu-time)",
            "queue_thresholds_gpu_s: increasing thresholds > 0 between the queues, in GPU-s (s with service: time) ([3250, 7200])",
            "promote_after: S > 0: a waiting job returns to the top queue after waiting S × its executed time (off)",
            "interval_s: decide only every interval_s seconds, 1 to 1e9 (off: at every event)",
            "order: inside a queue, running-first (running jobs, then JobID), arrival (the order jobs entered the "
                + "queue, running or not, as the Pollux artifact's Tiresias) or gittins (Gittins index of each job's service, "
                + "highest first: Discretized 2D-Gittins) (running-first)",
            "gittins_delta_gpu_s: with order: gittins, the index's service quantum, in (0, 1e15] (the first queue threshold)",
            "gittins_samples_gpu_s: with order: gittins, 1 to 1000000 samples of job service the index is computed over, "
                + "each in [0, 1e15] (every job of the workload at its estimated duration x GPUs)",
        ]

        /// Default parameters.
        public init(
            service: Service = .gpuTime, queueThresholds: [Double] = [3250, 7200], promoteAfter: Double? = nil,
            intervalSeconds: Double? = nil, order: Order = .runningFirst, gittinsDelta: Double? = nil,
            gittinsSamples: [Double]? = nil
        ) {
            self.intervalSeconds = intervalSeconds
            self.order = order
            self.gittinsDelta = gittinsDelta
            self.gittinsSamples = gittinsSamples
            self.service = service
            self.queueThresholds = queueThresholds
            self.promoteAfter = promoteAfter
        }

        private enum CodingKeys: String, CodingKey {
            case service, queueThresholds = "queue_thresholds_gpu_s", promoteAfter = "promote_after", intervalSeconds = "interval_s"
            case order, gittinsDelta = "gittins_delta_gpu_s", gittinsSamples = "gittins_samples_gpu_s"
        }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: [
                "service", "queue_thresholds_gpu_s", "promote_after", "interval_s", "order", "gittins_delta_gpu_s",
                "gittins_samples_gpu_s",
            ])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let name = try c.decodeIfPresent(String.self, forKey: .service) {
                guard let s = Service(rawValue: name) else {
                    throw c.invalid(.service, "expected one of: \(Service.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'")
                }
                service = s
            }
            if let t = try c.decodeIfPresent([Double].self, forKey: .queueThresholds) {
                guard !t.isEmpty else {
                    throw c.invalid(.queueThresholds, "expected a non-empty list of increasing numbers > 0")
                }
                for (i, x) in t.enumerated() {
                    func at(_ message: String) -> DecodingError {
                        DecodingError.dataCorrupted(DecodingError.Context(
                            codingPath: c.codingPath + [CodingKeys.queueThresholds, AnyCodingKey(intValue: i)!],
                            debugDescription: message))
                    }
                    guard x.isFinite && x > 0 else { throw at("expected a number > 0, got \(x)") }
                    if i > 0 && x <= t[i - 1] {
                        throw at("thresholds must increase: \(x) follows \(t[i - 1])")
                    }
                }
                queueThresholds = t
            }
            if let p = try c.decodeIfPresent(Double.self, forKey: .promoteAfter) {
                guard p.isFinite && p > 0 else {
                    throw c.invalid(.promoteAfter, "expected a number > 0 (omit it to turn promotion off), got \(p)")
                }
                promoteAfter = p
            }
            if let name = try c.decodeIfPresent(String.self, forKey: .order) {
                guard let o = Order(rawValue: name) else {
                    throw c.invalid(.order, "expected one of: \(Order.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'")
                }
                order = o
            }
            if c.contains(.intervalSeconds) {
                intervalSeconds = try GreedyElasticAllocation.decodeInterval(c, .intervalSeconds, default: 60)
            }
            for key in [CodingKeys.gittinsDelta, .gittinsSamples] where c.contains(key) && order != .gittins {
                throw c.invalid(key, "applies only with order: gittins (order is \(order.rawValue))")
            }
            if let d = try c.decodeIfPresent(Double.self, forKey: .gittinsDelta) {
                guard d.isFinite && d > 0 && d <= Self.maxGittinsService else {
                    throw c.invalid(.gittinsDelta, "expected a number in (0, 1e15], got \(d)")
                }
                gittinsDelta = d
            }
            if let samples = try c.decodeIfPresent([Double].self, forKey: .gittinsSamples) {
                guard (1...Self.maxGittinsSamples).contains(samples.count) else {
                    throw c.invalid(.gittinsSamples, "expected 1 to \(Self.maxGittinsSamples) samples, got \(samples.count)")
                }
                for (i, x) in samples.enumerated() where !(x.isFinite && x >= 0 && x <= Self.maxGittinsService) {
                    throw DecodingError.dataCorrupted(DecodingError.Context(
                        codingPath: c.codingPath + [CodingKeys.gittinsSamples, AnyCodingKey(intValue: i)!],
                        debugDescription: "expected a number in [0, 1e15], got \(x)"))
                }
                gittinsSamples = samples
            }
        }
    }

    /// The parameters in force.
    public let parameters: Parameters
    /// Service at each job's last promotion (zero until promoted), by JobID index.
    private var baseline: [AttainedService] = []
    /// When each waiting job's current wait began (nanoseconds; -1 while not waiting or not yet seen), by index.
    private var waitingSince: [Int64] = []
    /// Each waiting job's queue, fixed for its wait (a waiting job's service does not change; a promotion
    /// recomputes it), by index, -1 until computed for the current wait: computing it afresh for every waiting job of
    /// every round dominated long queues.
    private var waitingQueue: [Int] = []
    /// The wake-up last requested.
    private var requestedWake: SimTime?
    /// The round that started, preempted or saw running each job, by index (round scratch: marks instead of sets).
    private var startedIn: [UInt32] = []
    private var stoppedIn: [UInt32] = []
    private var seenIn: [UInt32] = []
    private var round: UInt32 = 0
    /// The running jobs of the last round, ascending, and whether each job is among them, by index.
    private var runningByID: [JobID] = []
    private var listed: [Bool] = []
    /// Each running job's allocation interval, by index (`known` false until read from its status).
    private var held: [Interval] = []
    /// Each job's requested GPUs (−1 until read) and whether it may use GPU type 0, by index: both fixed.
    private var request: [Int] = []
    private var usesTypeZero: [Bool] = []
    /// Each running job's effective service this round, by index (round scratch).
    private var serviceNow: [Double] = []
    /// With `Order.arrival`: the queue each job was last seen in (−1 until seen) and the round it was first seen
    /// there, by index.
    private var seenLevel: [Int] = []
    private var enteredIn: [UInt32] = []
    /// With `Order.gittins`: the index, built at the first round (from the run's jobs unless samples were given), and
    /// each waiting job's index, fixed for its wait as its queue is (NaN until computed), by index.
    private var gittins: GittinsIndex?
    private var waitingIndex: [Double] = []
    /// With `Order.gittins`: where each job's service last stood among the index's samples, by index.
    private var gittinsCursor: [GittinsIndex.Cursor] = []
    /// The round's order by queue, kept to reuse their storage.
    private var runningByQueue: [[PriorityRunningSet.Entry]] = []
    private var waitingByQueue: [[PriorityRunningSet.Entry]] = []
    /// Promotions so far.
    public private(set) var promotions = 0
    /// The next round in interval mode (`Parameters.intervalSeconds`).
    private var nextBoundary = SimTime.zero
    /// The queues kept across rounds, for rounds without starvation promotion (see `TiresiasLevels`).
    private var levels: TiresiasLevels

    /// A service difference this close below a threshold counts as having reached it.
    static let slack = 1e-6

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) {
        self.parameters = parameters
        levels = TiresiasLevels(thresholds: parameters.queueThresholds, service: parameters.service)
        runningByQueue = Array(repeating: [], count: parameters.queueThresholds.count + 1)
        waitingByQueue = Array(repeating: [], count: parameters.queueThresholds.count + 1)
    }

    // NOTE: the helpers below have static forms that take what they read: called from the mutating round, instance
    // methods made Swift copy the whole policy (every array of it) per call.

    /// The measure of `a` under `service`.
    @inline(__always) static func measure(_ a: AttainedService, _ service: Service) -> Double {
        service == .gpuTime ? a.gpuSeconds : a.seconds
    }

    /// The queue (0 = top) of a job with effective service `x`.
    public func queue(forService x: Double) -> Int { Self.queue(forService: x, thresholds: parameters.queueThresholds) }

    /// The queue (0 = top) of a job with effective service `x` under `thresholds`.
    @inline(__always) static func queue(forService x: Double, thresholds: [Double]) -> Int {
        var q = 0
        while q < thresholds.count && x >= thresholds[q] - slack { q += 1 }
        return q
    }

    /// Effective service of `id` now: attained service since its last promotion (`baseline`, by index).
    private static func effectiveService(
        of id: JobID, _ s: ClusterSnapshot, baseline: [AttainedService], service: Service
    ) -> Double {
        let b = id.index < baseline.count ? measure(baseline[id.index], service) : 0
        return measure(s.attainedService(of: id), service) - b
    }

    /// The queue (0 = top) `id` is in now.
    public func queue(of id: JobID, in s: ClusterSnapshot) -> Int {
        Self.queue(
            forService: Self.effectiveService(of: id, s, baseline: baseline, service: parameters.service),
            thresholds: parameters.queueThresholds)
    }

    /// `now` plus `seconds` rounded up to the next nanosecond, and at least 1 ns later.
    static func after(_ now: SimTime, seconds: Double) -> SimTime {
        let ns = (seconds * 1e9).rounded(.up)
        guard ns.isFinite && ns < Double(SimTime.never.nanoseconds - now.nanoseconds) else { return .never }
        return SimTime(nanoseconds: now.nanoseconds + max(1, Int64(ns)))
    }

    /// When a job waiting since `since` with `executed` seconds since its last promotion is due for promotion.
    private static func promotionDue(since: Int64, executed: Double, knob: Double) -> SimTime {
        let ns = (knob * executed * 1e9).rounded(.up)
        guard ns.isFinite && ns < Double(SimTime.never.nanoseconds - since) else { return .never }
        return SimTime(nanoseconds: since + Int64(ns))
    }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        guard let interval = parameters.intervalSeconds else { return round(s, planner: &planner) }
        // Interval mode: one round per boundary; its own wake-ups (demotions, promotions) wait for the next boundary.
        guard s.now >= nextBoundary else { return [.wakeUp(at: nextBoundary)] }
        nextBoundary = s.now + .seconds(interval)
        var decisions = round(s, planner: &planner).filter { if case .wakeUp = $0 { return false } else { return true } }
        if !s.queue.isEmpty || !s.running.isEmpty || !decisions.isEmpty { decisions.append(.wakeUp(at: nextBoundary)) }
        return decisions
    }

    /// One 2D-LAS round: the desired running set, its preemptions and starts, and the next wake-up it needs.
    private mutating func round(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        guard parameters.promoteAfter != nil || parameters.order != .runningFirst else {
            // Without promotion, a job's queue changes only as it runs: the queues are kept across rounds.
            var (decisions, next) = levels.round(s, planner: &planner)
            if next != .never && next != requestedWake {
                decisions.append(.wakeUp(at: next))
                requestedWake = next
            }
            return decisions
        }
        // With promotion, every waiting job may be due at any round: the queues are rebuilt from every job.
        let now = s.now
        let thresholds = parameters.queueThresholds
        let service = parameters.service
        /// The queue of `id` now (as `queue(of:in:)`, without copying the policy).
        func level(of id: JobID, baseline: [AttainedService]) -> Int {
            Self.queue(forService: Self.effectiveService(of: id, s, baseline: baseline, service: service), thresholds: thresholds)
        }
        if baseline.count < s.jobs.count {
            let extra = s.jobs.count - baseline.count
            baseline.append(contentsOf: repeatElement(AttainedService(seconds: 0, gpuSeconds: 0), count: extra))
            waitingSince.append(contentsOf: repeatElement(-1, count: extra))
            waitingQueue.append(contentsOf: repeatElement(-1, count: extra))
            startedIn.append(contentsOf: repeatElement(0, count: extra))
            stoppedIn.append(contentsOf: repeatElement(0, count: extra))
            seenIn.append(contentsOf: repeatElement(0, count: extra))
            listed.append(contentsOf: repeatElement(false, count: extra))
            held.append(contentsOf: repeatElement(Interval(), count: extra))
            request.append(contentsOf: repeatElement(-1, count: extra))
            usesTypeZero.append(contentsOf: repeatElement(false, count: extra))
            serviceNow.append(contentsOf: repeatElement(0, count: extra))
            seenLevel.append(contentsOf: repeatElement(-1, count: extra))
            enteredIn.append(contentsOf: repeatElement(0, count: extra))
            waitingIndex.append(contentsOf: repeatElement(.nan, count: extra))
            // 48 bytes a job: only for the order that reads it.
            if parameters.order == .gittins {
                gittinsCursor.append(contentsOf: repeatElement(GittinsIndex.Cursor(), count: extra))
            }
        }
        if parameters.order == .gittins && gittins == nil { gittins = Self.makeGittinsIndex(parameters, s) }
        // Marks by JobID index rather than sets: no hashing per job per round.
        round &+= 1
        if round == 0 {  // wrapped: clear the marks so an old round cannot look current
            for i in startedIn.indices { startedIn[i] = 0; stoppedIn[i] = 0; seenIn[i] = 0 }
            round = 1
        }
        let stamp = round

        // Waiting spells, and starvation promotion.
        for id in s.running {
            waitingSince[id.index] = -1
            waitingQueue[id.index] = -1
            waitingIndex[id.index] = .nan
            seenIn[id.index] = stamp
        }
        for id in s.queue {
            let i = id.index
            if waitingSince[i] < 0 { waitingSince[i] = now.nanoseconds }
            // Computed once the job really waits (a preempted job may still be checkpointing, and gain service).
            if waitingQueue[i] < 0 { waitingQueue[i] = level(of: id, baseline: baseline) }
            guard let knob = parameters.promoteAfter else { continue }
            let attained = s.attainedService(of: id)
            let executed = attained.seconds - baseline[i].seconds
            guard executed > 0, waitingQueue[i] > 0 else { continue }
            if Self.promotionDue(since: waitingSince[i], executed: executed, knob: knob) <= now {
                baseline[i] = attained
                waitingQueue[i] = level(of: id, baseline: baseline)
                waitingIndex[i] = .nan
                promotions += 1
            }
        }

        // Running jobs in JobID order: the list kept from the last round, less the jobs that stopped, plus the new
        // ones (sorting every running job every round dominated).
        var kept = 0
        for k in runningByID.indices {
            let id = runningByID[k]
            if seenIn[id.index] == stamp {
                runningByID[kept] = id
                kept += 1
            } else {
                listed[id.index] = false
                held[id.index].known = false
            }
        }
        runningByID.removeLast(runningByID.count - kept)
        var arrived: [JobID] = []
        for id in s.running where !listed[id.index] {
            listed[id.index] = true
            arrived.append(id)
        }
        if !arrived.isEmpty {
            arrived.sort()
            runningByID = Self.merge(runningByID, arrived)
        }

        // Queues high to low; running ahead of waiting; then JobID. A running job's service comes from its open
        // allocation interval, kept per job (closed service, start, GPUs) so that a round reads no job status for it.
        let levels = parameters.queueThresholds.count + 1
        for q in 0..<levels {
            runningByQueue[q].removeAll(keepingCapacity: true)
            waitingByQueue[q].removeAll(keepingCapacity: true)
        }
        for id in runningByID {
            let i = id.index
            if !held[i].known { held[i] = Interval(s.jobs[i]) }
            #if SIM_INTERNAL_CHECKS
            assert(held[i].service(at: now) == s.attainedService(of: id), "stale interval of running \(id)")
            assert(held[i].gpus == s.jobs[i].allocation.gpus.count, "stale GPU count of running \(id)")
            #endif
            let x = Self.measure(held[i].service(at: now), service) - Self.measure(baseline[i], service)
            serviceNow[i] = x
            runningByQueue[Self.queue(forService: x, thresholds: thresholds)].append(
                PriorityRunningSet.Entry(id: id, kind: .running, gpus: held[i].gpus, usesTypeZero: true))
        }
        for id in s.queue {
            let i = id.index
            if request[i] < 0 {
                request[i] = s.jobs[i].spec.gpuCount
                usesTypeZero[i] = s.jobs[i].eligibleTypes.bits & 1 != 0
            }
            waitingByQueue[waitingQueue[i]].append(
                PriorityRunningSet.Entry(id: id, kind: .waiting, gpus: request[i], usesTypeZero: usesTypeZero[i]))
        }
        #if SIM_INTERNAL_CHECKS
        for id in s.queue { assert(waitingQueue[id.index] == level(of: id, baseline: baseline), "stale queue of waiting \(id)") }
        #endif
        var order: [PriorityRunningSet.Entry] = []
        order.reserveCapacity(s.running.count + s.queue.count)
        if parameters.order == .arrival {
            // Each job's entry into its queue: the round that first saw it there (rounds are numbered in time order;
            // the wrap above restarts them only after 2^32 rounds).
            for q in 0..<levels {
                for e in runningByQueue[q] + waitingByQueue[q] where seenLevel[e.id.index] != q {
                    seenLevel[e.id.index] = q
                    enteredIn[e.id.index] = stamp
                }
            }
            for q in 0..<levels {
                let entered = enteredIn
                order += (runningByQueue[q] + waitingByQueue[q]).sorted {
                    (entered[$0.id.index], $0.id) < (entered[$1.id.index], $1.id)
                }
            }
        } else if let gittins {
            // Each job's index at its effective service: a running job's from this round's service, a waiting job's
            // once per wait (its service does not change while it waits). The running jobs that come before every
            // waiting one (those above the highest queue with a waiting job, and those of that queue ranked above all
            // of its waiting jobs) all fit, since they hold their GPUs: their order decides nothing, so they keep
            // JobID order, unsorted, and the first group needs no index at all (most running jobs of a long trace).
            let contested = (0..<levels).first { !waitingByQueue[$0].isEmpty } ?? levels
            for q in 0..<contested { order += runningByQueue[q] }
            var ranked: [(index: Double, entry: PriorityRunningSet.Entry)] = []
            for q in contested..<levels {
                ranked.removeAll(keepingCapacity: true)
                var highestWaiting = -Double.infinity
                for e in waitingByQueue[q] {
                    let i = e.id.index
                    if waitingIndex[i].isNaN {
                        waitingIndex[i] = gittins.index(
                            atService: Self.effectiveService(of: e.id, s, baseline: baseline, service: service),
                            cursor: &gittinsCursor[i])
                    }
                    #if SIM_INTERNAL_CHECKS
                    let fresh = gittins.index(atService: Self.effectiveService(of: e.id, s, baseline: baseline, service: service))
                    assert(waitingIndex[i].bitPattern == fresh.bitPattern, "stale Gittins index of waiting \(e.id)")
                    #endif
                    ranked.append((waitingIndex[i], e))
                    highestWaiting = max(highestWaiting, waitingIndex[i])
                }
                for e in runningByQueue[q] {
                    let i = e.id.index
                    let index = gittins.index(atService: serviceNow[i], cursor: &gittinsCursor[i])
                    // In the contested queue, a running job ranked above every waiting one of it extends the
                    // running-only prefix: no place to sort it into.
                    if q == contested && index > highestWaiting { order.append(e) } else { ranked.append((index, e)) }
                }
                ranked.sort { $0.index != $1.index ? $0.index > $1.index : $0.entry.id < $1.entry.id }
                for r in ranked { order.append(r.entry) }
            }
            #if SIM_INTERNAL_CHECKS
            // Every queue in index order (the running-only prefix sorted too) decides the same. `order` holds each
            // queue's jobs together, queue after queue.
            var full: [PriorityRunningSet.Entry] = []
            var k = 0
            for q in 0..<levels {
                let count = runningByQueue[q].count + waitingByQueue[q].count
                full += order[k..<(k + count)].sorted {
                    let i = $0.kind == .waiting ? waitingIndex[$0.id.index] : gittins.index(atService: serviceNow[$0.id.index])
                    let j = $1.kind == .waiting ? waitingIndex[$1.id.index] : gittins.index(atService: serviceNow[$1.id.index])
                    return i != j ? i > j : $0.id < $1.id
                }
                k += count
            }
            var plannerCopy = planner
            var preemptedCopy: [JobID] = []
            let fullDecisions = PriorityRunningSet.decisions(order: full, s, planner: &plannerCopy, preempted: &preemptedCopy)
            var orderCopy = planner
            var preemptedOrder: [JobID] = []
            let orderDecisions = PriorityRunningSet.decisions(order: order, s, planner: &orderCopy, preempted: &preemptedOrder)
            assert(fullDecisions == orderDecisions, "Gittins: the uncontested prefix's order changed the decisions")
            #endif
        } else {
            for q in 0..<levels {
                order += runningByQueue[q]
                order += waitingByQueue[q]
            }
        }
        var preempted: [JobID] = []
        var decisions = PriorityRunningSet.decisions(order: order, s, planner: &planner, preempted: &preempted)
        for id in preempted { waitingSince[id.index] = now.nanoseconds }

        // The next instant something changes rank: a holder reaching its next threshold, or a due promotion.
        var next = SimTime.never
        func crossing(service x: Double, gpus: Int) {
            let q = Self.queue(forService: x, thresholds: thresholds)
            guard q < thresholds.count, gpus > 0 else { return }
            let rate = service == .gpuTime ? Double(gpus) : 1
            next = min(next, Self.after(now, seconds: (thresholds[q] - x) / rate))
        }
        for d in decisions {
            if case .start(let id, let gpus) = d {
                startedIn[id.index] = stamp
                waitingIndex[id.index] = .nan  // its next wait follows new service
                held[id.index].known = false  // a new allocation interval begins
                crossing(service: Self.effectiveService(of: id, s, baseline: baseline, service: service), gpus: gpus.count)
            }
        }
        for id in preempted {
            stoppedIn[id.index] = stamp
            held[id.index].known = false
        }
        for id in runningByID where stoppedIn[id.index] != stamp { crossing(service: serviceNow[id.index], gpus: held[id.index].gpus) }
        if let knob = parameters.promoteAfter {
            for id in Array(s.queue) + preempted where startedIn[id.index] != stamp {
                let i = id.index
                let executed = s.attainedService(of: id).seconds - baseline[i].seconds
                guard executed > 0, level(of: id, baseline: baseline) > 0 else { continue }
                next = min(next, max(Self.promotionDue(since: waitingSince[i], executed: executed, knob: knob),
                                     SimTime(nanoseconds: now.nanoseconds + 1)))
            }
        }
        if next != .never && next != requestedWake {
            decisions.append(.wakeUp(at: next))
            requestedWake = next
        }
        return decisions
    }

    /// The Gittins index `parameters` ask for: over their samples, or over every job of the run at its estimated
    /// duration × GPUs (× 1 with `time`); quantum `gittins_delta_gpu_s`, or the first threshold.
    private static func makeGittinsIndex(_ parameters: Parameters, _ s: ClusterSnapshot) -> GittinsIndex {
        let quantum = parameters.gittinsDelta ?? parameters.queueThresholds[0]
        if let samples = parameters.gittinsSamples { return GittinsIndex(samples: samples, quantum: quantum) }
        var samples: [Double] = []
        samples.reserveCapacity(s.jobs.count)
        for j in s.jobs {
            let seconds = j.estimatedDuration.seconds
            let x = parameters.service == .gpuTime ? seconds * Double(j.spec.gpuCount) : seconds
            if x.isFinite && x >= 0 && x <= Parameters.maxGittinsService { samples.append(x) }
        }
        // A run with no job of estimable size has nothing to learn from: one sample at 0 ranks every job alike (G = 0).
        return GittinsIndex(samples: samples.isEmpty ? [0] : samples, quantum: quantum)
    }

    /// Two ascending lists merged into one.
    private static func merge(_ a: [JobID], _ b: [JobID]) -> [JobID] {
        var out: [JobID] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                out.append(a[i]); i += 1
            } else {
                out.append(b[j]); j += 1
            }
        }
        return out
    }

    /// A running job's allocation interval as its status gives it: the service of its closed intervals, when the
    /// open one began, and its GPUs. None of them changes while it keeps running (the engine closes the interval only
    /// when the job stops, which this policy sees as a preemption, a completion or a failure).
    struct Interval {
        var known = false
        var closedSeconds = 0.0
        var closedGPUSeconds = 0.0
        var since = SimTime.zero
        var gpus = 0

        init() {}

        init(_ status: borrowing JobStatus) {
            known = true
            closedSeconds = status.runSeconds
            closedGPUSeconds = status.gpuSeconds
            since = status.heldSince ?? SimTime.zero
            gpus = status.allocation.gpus.count
        }

        /// `ClusterSnapshot.attainedService` of the job at `now`, computed the same way.
        @inline(__always) func service(at now: SimTime) -> AttainedService {
            var s = AttainedService(seconds: closedSeconds, gpuSeconds: closedGPUSeconds)
            let dt = (now - since).seconds
            s.seconds += dt
            s.gpuSeconds += dt * Double(gpus)
            return s
        }
    }
}
