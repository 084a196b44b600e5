import Crypto
import Foundation
import Scenario
import Workload
import YAMLInput
import Yams

/// A sweep file (`schedlab sweep`): a base scenario and a grid over any of its fields.
///
/// ```yaml
/// name: default                        # optional; default: the file name
/// scenario: ../quickstart.yaml         # the base scenario, relative to this file
/// set: [workload.synthetic.jobs=200]   # optional: overrides applied to every point, before the axes
/// axes:                                # the grid is the cross product of the axes; the first varies slowest
///   - policy.name: [fifo, sjf]
///   - workload.synthetic.arrivals.load: [0.5, 0.7, 0.9]
///   - cluster.racks[0].nodes[0].count: [4, 8]     # one axis of two zipped fields: 4 nodes with 100 jobs,
///     workload.synthetic.jobs: [100, 200]        # 8 with 200
///   - seed: [1, 2, 3]
/// ```
/// Values are any YAML values, as `--set` takes them. Fields are checked when each point's scenario is loaded,
/// exactly as `--set` checks them; the sweep file itself is checked here (unknown keys, empty or unequal lists).
public struct SweepSpec: Sendable {
    /// The sweep file, as given.
    public let path: String
    /// The sweep's name (recorded with every point).
    public let name: String
    /// The base scenario's path (relative paths resolved against the sweep file's directory).
    public let scenario: String
    /// Overrides applied to every point, `PATH=VALUE`.
    public let fixed: [String]
    /// The grid's axes.
    public let axes: [SweepAxis]
    /// Hex SHA-256 of the sweep file's bytes, so a worker can tell that the file it reads is the one planned.
    public let digest: String

    /// Reads and checks the sweep file at `path`.
    public static func load(path: String) throws(InputError) -> SweepSpec {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw InputError(file: path, message: "cannot read the sweep file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, message: "the sweep file is not UTF-8 text")
        }
        func fail(_ node: Node?, _ field: String?, _ message: String) -> InputError {
            InputError(file: path, line: node?.mark.map { $0.line }, field: field, message: message)
        }
        let root: Node?
        do { root = try YAMLInput.compose(yaml: text, file: path) } catch let e as InputError {
            throw e
        } catch {
            throw InputError(file: path, message: "malformed YAML: \(error)")
        }
        guard let root, case .mapping(let top) = root else {
            throw fail(root, nil, "expected a mapping with 'scenario' and 'axes'")
        }
        var name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var scenario: String?
        var fixed: [String] = []
        var axes: [SweepAxis] = []
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "name":
                guard let s = value.scalar?.string, !s.isEmpty else { throw fail(value, "name", "expected a non-empty name") }
                name = s
            case "scenario":
                guard let s = value.scalar?.string, !s.isEmpty else {
                    throw fail(value, "scenario", "expected the base scenario's path, relative to the sweep file")
                }
                scenario = s.hasPrefix("/") ? s : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(s).path
            case "set":
                guard case .sequence(let list) = value else {
                    throw fail(value, "set", "expected a list of PATH=VALUE overrides, e.g. [workload.synthetic.jobs=200]")
                }
                for (i, item) in list.enumerated() {
                    guard let s = item.scalar?.string else { throw fail(item, "set[\(i)]", "expected PATH=VALUE text") }
                    do { _ = try ScenarioOverride(s) } catch { throw fail(item, "set[\(i)]", error.message) }
                    fixed.append(s)
                }
            case "axes":
                guard case .sequence(let list) = value, !list.isEmpty else {
                    throw fail(value, "axes", "expected a non-empty list of axes, each {FIELD: [values]} (several fields in one axis are zipped)")
                }
                for (i, axisNode) in list.enumerated() {
                    axes.append(try axis(axisNode, field: "axes[\(i)]", fail: fail))
                }
            default:
                throw fail(keyNode, key, "unknown field; expected name, scenario, set or axes")
            }
        }
        guard let scenario else { throw fail(root, "scenario", "missing; expected the base scenario's path") }
        guard !axes.isEmpty else { throw fail(root, "axes", "missing; expected a list of axes") }
        var seen: [String] = []
        for (i, a) in axes.enumerated() {
            for f in a.fields {
                if seen.contains(f) { throw InputError(file: path, field: "axes[\(i)]", message: "field '\(f)' is swept twice") }
                seen.append(f)
            }
        }
        var hasher = SHA256()
        hasher.update(data: data)
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return SweepSpec(path: path, name: name, scenario: scenario, fixed: fixed, axes: axes, digest: digest)
    }

    /// Number of points in the grid.
    public var pointCount: Int { axes.reduce(1) { $0 * $1.count } }

    /// Every point of the grid, in order; reads the base scenario's bytes for the points' keys.
    public func points() throws(InputError) -> [SweepPoint] {
        let digest = try scenarioDigest()
        var points: [SweepPoint] = []
        points.reserveCapacity(pointCount)
        for index in 0..<pointCount {
            // Mixed radix, last axis fastest.
            var rest = index
            var positions = [Int](repeating: 0, count: axes.count)
            for a in axes.indices.reversed() {
                positions[a] = rest % axes[a].count
                rest /= axes[a].count
            }
            var settings: [(field: String, value: String)] = []
            for (a, axis) in axes.enumerated() {
                for (f, field) in axis.fields.enumerated() { settings.append((field, axis.values[positions[a]][f])) }
            }
            points.append(SweepPoint(index: index, settings: settings, fixed: fixed, scenarioDigest: digest))
        }
        return points
    }

    /// The base scenario's text (what every point loads, with its overrides).
    public func scenarioText() throws(InputError) -> String {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: scenario))
            guard let text = String(data: data, encoding: .utf8) else {
                throw InputError(file: scenario, message: "the scenario file is not UTF-8 text")
            }
            return text
        } catch let e as InputError {
            throw e
        } catch {
            throw InputError(file: path, field: "scenario", message: "cannot read the base scenario \(scenario) (\(error.localizedDescription))")
        }
    }

    func scenarioDigest() throws(InputError) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(try scenarioText().utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private static func axis(_ node: Node, field: String, fail: (Node?, String?, String) -> InputError) throws(InputError) -> SweepAxis {
        guard case .mapping(let m) = node, !m.isEmpty else {
            throw fail(node, field, "expected {FIELD: [values]}, e.g. {policy.name: [fifo, sjf]}")
        }
        var fields: [String] = []
        var columns: [[String]] = []
        for (keyNode, valueNode) in m {
            let f = keyNode.string ?? ""
            do { _ = try ScenarioOverride(f + "=x") } catch {
                throw fail(keyNode, field, "'\(f)' is not a field path; expected dotted names with list positions as [i]")
            }
            guard case .sequence(let values) = valueNode, !values.isEmpty else {
                throw fail(valueNode, "\(field).\(f)", "expected a non-empty list of values")
            }
            if let first = columns.first, first.count != values.count {
                throw fail(valueNode, "\(field).\(f)", "zipped fields need lists of equal length: \(values.count) values here, "
                    + "\(first.count) for '\(fields[0])'")
            }
            fields.append(f)
            columns.append(values.map(yamlText))
        }
        let positions = columns[0].indices.map { i in columns.map { $0[i] } }
        return SweepAxis(fields: fields, values: positions)
    }

    /// A value as one line of YAML that reads back as the same value (flow style for mappings and lists).
    static func yamlText(_ node: Node) -> String {
        switch node {
        case .scalar(let s):
            switch s.style {
            case .singleQuoted, .doubleQuoted:
                return "'" + s.string.replacingOccurrences(of: "'", with: "''") + "'"
            default:
                return s.string
            }
        case .mapping(let m):
            return "{" + m.map { "\(yamlText($0.key)): \(yamlText($0.value))" }.joined(separator: ", ") + "}"
        case .sequence(let s):
            return "[" + s.map(yamlText).joined(separator: ", ") + "]"
        case .alias:
            return "null"
        }
    }
}
