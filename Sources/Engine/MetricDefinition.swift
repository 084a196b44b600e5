/// What a summary metric is: its name in the `summary` table, its unit and a one-line meaning.
public struct MetricDefinition: Sendable, Equatable {
    /// Name in the `summary` table, baselines and the printed summary, e.g. "jct_p95_s".
    public let name: String
    /// Unit of its value.
    public let unit: MetricUnit
    /// One line saying what it measures, as the README and `schedlab info metrics` print it.
    public let meaning: String

    /// Creates a definition.
    public init(name: String, unit: MetricUnit, meaning: String) {
        self.name = name
        self.unit = unit
        self.meaning = meaning
    }
}
