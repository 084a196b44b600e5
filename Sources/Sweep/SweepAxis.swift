/// One dimension of a sweep's grid: one field and its values, or several fields zipped (their values change
/// together, position by position).
public struct SweepAxis: Sendable, Equatable {
    /// The dotted field paths, in file order.
    public let fields: [String]
    /// For each position along the axis, one YAML value text per field.
    public let values: [[String]]

    /// Creates an axis; `values[i]` holds one value per field.
    public init(fields: [String], values: [[String]]) {
        precondition(values.allSatisfy { $0.count == fields.count }, "one value per field at each position")
        self.fields = fields
        self.values = values
    }

    /// Positions along the axis.
    public var count: Int { values.count }
}
