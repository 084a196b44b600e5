/// A problem with user input (scenario, trace), located precisely enough to fix it.
///
/// Rendered on one line as `FILE:LINE: FIELD: message`, dropping the parts that are unknown, so that every
/// bad-input path in SchedLab reads the same way.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file at fault.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// Field path (e.g. `workload.arrivals.rate`) or CSV column, when known.
    public var field: String?
    /// What was wrong and what is expected.
    public var message: String

    /// Creates an input error.
    public init(file: String, line: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let field, !field.isEmpty { s += "\(field): " }
        return s + message
    }
}
