/// One job as it will be written to SchedLab's canonical trace CSV, before sorting and rebasing.
///
/// Converters fill it from a raw trace; `submitTime` may be on any clock (Unix seconds, a trace-relative
/// clock): `CanonicalTraceWriter` rebases the rows it writes so the earliest submit is 0.
public struct CanonicalTraceRow: Sendable, Equatable {
    /// The job's ID in its source (with a cluster prefix where the format needs one to be unique).
    public var jobID: String
    /// Submit time, seconds, on the source's clock.
    public var submitTime: Double
    /// GPUs requested (>= 1).
    public var gpuCount: Int
    /// Run time, seconds (> 0).
    public var duration: Double
    /// SchedLab GPU catalog name, or nil for any type.
    public var gpuType: String?
    /// Zoo model name, or nil when unknown.
    public var model: String?
    /// Submitting user, when known.
    public var user: String?
    /// Final status in the source (Pass, Failed, Running, ...), when known.
    public var status: String?
    /// Share of one GPU a 1-GPU job asked for, in thousandths (1...1000), or nil for whole GPUs.
    public var gpuMilli: Int?
    /// Global batch of a job that trains for `epochs` (nil: the model's base batch, or not such a job).
    public var batchSize: Int? = nil
    /// Epochs an elastic job trains its zoo model for (its work; `duration` is then 0 and written empty), or nil.
    public var epochs: Int? = nil

    /// Creates a row.
    public init(
        jobID: String, submitTime: Double, gpuCount: Int, duration: Double, gpuType: String? = nil,
        model: String? = nil, user: String? = nil, status: String? = nil, gpuMilli: Int? = nil
    ) {
        self.jobID = jobID
        self.submitTime = submitTime
        self.gpuCount = gpuCount
        self.duration = duration
        self.gpuType = gpuType
        self.model = model
        self.user = user
        self.status = status
        self.gpuMilli = gpuMilli
    }
}
