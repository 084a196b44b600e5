import Foundation

/// Fabric parameters fitted to measurements (`schedlab fit -o`); a scenario references it as `network.fabric_profile`.
///
/// JSON with sorted keys. The parameters replace the scenario's own values of the same fields (the rest of its
/// `network:` section still applies); the fit's summary is kept with them so a profile says what it is worth.
public struct FabricProfile: Codable, Equatable, Sendable {
    /// Format version of this JSON.
    public static let currentSchema = 1

    /// One fitted or held parameter.
    public struct Entry: Codable, Equatable, Sendable {
        /// `FabricParameter.name`, e.g. "nic_latency@pollux-g4dn".
        public var name: String
        /// The value: a share, or seconds for latencies.
        public var value: Double
        /// Its standard error (nil when held fixed or not estimable).
        public var standardError: Double?
        /// Whether the fit estimated it (false: held at its starting value).
        public var fitted: Bool

        /// Creates an entry.
        public init(name: String, value: Double, standardError: Double?, fitted: Bool) {
            self.name = name
            self.value = value
            self.standardError = standardError
            self.fitted = fitted
        }
    }

    /// Format version.
    public var schema: Int
    /// The measurement file the parameters were fitted to, as named on the command line.
    public var measurements: String
    /// Rows used.
    public var rows: Int
    /// The parameters.
    public var parameters: [Entry]
    /// Median |predicted / measured − 1| over the rows after the fit.
    public var medianAbsoluteError: Double
    /// Largest |predicted / measured − 1| after the fit.
    public var maxAbsoluteError: Double
    /// Leave-one-model-out median |error| (nil with fewer than two models).
    public var crossValidatedMedianAbsoluteError: Double?
    /// Leave-one-model-out largest |error|.
    public var crossValidatedMaxAbsoluteError: Double?
    /// The overlap of compute and communication the parameters were fitted under (a `network.overlap` value, e.g.
    /// "ddp-buckets"); nil for the default, Pollux's exponent, and in every profile written before the field existed.
    /// A scenario must use the same overlap: the fitted values compensate for it.
    public var overlap: String?

    /// Creates a profile.
    public init(
        measurements: String, rows: Int, parameters: [Entry], medianAbsoluteError: Double, maxAbsoluteError: Double,
        crossValidatedMedianAbsoluteError: Double?, crossValidatedMaxAbsoluteError: Double?, overlap: String? = nil
    ) {
        self.overlap = overlap
        self.schema = Self.currentSchema
        self.measurements = measurements
        self.rows = rows
        self.parameters = parameters
        self.medianAbsoluteError = medianAbsoluteError
        self.maxAbsoluteError = maxAbsoluteError
        self.crossValidatedMedianAbsoluteError = crossValidatedMedianAbsoluteError
        self.crossValidatedMaxAbsoluteError = crossValidatedMaxAbsoluteError
    }

    /// A problem with a profile's content: the JSON path of the field and what was expected.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// JSON path, e.g. "parameters[2].value".
        public var field: String
        /// What is wrong and what was expected.
        public var message: String
        /// The problem in words, for error messages.
        public var description: String { "\(field): \(message)" }

        /// A problem at `field`.
        public init(field: String, message: String) {
            (self.field, self.message) = (field, message)
        }
    }

    /// The typed parameters with their values, in file order; throws on an unknown name, a duplicate or a value
    /// outside the parameter's range.
    public func typedParameters() throws(Problem) -> [(parameter: FabricParameter, value: Double)] {
        guard schema == Self.currentSchema else {
            throw Problem(field: "schema", message: "expected \(Self.currentSchema), got \(schema)")
        }
        var out: [(parameter: FabricParameter, value: Double)] = []
        for (i, e) in parameters.enumerated() {
            guard let p = FabricParameter(name: e.name) else {
                throw Problem(field: "parameters[\(i)].name", message: "expected one of \(FabricParameter.nameForms.joined(separator: ", ")) with a catalog template, got '\(e.name)'")
            }
            guard !out.contains(where: { $0.parameter == p }) else {
                throw Problem(field: "parameters[\(i)].name", message: "expected each parameter once, got '\(e.name)' again")
            }
            guard e.value.isFinite, p.range.contains(e.value) else {
                throw Problem(field: "parameters[\(i)].value", message: "expected \(p.isRate ? "bytes per second" : p.isLatency ? "seconds" : "a share") in \(p.range.lowerBound)...\(p.range.upperBound), got \(e.value)")
            }
            out.append((p, e.value))
        }
        return out
    }

    /// `spec` with every parameter of the profile set (validated as `typedParameters`).
    public func applied(to spec: FabricSpec) throws(Problem) -> FabricSpec {
        var s = spec
        for (p, v) in try typedParameters() { p.set(v, in: &s) }
        return s
    }

    /// Reads a profile from JSON data.
    public static func decode(_ data: Data) throws -> FabricProfile { try JSONDecoder().decode(FabricProfile.self, from: data) }

    /// The profile as pretty-printed JSON with sorted keys (stable diffs).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
