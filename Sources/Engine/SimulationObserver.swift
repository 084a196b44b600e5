import SimKernel

/// Watches a simulation. Called after the event has been fully handled (state, outputs and checks done).
///
/// Used by tests (event logs, extra checks) and tools; the engine's own outputs do not go through it, so a
/// run without observers pays nothing per event.
public protocol SimulationObserver: AnyObject {
    /// Called after each event is processed.
    func didProcess(_ event: ScheduledEvent<SimEvent>, in simulation: Simulation)
}

/// How far a run has got, reported to a progress callback every few thousand events.
public struct ProgressReport: Sendable {
    /// Current simulated time.
    public var now: SimTime
    /// Events processed so far.
    public var events: Int
    /// Jobs finished so far.
    public var finishedJobs: Int
    /// Jobs in the run.
    public var totalJobs: Int
}
