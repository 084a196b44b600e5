/// Strictly decoded mappings (scenario sections, policy parameters) whose fields are each declared once, on
/// the property that holds them: key, default, range check and meaning in one attribute.
///
///     struct ArrivalsConfig: DecodableMapping {
///         @Field("process", default: "poisson", .oneOf(["poisson"]), meaning: "arrival process")
///         var process: String
///         @OptionalField("load", .positive, meaning: "offered load, 1.0 = the cluster's GPU capacity")
///         var load: Double?
///     }
///
/// Decoding rejects unknown keys first (so a typo is reported as such, naming the allowed keys), then decodes
/// each field in declaration order, checking it where it is read so that errors carry the field's path, then
/// runs the type's `finishDecoding` for checks across fields. Adding a field is adding one property.

/// One declared field of a `DecodableMapping`.
public protocol MappingField: AnyObject {
    /// The key in the mapping.
    var key: String { get }
    /// One line saying what the field means (for documentation and `schedlab info`).
    var meaning: String { get }
    /// The default as text, or nil for a required or optional-without-default field.
    var defaultText: String? { get }
    /// Whether a mapping must have it.
    var isRequired: Bool { get }
    /// Reads and checks the field from `container` (absent: its default, or a missing-key error if required).
    func decode(from container: KeyedDecodingContainer<AnyCodingKey>) throws
    /// The declared valid range of a numeric field (what its check enforces), or nil.
    var validRange: ValidRange? { get }
    /// What a value must be when that is not a plain range (a distribution's draws, "24 or 168"), or nil.
    var validText: String? { get }
    /// The field's value type (for walking nested mappings when documenting).
    var valueType: Any.Type { get }
}

/// A check on a decoded value: nil when fine, else what was expected (with the value), e.g.
/// "expected a number > 0, got -1".
public struct FieldCheck<Value>: Sendable {
    /// The expectation the value fails, or nil.
    public let problem: @Sendable (Value) -> String?
    /// The numeric range the check enforces, when it is one (documented in the README's valid-ranges table).
    public let range: ValidRange?
    /// What the check expects, for documentation, when it is not a plain range.
    public let validText: String?
    /// Creates a check; `valid` says what it expects, for the documentation.
    public init(valid: String? = nil, _ problem: @escaping @Sendable (Value) -> String?) {
        self.problem = problem
        self.range = nil
        self.validText = valid
    }
    /// A check of a range, declared once: the same value checks and documents.
    init(range: ValidRange, _ problem: @escaping @Sendable (Value) -> String?) {
        self.problem = problem
        self.range = range
        self.validText = nil
    }
}

extension FieldCheck where Value == Double {
    /// A number in the declared `range`.
    public static func range(_ range: ValidRange) -> Self { Self(range: range) { range.problem($0) } }
}

extension FieldCheck where Value == Int {
    /// An integer in the declared `range`.
    public static func range(_ range: ValidRange) -> Self { Self(range: range) { range.problem($0) } }
}

extension FieldCheck where Value == Double {
    /// A finite number > 0.
    public static var positive: Self { Self { $0.isFinite && $0 > 0 ? nil : "expected a number > 0, got \($0)" } }
    /// A finite number >= 0.
    public static var nonNegative: Self { Self { $0.isFinite && $0 >= 0 ? nil : "expected a number >= 0, got \($0)" } }
    /// A finite number in `range`, described as `what` (bounds keep derived times inside the simulated clock).
    public static func within(_ range: ClosedRange<Double>, _ what: String) -> Self { .range(.closed(range, what)) }

    /// A finite number >= `low`, described as `what`.
    public static func atLeast(_ low: Double, _ what: String = "a number") -> Self {
        Self { $0.isFinite && $0 >= low ? nil : "expected \(what) >= \(low.formatted), got \($0)" }
    }
}

extension FieldCheck where Value == Int {
    /// An integer >= `low`.
    public static func atLeast(_ low: Int) -> Self { Self { $0 >= low ? nil : "expected an integer >= \(low), got \($0)" } }
    /// An integer in `range`, described as `what`.
    public static func within(_ range: ClosedRange<Int>, _ what: String = "an integer") -> Self { .range(.integers(range, what)) }
}

extension FieldCheck where Value == String {
    /// One of `allowed`, quoted.
    public static func oneOf(_ allowed: [String]) -> Self {
        Self { v in
            allowed.contains(v) ? nil
                : "expected \(allowed.map { "'\($0)'" }.joined(separator: allowed.count == 2 ? " or " : ", ")), got '\(v)'"
        }
    }
}

extension Double {
    /// Shortest text of a whole or fractional number (1 rather than 1.0).
    fileprivate var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}

/// A required field, or one with a default.
///
/// A class so that `DecodableMapping`'s shared decoder can fill it through reflection; it is written only while
/// the enclosing value is being decoded, before that value can be shared, and has no setter, so a decoded
/// mapping is immutable (hence `@unchecked Sendable`).
@propertyWrapper
public final class Field<Value: Decodable>: MappingField, @unchecked Sendable {
    public let key: String
    public let meaning: String
    private let fallback: Value?
    private let check: FieldCheck<Value>?
    private var decoded: Value?

    /// Declares the field `key`; without `default` it is required.
    public init(_ key: String, default fallback: Value? = nil, _ check: FieldCheck<Value>? = nil, meaning: String = "") {
        self.key = key
        self.fallback = fallback
        self.check = check
        self.meaning = meaning
    }

    /// The decoded value, or the default.
    public var wrappedValue: Value {
        guard let v = decoded ?? fallback else { preconditionFailure("required field '\(key)' read before it was decoded") }
        return v
    }

    public var defaultText: String? { fallback.map { "\($0)" } }
    public var isRequired: Bool { fallback == nil }
    public var validRange: ValidRange? { check?.range }
    public var validText: String? { check?.validText }
    public var valueType: Any.Type { Value.self }

    public func decode(from container: KeyedDecodingContainer<AnyCodingKey>) throws {
        let k = AnyCodingKey(stringValue: key)
        let value: Value
        if fallback == nil {
            value = try container.decode(Value.self, forKey: k)
        } else {
            guard let v = try container.decodeIfPresent(Value.self, forKey: k) else { return }
            value = v
        }
        if let problem = check?.problem(value) { throw container.invalid(k, problem) }
        decoded = value
    }
}

/// A field that may be absent (nil), with no default.
@propertyWrapper
public final class OptionalField<Value: Decodable>: MappingField, @unchecked Sendable {
    public let key: String
    public let meaning: String
    private let check: FieldCheck<Value>?
    private var decoded: Value?

    /// Declares the optional field `key`.
    public init(_ key: String, _ check: FieldCheck<Value>? = nil, meaning: String = "") {
        self.key = key
        self.check = check
        self.meaning = meaning
    }

    /// The decoded value, nil when absent.
    public var wrappedValue: Value? { decoded }

    public var defaultText: String? { nil }
    public var isRequired: Bool { false }
    public var validRange: ValidRange? { check?.range }
    public var validText: String? { check?.validText }
    public var valueType: Any.Type { Value.self }

    public func decode(from container: KeyedDecodingContainer<AnyCodingKey>) throws {
        let k = AnyCodingKey(stringValue: key)
        guard let value = try container.decodeIfPresent(Value.self, forKey: k) else { return }
        if let problem = check?.problem(value) { throw container.invalid(k, problem) }
        decoded = value
    }
}

/// A mapping decoded from its `Field` and `OptionalField` properties (see the file's documentation).
public protocol DecodableMapping: Decodable {
    /// An undecoded value: every field at its declaration.
    init()
    /// Checks across fields and values built from several, after every field was decoded; throw
    /// `DecodingError`s at `decoder`'s path.
    mutating func finishDecoding(_ decoder: Decoder) throws
}

extension DecodableMapping {
    public mutating func finishDecoding(_ decoder: Decoder) throws {}

    public init(from decoder: Decoder) throws {
        var value = Self()
        let fields = Self.fields(of: value)
        try decoder.rejectUnknownKeys(allowed: fields.map(\.key))
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        for f in fields { try f.decode(from: c) }
        try value.finishDecoding(decoder)
        self = value
    }

    /// The declared fields of `value`, in declaration order.
    static func fields(of value: Self) -> [any MappingField] {
        Mirror(reflecting: value).children.compactMap { $0.value as? any MappingField }
    }

    /// The declared fields, in declaration order (for documentation).
    public static var declaredFields: [any MappingField] { fields(of: Self()) }
}

extension Decoder {
    /// A "bad value" error at this decoder's own path (for checks across fields of a `DecodableMapping`).
    public func invalid(_ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: message))
    }

    /// A "bad value" error at `key` of this decoder's mapping.
    public func invalid(_ key: String, _ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: codingPath + [AnyCodingKey(stringValue: key)], debugDescription: message))
    }
}
