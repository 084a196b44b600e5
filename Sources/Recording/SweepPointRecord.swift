/// What `sweep_points` records about one attempt at a sweep's grid point (schema v6).
public struct SweepPointRecord: Sendable, Equatable {
    /// The sweep's name.
    public var sweep: String
    /// Position in the grid, 0-based, in sweep-file order.
    public var point: Int
    /// The point's identity across attempts: hex SHA-256 of the base scenario's bytes and the point's overrides.
    public var key: String
    /// The swept fields as a JSON object in axis order (values are their YAML text).
    public var settings: String

    /// Creates a record.
    public init(sweep: String, point: Int, key: String, settings: String) {
        self.sweep = sweep
        self.point = point
        self.key = key
        self.settings = settings
    }
}
