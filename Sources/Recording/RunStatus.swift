/// Lifecycle state of a run, as stored in `runs.status`.
///
/// A run is inserted as `running` and leaves that state exactly once. A row stuck at `running` after the
/// process is gone means the process died (killed by a signal it cannot catch, e.g. SIGKILL, or `completeRun`
/// failed and was never followed by `failRun`).
public enum RunStatus: String, Sendable, Equatable, CaseIterable {
    /// Started; results not yet written.
    case running
    /// Finished; all result rows are present.
    case complete
    /// Aborted; `runs.error` says why, and no result rows are present.
    case failed
    /// Stopped by SIGINT or SIGTERM at an event boundary (schema v7): `runs.error` names the signal, `sim_end_s` and
    /// `events` say how far it got, and no result rows are present.
    case interrupted
}
