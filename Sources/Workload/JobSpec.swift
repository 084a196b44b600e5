import ClusterModel
import Models
import SimKernel

/// How much a job has to do.
public enum JobWork: Sendable, Equatable {
    /// A number of training iterations; run time follows from the speed model and the placement.
    case iterations(Double)
    /// A measured run time (from a trace) that holds at the requested size and GPU type.
    case duration(SimTime)
}

/// Everything known about a job when it is submitted.
public struct JobSpec: Sendable, Equatable {
    /// Dense ID, in submission order.
    public var id: JobID
    /// The job's name in its source (trace job_id, or "job-<n>" for synthetic jobs).
    public var name: String
    /// When the job arrives.
    public var submitTime: SimTime
    /// GPUs it needs, all at once (gang scheduled); its work is defined at this size.
    public var gpuCount: Int
    /// GPU counts it can run at, for a job that can be resized; nil for a rigid job (exactly `gpuCount`).
    public var gpuRange: ClosedRange<Int>?
    /// Samples per iteration over all GPUs when the job shards a fixed global batch over whatever GPUs it holds
    /// (local batch = global / GPUs; an elastic data-parallel job). Nil: each GPU keeps its zoo model's reference
    /// batch and the job's work is defined at its requested size (see `WorkRate`).
    public var globalBatch: Int?
    /// Whether the job picks its global batch for each allocation to maximize its goodput (Pollux's batch-size
    /// co-adaptation, done by each job's AdaptDL agent); the engine sets it for elastic jobs whose zoo model has an
    /// efficiency profile when the policy adapts batch sizes (`SchedulingPolicy.adaptsBatchSize`).
    public var adaptiveBatch = false
    /// Index into `ModelZoo.all`, or nil when the source does not say (a trace without model info).
    public var model: Int?
    /// The work to do.
    public var work: JobWork
    /// Required GPU type name, or nil for any type.
    public var gpuType: String?
    /// Submitting user, when known.
    public var user: String?
    /// Priority; higher is more important (policies may ignore it).
    public var priority: Int
    /// The job's final status in its source trace (e.g. Pass, Failed, Killed), when known.
    public var status: String?
    /// Share of one GPU requested, in thousandths, for fractional 1-GPU requests (Alibaba openb); nil = whole
    /// GPUs. Recorded only: SchedLab allocates whole GPUs.
    public var gpuMilli: Int?
    /// The terms of the job's tenant (its `user`) when the scenario names them (`tenants:`): weight and GPU quota,
    /// for fairness policies.
    public var tenant: TenantTerms? = nil

    /// Creates a job spec.
    public init(
        id: JobID, name: String, submitTime: SimTime, gpuCount: Int, model: Int?, work: JobWork,
        gpuType: String? = nil, user: String? = nil, priority: Int = 0
    ) {
        self.id = id
        self.name = name
        self.submitTime = submitTime
        self.gpuCount = gpuCount
        self.model = model
        self.work = work
        self.gpuType = gpuType
        self.user = user
        self.priority = priority
    }

    /// GPU counts a start or resize may give it.
    @inlinable public var allowedGPUCounts: ClosedRange<Int> { gpuRange ?? gpuCount...gpuCount }

    /// The zoo model, if known.
    public var zooModel: ZooModel? { model.map { ModelZoo.all[$0] } }
}
