import Foundation

/// What identifies a run before it starts: the inputs that, with the code version, determine its result.
///
/// Stored in the `runs` row by `ResultSink.beginRun(_:)` so that a crash mid-run still leaves a record of
/// what was being attempted.
public struct RunMetadata: Sendable, Equatable {
    /// Scenario name (the scenario file's `name`).
    public var scenarioName: String
    /// Hex digest of the canonical scenario, so runs of edited scenarios are told apart from same-named ones.
    public var scenarioHash: String
    /// Master seed of the run.
    ///
    /// SQLite integers are signed 64-bit, so the `runs.seed` column holds `Int64(bitPattern: seed)`: seeds
    /// of 2^63 and above read back negative in raw SQL (add 2^64 to recover them); `RunRow.seed` undoes this.
    public var seed: UInt64
    /// Scheduling policy name.
    public var policy: String
    /// Placement strategy name.
    public var placement: String
    /// Policy parameters as JSON or YAML text, verbatim; empty when the policy has none.
    public var parameters: String
    /// Version of the simulator that ran, with the commit it was built from (`0.1.0+g<sha>`), for reproducing the run.
    public var codeVersion: String
    /// SchedLab's semantic version alone (`0.1.0`), the number to cite; nil when the caller does not know it.
    public var schedlabVersion: String?
    /// Wall-clock time the run started.
    public var wallStart: Date
    /// Input (trace) rows skipped as bad when the scenario allows it; 0 when none were.
    public var skippedInputRows: Int
    /// The scenario text as loaded (after overrides), so the run can be repeated from the database; nil if unknown.
    public var scenarioText: String?
    /// The scenario path as given on the command line; nil if unknown.
    public var scenarioPath: String?

    /// Creates run metadata.
    public init(
        scenarioName: String,
        scenarioHash: String,
        seed: UInt64,
        policy: String,
        placement: String,
        parameters: String = "",
        codeVersion: String,
        schedlabVersion: String? = nil,
        wallStart: Date,
        skippedInputRows: Int = 0,
        scenarioText: String? = nil,
        scenarioPath: String? = nil
    ) {
        self.skippedInputRows = skippedInputRows
        self.scenarioText = scenarioText
        self.scenarioPath = scenarioPath
        self.scenarioName = scenarioName
        self.scenarioHash = scenarioHash
        self.seed = seed
        self.policy = policy
        self.placement = placement
        self.parameters = parameters
        self.codeVersion = codeVersion
        self.schedlabVersion = schedlabVersion
        self.wallStart = wallStart
    }
}
