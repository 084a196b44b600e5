import Engine
import SimKernel

/// Calls `Simulation.invariantViolation()` after every event and remembers the first problem.
public final class InvariantObserver: SimulationObserver {
    /// Events checked so far.
    public private(set) var eventsChecked = 0
    /// The first violation seen, with the time and event it followed.
    public private(set) var firstViolation: String?

    /// Creates an observer.
    public init() {}

    public func didProcess(_ event: ScheduledEvent<SimEvent>, in simulation: Simulation) {
        eventsChecked += 1
        if firstViolation == nil, let problem = simulation.invariantViolation() {
            firstViolation = "t=\(event.time.seconds) s after \(event.payload): \(problem)"
        }
    }
}

/// Records every event in processing order.
public final class EventLogObserver: SimulationObserver {
    /// (time in seconds, phase, payload) of each event.
    public private(set) var events: [(time: Double, phase: UInt8, event: SimEvent)] = []

    /// Creates an observer.
    public init() {}

    public func didProcess(_ event: ScheduledEvent<SimEvent>, in simulation: Simulation) {
        events.append((event.time.seconds, event.phase, event.payload))
    }
}
