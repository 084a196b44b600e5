/// One complete run as a comparison sees it: its effective scenario fields, its policy and seed, its metrics.
public struct ComparedRun: Sendable {
    /// Run ID.
    public var id: Int64
    /// The policy label: the policy's name, with its parameters when it has any (`backfill {depth: 10}`).
    public var policy: String
    /// Master seed.
    public var seed: UInt64
    /// The scenario text's leaves, with `seed`, `policy.name`, `policy.placement` and `policy.params` replaced by
    /// what the run actually used (command-line `--seed`, `--policy` and `--placement` are not in the text).
    public var fields: ScenarioFields
    /// The sweep fields of the sweep that recorded it, in axis order (empty for runs outside a sweep).
    public var sweptFields: [String]
    /// Summary metrics by name (NULL values are left out).
    public var metrics: [String: Double]

    /// Creates a run.
    public init(id: Int64, policy: String, seed: UInt64, fields: ScenarioFields, sweptFields: [String], metrics: [String: Double]) {
        self.id = id
        self.policy = policy
        self.seed = seed
        self.fields = fields
        self.sweptFields = sweptFields
        self.metrics = metrics
    }
}
