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
    /// The scenario text the run used (after overrides); nil for runs recorded before schema v4.
    public var scenarioText: String?
    /// The scenario path as given on the command line; nil for runs recorded before schema v4.
    public var scenarioPath: String?
    /// SchedLab's semantic version; nil for runs recorded before schema v5 or without one.
    public var schedlabVersion: String?

    /// Creates a row.
    public init(
        id: Int64, scenario: String, scenarioHash: String, seed: UInt64, policy: String, placement: String,
        parameters: String, codeVersion: String, wallStart: Date, wallEnd: Date?, status: RunStatus, error: String?,
        simulatedEndSeconds: Double?, eventsProcessed: Int?, scenarioText: String? = nil, scenarioPath: String? = nil,
        schedlabVersion: String? = nil
    ) {
        self.id = id
        self.scenario = scenario
        self.scenarioHash = scenarioHash
        self.seed = seed
        self.policy = policy
        self.placement = placement
        self.parameters = parameters
        self.codeVersion = codeVersion
        self.wallStart = wallStart
        self.wallEnd = wallEnd
        self.status = status
        self.error = error
        self.simulatedEndSeconds = simulatedEndSeconds
        self.eventsProcessed = eventsProcessed
        self.scenarioText = scenarioText
        self.scenarioPath = scenarioPath
        self.schedlabVersion = schedlabVersion
    }
}
