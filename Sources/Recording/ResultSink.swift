import ClusterModel
import Engine
import Foundation

/// Where run results go: the simulator and CLI depend on this, not on SQLite or GRDB.
///
/// The three calls mirror a run's lifecycle. `beginRun` commits at once so a run that crashes still leaves a
/// `running` row behind; `completeRun` writes everything in one transaction so readers never see half a run.
public protocol ResultSink: Sendable {
    /// Records that a run has started (status `running`, committed immediately) and returns its run ID.
    func beginRun(_ meta: RunMetadata) throws -> Int64

    /// Writes all jobs, allocations, samples and summary metrics of the run and marks it `complete`, atomically.
    ///
    /// `topology` is the run's cluster: allocations name node-local GPUs, and the per-GPU rows need global indices.
    /// On any error nothing of this call remains: the run stays `running` with no result rows, and the caller
    /// may then call `failRun`. Throws `RecordingError.runNotRunning` if the run already completed or failed.
    func completeRun(id: Int64, result: RunResult, topology: Topology, wallEnd: Date) throws

    /// Marks a still-running run `failed` with an error message.
    func failRun(id: Int64, message: String, wallEnd: Date) throws
}
