import Crypto
import Foundation
import Recording

/// One point of a sweep's grid: the overrides that turn the base scenario into it, and its identity.
public struct SweepPoint: Sendable, Equatable {
    /// Position in the grid, 0-based (the first axis varies slowest).
    public let index: Int
    /// The swept fields and their YAML value texts, in axis order.
    public let settings: [(field: String, value: String)]
    /// Every override applied to the base scenario, as `PATH=VALUE`: the sweep's `set:` list, then the settings.
    public let overrides: [String]
    /// Hex SHA-256 of the base scenario's bytes and `overrides`: equal keys mean the same simulation inputs.
    public let key: String

    /// Creates a point of the base scenario whose bytes hash to `scenarioDigest`.
    public init(index: Int, settings: [(field: String, value: String)], fixed: [String], scenarioDigest: String) {
        self.index = index
        self.settings = settings
        overrides = fixed + settings.map { "\($0.field)=\($0.value)" }
        var hasher = SHA256()
        hasher.update(data: Data("scenario-sha256 \(scenarioDigest)\n".utf8))
        for o in overrides { hasher.update(data: Data((o + "\n").utf8)) }
        key = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// `policy.name=fifo seed=1`: the settings on one line, for progress and error messages.
    public var label: String { settings.map { "\($0.field)=\($0.value)" }.joined(separator: " ") }

    /// The settings as the JSON object `sweep_points.settings` stores (keys in axis order, values as strings).
    public var settingsJSON: String {
        "{" + settings.map { "\(Self.json($0.field)): \(Self.json($0.value))" }.joined(separator: ", ") + "}"
    }

    /// The record of an attempt at this point in sweep `sweep`.
    public func record(sweep: String) -> SweepPointRecord {
        SweepPointRecord(sweep: sweep, point: index, key: key, settings: settingsJSON)
    }

    public static func == (a: SweepPoint, b: SweepPoint) -> Bool {
        a.index == b.index && a.key == b.key && a.label == b.label
    }

    /// A JSON string literal (RFC 8259: quote, backslash and control characters escaped).
    static func json(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
