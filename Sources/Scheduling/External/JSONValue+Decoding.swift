import Workload

extension JSONValue: Decodable {
    /// Decodes any scenario value (an external policy's `params`) as JSON: mappings become objects with their keys
    /// in sorted order (a YAML mapping has no order, so none is invented), whole numbers integers, other numbers
    /// doubles, and `~`/`null` null.
    public init(from decoder: Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyCodingKey.self) {
            var members: [(key: String, value: JSONValue)] = []
            for key in keyed.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                members.append((key.stringValue, try keyed.decode(JSONValue.self, forKey: key)))
            }
            self = .object(members)
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? single.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? single.decode(Double.self) {
            guard d.isFinite else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                    debugDescription: "expected a finite number (JSON has no infinities or NaN), got \(d)"))
            }
            self = .double(d)
        } else {
            self = .string(try single.decode(String.self))
        }
    }
}
