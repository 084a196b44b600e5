import Foundation

/// One `runs` row, decoded: what the CLI lists and tests inspect.
public struct RunRow: Sendable, Equatable {
    /// Run ID.
    public var id: Int64
    /// Scenario name.
    public var scenario: String
    /// Hex digest of the canonical scenario.
    public var scenarioHash: String
    /// Master seed (the stored bit pattern converted back to unsigned).
    public var seed: UInt64
    /// Scheduling policy name.
    public var policy: String
    /// Placement strategy name.
    public var placement: String
    /// Policy parameters text ('' when none).
    public var parameters: String
    /// Simulator version.
    public var codeVersion: String
    /// Wall-clock start (millisecond precision).
    public var wallStart: Date
    /// Wall-clock end; nil while running.
    public var wallEnd: Date?
    /// Lifecycle state.
    public var status: RunStatus
    /// Failure message; nil unless failed.
    public var error: String?
    /// Simulated end, seconds; nil unless complete.
    public var simulatedEndSeconds: Double?
    /// Events processed; nil unless complete.
    public var eventsProcessed: Int?
}
