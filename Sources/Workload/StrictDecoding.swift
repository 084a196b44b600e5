/// A coding key that accepts any string, used to see every key a mapping really has.
public struct AnyCodingKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

extension Decoder {
    /// Throws if the mapping being decoded has a key outside `allowed`, naming it and the allowed keys.
    ///
    /// `Codable` silently ignores unknown keys, which turns a typo in a scenario (`rat: 3`) into a default
    /// value and a wrong experiment; every SchedLab config type calls this first.
    public func rejectUnknownKeys(allowed: [String]) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        // Sorted so the first unknown key reported does not depend on the YAML library's key order.
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath + [key],
                debugDescription: allowed.isEmpty
                    ? "unknown field '\(key.stringValue)'; this mapping takes no fields"
                    : "unknown field '\(key.stringValue)'; expected one of: \(allowed.joined(separator: ", "))"))
        }
    }
}

extension KeyedDecodingContainer {
    /// Throws a "bad value" error at `key` with a message saying what was expected.
    public func invalid(_ key: Key, _ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: message)
    }
}
