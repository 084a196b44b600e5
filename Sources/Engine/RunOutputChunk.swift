/// Output rows of a running simulation that nothing later in the run can change, handed to
/// `SimulationOptions.output` so that a writer can store them while the simulation goes on.
///
/// Successive chunks continue each other: together with the rows of the final `RunResult` after them, they are the
/// `RunResult`'s arrays in the same order. `jobs` continues the JobID sequence and holds a job only when it and every
/// job before it have finished (a finished job's outcome is fixed); `allocations` are intervals already closed;
/// `samples` are every occupancy sample but the latest, which later events at the same instant may still replace.
public struct RunOutputChunk: Sendable {
    /// Outcomes of the next jobs in JobID order.
    public var jobs: [JobOutcome]
    /// The next closed allocation intervals, in `RunResult.allocations` order.
    public var allocations: [AllocationInterval]
    /// The next occupancy samples, in `RunResult.samples` order.
    public var samples: [UtilizationSample]

    /// Creates a chunk.
    public init(jobs: [JobOutcome], allocations: [AllocationInterval], samples: [UtilizationSample]) {
        self.jobs = jobs
        self.allocations = allocations
        self.samples = samples
    }

    /// Whether the chunk holds no rows.
    public var isEmpty: Bool { jobs.isEmpty && allocations.isEmpty && samples.isEmpty }
}
