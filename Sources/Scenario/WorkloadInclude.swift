import Foundation
import Workload
import YAMLInput
import Yams

/// `workload: {include: FILE, ...}`: the workload section of another YAML file (e.g. one written by `schedlab trace
/// fit`), with the scenario's own `workload` fields merged on top, so that "a cluster like ITP at 1.5× load" is
/// `workload: {include: fits/itp.yaml, synthetic: {arrivals: {scale: 1.5}}}`.
///
/// The merge is on the YAML trees before decoding: mappings merge key by key (recursively), anything else in the
/// scenario replaces the included value. FILE is relative to the scenario file; trace paths inside it
/// (`synthetic.sample.trace`, `synthetic.arrivals.trace`, `trace.file`) are relative to FILE and are rewritten to be
/// relative to the scenario. Includes do not nest. Errors in fields that come from FILE name FILE and its line.
struct WorkloadInclude {
    /// The include as written.
    let reference: String
    /// Its path, resolved against the scenario's directory.
    let path: String
    /// Its text (hashed into the scenario hash).
    let text: String
    /// Its tree, with trace paths rewritten relative to the scenario.
    let tree: Node

    /// The fields holding trace paths, relative to the file they are written in.
    static let pathFields: [[String]] = [["synthetic", "sample", "trace"], ["synthetic", "arrivals", "trace"], ["trace", "file"]]

    /// `root` with `workload.include` expanded, and the include; `root` itself and nil when there is none.
    static func expand(_ root: Node, scenarioPath: String) throws(InputError) -> (root: Node, include: WorkloadInclude?) {
        guard case .mapping(var top) = root, case .mapping(var workload)? = top["workload"], let reference = workload["include"] else {
            return (root, nil)
        }
        func fail(_ message: String) -> InputError {
            InputError(file: scenarioPath, line: reference.mark?.line, field: "workload.include", message: message)
        }
        guard case .scalar(let scalar) = reference, !scalar.string.isEmpty else {
            throw fail("expected the path of a YAML file holding a workload section ('synthetic:' or 'trace:')")
        }
        let base = URL(fileURLWithPath: scenarioPath).deletingLastPathComponent()
        let path = scalar.string.hasPrefix("/") ? scalar.string : base.appendingPathComponent(scalar.string).path
        // A device or pipe (/dev/zero, a FIFO) would be read forever: only regular files are included.
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        guard type == .typeRegular, let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read the included file \(path)\(type == nil || type == .typeRegular ? "" : " (not a regular file)")")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw fail("the included file \(path) is not UTF-8 text") }
        var included: Node?
        do {
            included = try YAMLInput.compose(yaml: text, file: path)
        } catch {
            throw DecodingErrorMapping.inputError(error, file: path, root: nil)
        }
        guard case .mapping(var mapping)? = included else {
            throw InputError(file: path, line: included?.mark?.line, message: "expected a mapping with 'synthetic:' or 'trace:' (a workload section)")
        }
        if let nested = mapping["include"] {
            throw InputError(file: path, line: nested.mark?.line, field: "include", message: "includes do not nest; include the file it names directly")
        }
        let directory = (scalar.string as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            for field in pathFields { mapping = rewritten(mapping, at: field[...], under: directory) }
        }
        workload["include"] = nil
        top["workload"] = .mapping(merged(mapping, over: workload))
        let include = WorkloadInclude(reference: scalar.string, path: path, text: text, tree: .mapping(mapping))
        return (.mapping(top), include)
    }

    /// `base` with `top`'s keys merged in: mappings recursively, other values replaced by `top`'s.
    static func merged(_ base: Node.Mapping, over top: Node.Mapping) -> Node.Mapping {
        var result = base
        for (key, value) in top {
            if case .mapping(let b)? = result[key], case .mapping(let t) = value {
                result[key] = .mapping(merged(b, over: t))
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// `mapping` with the relative path at `field` prefixed by `directory`.
    private static func rewritten(_ mapping: Node.Mapping, at field: ArraySlice<String>, under directory: String) -> Node.Mapping {
        guard let key = field.first, let value = mapping[key] else { return mapping }
        var result = mapping
        if field.count == 1 {
            guard case .scalar(let s) = value, !s.string.hasPrefix("/") else { return mapping }
            result[key] = .scalar(Node.Scalar((directory as NSString).appendingPathComponent(s.string), s.tag, s.style, s.mark))
        } else if case .mapping(let child) = value {
            result[key] = .mapping(rewritten(child, at: field.dropFirst(), under: directory))
        }
        return result
    }

    /// Re-locates an error of the merged scenario: a field that comes from the included file (the scenario's own tree,
    /// `own`, reaches less of its path than the included tree does) is reported in the included file at its line.
    func attribute(_ e: InputError, scenarioPath: String, own: Node?) -> InputError {
        guard e.file == scenarioPath, let field = e.field, field.hasPrefix("workload."),
              let steps = try? ScenarioOverride(field + "=").steps else { return e }
        let keys = steps.map { step -> CodingKey in
            switch step {
            case .key(let k): return AnyCodingKey(stringValue: k)
            case .index(let i): return AnyCodingKey(intValue: i)!
            }
        }
        let inOwn = own.map { Self.reach(keys[...], in: $0) } ?? 0
        let inIncluded = 1 + Self.reach(keys.dropFirst(), in: tree)
        guard inIncluded > inOwn else { return e }
        var located = e
        located.file = path
        located.line = DecodingErrorMapping.line(of: Array(keys.dropFirst()), in: tree)
        return located
    }

    /// How many leading steps of `keys` exist in `node`.
    private static func reach(_ keys: ArraySlice<CodingKey>, in node: Node) -> Int {
        guard let key = keys.first else { return 0 }
        var next: Node?
        if let i = key.intValue, case .sequence(let s) = node, i < s.count { next = s[i] }
        if key.intValue == nil, case .mapping(let m) = node { next = m[key.stringValue] }
        guard let n = next else { return 0 }
        return 1 + reach(keys.dropFirst(), in: n)
    }
}
