import YAMLInput
import Yams

/// A scenario's YAML flattened to its leaves: dotted field paths (list positions as `[i]`, as `--set` writes them)
/// with each leaf's text, in document order. Comparisons use it to find which fields two runs' scenarios differ in.
public struct ScenarioFields: Sendable, Equatable {
    /// (path, value) for every scalar, and for every empty mapping or list (`{}`, `[]`), in document order.
    public private(set) var leaves: [(path: String, value: String)]

    /// Flattens the YAML `text`; throws what Yams throws for malformed YAML, and an input error for what `YAMLInput`
    /// refuses (a key that is a collection, aliases that multiply the document).
    public init(yaml text: String) throws {
        leaves = []
        if let root = try YAMLInput.compose(yaml: text, file: "recorded scenario") { Self.walk(root, path: "", into: &leaves) }
    }

    /// Leaves as given (for tests and callers that build fields by hand).
    public init(leaves: [(path: String, value: String)]) { self.leaves = leaves }

    /// Replaces every leaf at or under `path` with one leaf `path` = `value` (or removes them when `value` is nil).
    public mutating func set(_ path: String, _ value: String?) {
        leaves.removeAll { Self.isAtOrUnder($0.path, path) }
        if let value { leaves.append((path, value)) }
    }

    /// The value at `path`: a leaf's text, or the leaves under it joined as `sub=value` pairs; nil when absent.
    public func value(at path: String) -> String? {
        if let leaf = leaves.first(where: { $0.path == path }) { return leaf.value }
        let under = leaves.filter { Self.isAtOrUnder($0.path, path) }
        guard !under.isEmpty else { return nil }
        return "{" + under.map { "\($0.path.dropFirst(path.count + 1))=\($0.value)" }.joined(separator: ", ") + "}"
    }

    /// Whether `field` is `path` or lies under it (`path.x`, `path[0]`).
    public static func isAtOrUnder(_ field: String, _ path: String) -> Bool {
        field == path || field.hasPrefix(path + ".") || field.hasPrefix(path + "[")
    }

    public static func == (a: ScenarioFields, b: ScenarioFields) -> Bool {
        a.leaves.map(\.path) == b.leaves.map(\.path) && a.leaves.map(\.value) == b.leaves.map(\.value)
    }

    private static func walk(_ node: Node, path: String, into leaves: inout [(path: String, value: String)]) {
        switch node {
        case .scalar(let s):
            leaves.append((path, s.string))
        case .mapping(let m):
            if m.isEmpty { leaves.append((path, "{}")) }
            for (key, value) in m {
                let k = key.string ?? "\(key)"
                walk(value, path: path.isEmpty ? k : "\(path).\(k)", into: &leaves)
            }
        case .sequence(let s):
            if s.isEmpty { leaves.append((path, "[]")) }
            for (i, value) in s.enumerated() { walk(value, path: "\(path)[\(i)]", into: &leaves) }
        case .alias:
            leaves.append((path, "*alias"))
        }
    }
}
