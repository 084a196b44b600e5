import Workload
import YAMLInput
import Yams

/// One `--set PATH=VALUE` option: a change to the scenario's YAML tree made before it is decoded, so the value
/// meets exactly the checks it would meet in the file (unknown fields included).
///
/// PATH is dotted mapping keys, each optionally followed by list indices (`cluster.racks[0].nodes[1].count`);
/// VALUE is any YAML scalar or flow value (`sjf`, `0.7`, `{depth: 10}`, `[1, 2]`, `"007"`). Missing mappings
/// on the way are created; list entries are not (an index must exist).
public struct ScenarioOverride: Sendable, Equatable {
    /// One step of a path: a mapping key or a list index.
    enum Step: Equatable {
        case key(String)
        case index(Int)
    }

    /// The option as given, `PATH=VALUE`; errors name it.
    public let text: String
    /// The dotted path, as given.
    public let path: String
    /// The value's YAML text, as given.
    public let value: String
    let steps: [Step]

    /// Parses `PATH=VALUE`; throws an `InputError` naming the option when either part is malformed.
    public init(_ text: String) throws(InputError) {
        self.text = text
        let source = "--set \(text)"
        guard let eq = text.firstIndex(of: "=") else {
            throw InputError(file: source, message: "expected PATH=VALUE, e.g. policy.name=sjf")
        }
        path = String(text[..<eq])
        value = String(text[text.index(after: eq)...])
        var steps: [Step] = []
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            // "racks[0][1]" is the key "racks" then indices 0 and 1.
            let parts = component.split(separator: "[", omittingEmptySubsequences: false)
            let key = String(parts[0])
            guard !key.isEmpty, !key.contains("]") else {
                throw InputError(file: source, message: "malformed path '\(path)': expected dotted field names such as "
                    + "workload.synthetic.jobs, with list positions as [i]")
            }
            steps.append(.key(key))
            for part in parts.dropFirst() {
                guard part.hasSuffix("]"), let i = Int(part.dropLast()), i >= 0 else {
                    throw InputError(file: source, message: "malformed list position '[\(part)' in '\(path)': expected [i] with i >= 0")
                }
                steps.append(.index(i))
            }
        }
        self.steps = steps
    }

    /// Whether a field path reported by decoding lies at or under this override's path (so the override put it there).
    func covers(field: String) -> Bool {
        field == path || field.hasPrefix(path + ".") || field.hasPrefix(path + "[")
    }

    /// Whether this override's path lies strictly under a field path reported by decoding.
    func isInside(field: String) -> Bool {
        field.isEmpty || path.hasPrefix(field + ".") || path.hasPrefix(field + "[")
    }

    /// Whether the dotted field path `field` (as decoding errors report it) names a node of `root`.
    static func exists(field: String, in root: Node) -> Bool {
        guard let steps = try? ScenarioOverride(field + "=").steps else { return false }
        var node = root
        for step in steps {
            switch (step, node) {
            case (.key(let key), .mapping(let mapping)):
                guard let child = mapping[key] else { return false }
                node = child
            case (.index(let i), .sequence(let sequence)) where i < sequence.count:
                node = sequence[i]
            default:
                return false
            }
        }
        return true
    }

    /// `root` with the value set at the path.
    func applied(to root: Node) throws(InputError) -> Node {
        let source = "--set \(text)"
        let parsed: Node?
        do {
            parsed = try YAMLInput.compose(yaml: value, file: source)
        } catch let e as InputError {
            // Its line is the one-line value's, which says nothing here.
            throw InputError(file: source, message: e.message)
        } catch let YamlError.scanner(_, problem, _, _), let YamlError.parser(_, problem, _, _),
                    let YamlError.composer(_, problem, _, _) {
            // libyaml's line and context refer to the one-line value, which says nothing here.
            throw InputError(file: source, message: "malformed YAML value: \(problem)")
        } catch {
            throw InputError(file: source, message: "malformed YAML value: \(error)")
        }
        guard let parsed else {
            throw InputError(file: source, message: "empty value; give a YAML value (write '' for an empty string)")
        }
        return try set(parsed, at: steps[...], in: root, walked: "")
    }

    private func set(_ value: Node, at steps: ArraySlice<Step>, in node: Node, walked: String) throws(InputError) -> Node {
        guard let step = steps.first else { return value }
        let source = "--set \(text)"
        switch step {
        case .key(let key):
            guard case .mapping(var mapping) = node else {
                throw InputError(file: source, field: walked.isEmpty ? nil : walked,
                                 message: "\(Self.kind(node)), not a mapping, so it has no field '\(key)'")
            }
            let path = walked.isEmpty ? key : "\(walked).\(key)"
            // A missing intermediate field becomes an empty mapping, as if the file had written `key: {}`.
            let child = mapping[key] ?? Node([(Node, Node)]())
            mapping[key] = try set(value, at: steps.dropFirst(), in: child, walked: path)
            return .mapping(mapping)
        case .index(let i):
            guard case .sequence(var sequence) = node else {
                throw InputError(file: source, field: walked, message: "\(Self.kind(node)), not a list, so it has no position [\(i)]")
            }
            guard i < sequence.count else {
                throw InputError(file: source, field: walked,
                                 message: "a list of \(sequence.count) entr\(sequence.count == 1 ? "y" : "ies"), so [\(i)] is out of range "
                                     + "(--set changes list entries but does not add them)")
            }
            sequence[i] = try set(value, at: steps.dropFirst(), in: sequence[i], walked: "\(walked)[\(i)]")
            return .sequence(sequence)
        }
    }

    /// "a single value 'fifo'", "a list", ... for error messages.
    private static func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "a single value '\(s.string)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }
}
