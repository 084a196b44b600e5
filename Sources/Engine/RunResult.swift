import ClusterModel
import SimKernel

/// What happened to one job, for the `jobs` table.
public struct JobOutcome: Sendable, Equatable {
    /// Dense job ID (submission order).
    public var id: JobID
    /// The job's name in its source.
    public var name: String
    /// Submission time.
    public var submit: SimTime
    /// First start, if it ever started.
    public var firstStart: SimTime?
    /// Completion, if it finished.
    public var finish: SimTime?
    /// GPUs requested.
    public var gpus: Int
    /// GPU type it ran on (of its first placement), or its constraint if it never ran; nil if neither.
    public var gpuType: String?
    /// Zoo model name, if known.
    public var model: String?
    /// Seconds spent running (sum of run intervals).
    public var runSeconds: Double
    /// Times it was preempted.
    public var preemptions: Int
    /// Times it was migrated, resized, and started again after a preemption.
    public var migrations: Int = 0
    public var resizes: Int = 0
    public var restarts: Int = 0
    /// Seconds and GPU-seconds spent in timed transitions (restores, checkpoints, resizes, migrations).
    public var overheadSeconds: Double = 0
    public var overheadGPUSeconds: Double = 0
    /// The part of `overheadGPUSeconds` spent resizing or migrating.
    public var reallocationGPUSeconds: Double = 0
    /// GPU-seconds held (sum over its allocation intervals of GPUs × seconds).
    public var gpuSeconds: Double = 0
    /// Times a node or GPU failure killed it, and the running seconds and GPU-seconds of running time it lost.
    public var failures: Int = 0
    public var lostSeconds: Double = 0
    public var lostGPUSeconds: Double = 0
    /// Its run time alone at its requested size on its packed reference placement (the "known duration").
    public var isolatedSeconds: Double?
    /// The submitting user, when the trace says.
    public var user: String?
    /// Mean seconds per iteration over its running time (time-weighted); nil without a zoo model or if it never ran.
    public var meanIterationSeconds: Double?
    /// Mean share of an iteration spent on communication not hidden by compute (time-weighted); nil as above.
    public var communicationFraction: Double?

    /// first start − submit, seconds; nil if it never started.
    public var queueingDelaySeconds: Double? { firstStart.map { ($0 - submit).seconds } }
    /// finish − submit, seconds; nil if unfinished.
    public var jctSeconds: Double? { finish.map { ($0 - submit).seconds } }
    /// Finish-time fairness ρ: JCT ÷ the job's isolated run time (1 = as if it had its requested GPUs to itself
    /// from submission); nil if unfinished or without an isolated time.
    public var rho: Double? {
        guard let jct = jctSeconds, let iso = isolatedSeconds, iso > 0 else { return nil }
        return jct / iso
    }

    /// Creates an outcome.
    public init(
        id: JobID, name: String, submit: SimTime, firstStart: SimTime?, finish: SimTime?, gpus: Int, gpuType: String?,
        model: String?, runSeconds: Double, preemptions: Int, meanIterationSeconds: Double? = nil,
        communicationFraction: Double? = nil
    ) {
        self.meanIterationSeconds = meanIterationSeconds
        self.communicationFraction = communicationFraction
        self.id = id
        self.name = name
        self.submit = submit
        self.firstStart = firstStart
        self.finish = finish
        self.gpus = gpus
        self.gpuType = gpuType
        self.model = model
        self.runSeconds = runSeconds
        self.preemptions = preemptions
    }
}

/// One contiguous interval during which a job held some GPUs of one node.
///
/// The local GPUs are stored as a bit set (bit i: local GPU i) when they are ascending and below 64, as on every
/// shipped node template, and as an array otherwise: a preemptive run on a large trace closes about a million
/// intervals, and an array per row was a heap allocation each, whose fresh pages a tenth of such a run faulted in.
public struct AllocationInterval: Sendable, Equatable {
    /// The job.
    public var job: JobID
    /// Interval start.
    public var start: SimTime
    /// Interval end.
    public var end: SimTime
    /// The node.
    public var node: NodeID
    /// `localGPUs` as a bit set; 0 when they are in `spilled`.
    private var mask: UInt64
    /// `localGPUs` when the bit set cannot hold them (an index of 64 or more, or a list not strictly ascending).
    private var spilled: [Int]?

    /// The GPUs held, as indices local to the node (0..<GPUs per node), ascending.
    public var localGPUs: [Int] {
        get {
            if let spilled { return spilled }
            var out: [Int] = []
            out.reserveCapacity(mask.nonzeroBitCount)
            forEachLocalGPU { out.append($0) }
            return out
        }
        set { (mask, spilled) = Self.encode(newValue) }
    }

    /// Number of GPUs held.
    public var localGPUCount: Int { spilled?.count ?? mask.nonzeroBitCount }

    /// Calls `body` with each local GPU index, in `localGPUs` order, without building the array.
    @inlinable public func forEachLocalGPU(_ body: (Int) throws -> Void) rethrows {
        if let spilled = spilledGPUs {
            for g in spilled { try body(g) }
            return
        }
        var m = localGPUMask
        while m != 0 {
            try body(m.trailingZeroBitCount)
            m &= m - 1
        }
    }

    /// The bit set of the local GPUs (bit i: local GPU i), or nil when they are stored as a list.
    @usableFromInline var localGPUMask: UInt64 { mask }
    /// The local GPUs when stored as a list.
    @usableFromInline var spilledGPUs: [Int]? { spilled }

    /// Creates an interval.
    public init(job: JobID, start: SimTime, end: SimTime, node: NodeID, localGPUs: [Int]) {
        self.job = job
        self.start = start
        self.end = end
        self.node = node
        (mask, spilled) = Self.encode(localGPUs)
    }

    /// An interval whose local GPUs are the set bits of `localMask` (not 0).
    init(job: JobID, start: SimTime, end: SimTime, node: NodeID, localMask: UInt64) {
        self.job = job
        self.start = start
        self.end = end
        self.node = node
        self.mask = localMask
        self.spilled = nil
    }

    /// The stored form of a list: a bit set when strictly ascending, non-empty and within 0..<64, else the list. The
    /// form is a function of the list, so synthesized equality compares lists.
    private static func encode(_ gpus: [Int]) -> (UInt64, [Int]?) {
        var m: UInt64 = 0
        var previous = -1
        for g in gpus {
            guard g > previous && g < 64 else { return (0, gpus) }
            m |= 1 << UInt64(g)
            previous = g
        }
        return m == 0 ? (0, gpus) : (m, nil)
    }
}

/// Cluster occupancy from `time` until the next sample.
public struct UtilizationSample: Sendable, Equatable {
    /// When this state began.
    public var time: SimTime
    /// GPUs held by jobs.
    public var busyGPUs: Int
    /// Jobs waiting (queued or preempted).
    public var queuedJobs: Int
    /// Jobs running.
    public var runningJobs: Int

    /// Creates a sample.
    public init(time: SimTime, busyGPUs: Int, queuedJobs: Int, runningJobs: Int) {
        self.time = time
        self.busyGPUs = busyGPUs
        self.queuedJobs = queuedJobs
        self.runningJobs = runningJobs
    }
}

/// Utilization of one fabric link at one sample time (interconnect model only).
public struct LinkUtilizationSample: Sendable, Equatable {
    /// Sample time.
    public var time: SimTime
    /// Dense link index in the run's link graph.
    public var link: Int32
    /// Human-readable link name (e.g. "rack0 ToR up").
    public var name: String
    /// Load over capacity, 0...1.
    public var utilization: Double

    /// Creates a sample.
    public init(time: SimTime, link: Int32, name: String, utilization: Double) {
        self.time = time
        self.link = link
        self.name = name
        self.utilization = utilization
    }
}

/// A named summary number of a run.
public struct SummaryMetric: Sendable, Equatable {
    /// Metric name, e.g. "jct_p95_s".
    public var name: String
    /// Its value.
    public var value: Double

    /// Creates a metric.
    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// Everything a finished simulation produced.
public struct RunResult: Sendable {
    /// One outcome per job, by JobID.
    public var jobs: [JobOutcome]
    /// GPU holdings, in the order the intervals closed.
    public var allocations: [AllocationInterval]
    /// Occupancy at every change (consecutive identical states are merged).
    public var samples: [UtilizationSample]
    /// Summary metrics (see `RunMetrics`).
    public var summary: [SummaryMetric]
    /// Events taken off the queue.
    public var eventsProcessed: Int
    /// Simulated time of the last event.
    public var simulatedEnd: SimTime
    /// Jobs that never finished (the policy left them waiting when events ran out).
    public var unfinishedJobs: [JobID]
    /// The busiest links at each sample time (empty without the interconnect model).
    public var links: [LinkUtilizationSample]

    /// Creates a result.
    public init(
        jobs: [JobOutcome], allocations: [AllocationInterval], samples: [UtilizationSample], summary: [SummaryMetric],
        eventsProcessed: Int, simulatedEnd: SimTime, unfinishedJobs: [JobID], links: [LinkUtilizationSample] = []
    ) {
        self.links = links
        self.jobs = jobs
        self.allocations = allocations
        self.samples = samples
        self.summary = summary
        self.eventsProcessed = eventsProcessed
        self.simulatedEnd = simulatedEnd
        self.unfinishedJobs = unfinishedJobs
    }
}
