import ClusterModel

/// What a job asks for, fixed for the whole run: its GPU count and the GPU types it may use. Kept per job in a
/// compact array (`ClusterSnapshot.shapes`) for scans that would otherwise read a whole `JobStatus` per job.
public struct JobShape: Sendable, Equatable {
    /// GPUs the job needs (`JobSpec.gpuCount`).
    public var gpuCount: Int32
    /// GPU types it may run on.
    public var eligibleTypes: GPUTypeMask

    /// A shape of `gpuCount` GPUs of `eligibleTypes`.
    @inlinable public init(gpuCount: Int32, eligibleTypes: GPUTypeMask) {
        self.gpuCount = gpuCount
        self.eligibleTypes = eligibleTypes
    }

    /// The shape of `job`.
    @inlinable public init(_ job: JobStatus) {
        self.gpuCount = Int32(clamping: job.gpuCount)
        self.eligibleTypes = job.eligibleTypes
    }
}
