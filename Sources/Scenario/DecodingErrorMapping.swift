import Workload
import Yams

/// Turns YAML and decoding errors into one-line `InputError`s with the field path and source line.
enum DecodingErrorMapping {
    /// The dotted field path of a coding path, with list positions as `[i]`: `cluster.racks[0].nodes`.
    static func fieldPath(_ path: [CodingKey]) -> String {
        var s = ""
        for key in path {
            if let i = key.intValue { s += "[\(i)]" } else { s += s.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return s
    }

    /// The line of the deepest node of `path` that exists in `root` (the parent, for a missing key).
    static func line(of path: [CodingKey], in root: Node?) -> Int? {
        guard var node = root else { return nil }
        var line = node.mark?.line
        for key in path {
            var next: Node?
            if let i = key.intValue, let seq = node.sequence, i < seq.count {
                next = seq[i]
            } else if let map = node.mapping {
                for (k, v) in map where k.string == key.stringValue {
                    // A key's own line reads better than its value's (a block mapping starts on the next line).
                    line = k.mark?.line ?? line
                    next = v
                    break
                }
                if next != nil, key.intValue == nil { node = next!; continue }
            }
            guard let n = next else { break }
            node = n
            line = n.mark?.line ?? line
        }
        return line
    }

    /// Describes the Swift type a decoder expected in words a scenario author understands.
    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type: return "an integer"
        case is UInt64.Type, is UInt.Type: return "a non-negative integer"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            // Yams reports the YAML node kind it needed when the document has another kind there.
            if name.hasPrefix("Array") || name.hasSuffix("Sequence") { return "a list" }
            if name.hasSuffix("Mapping") { return "a mapping" }
            if name.hasSuffix("Scalar") { return "a single value (number or string), not a list or mapping" }
            if name.hasPrefix("Dictionary") || name.hasSuffix("Config") { return "a mapping" }
            return name
        }
    }

    /// Maps any error thrown while composing or decoding `file` to an `InputError`.
    static func inputError(_ error: Error, file: String, root: Node?) -> InputError {
        switch error {
        case let e as DecodingError:
            switch e {
            case .keyNotFound(let key, let ctx):
                return InputError(file: file, line: line(of: ctx.codingPath, in: root),
                                  field: fieldPath(ctx.codingPath + [key]), message: "missing required field")
            case .typeMismatch(let type, let ctx):
                return InputError(file: file, line: line(of: ctx.codingPath, in: root),
                                  field: fieldPath(ctx.codingPath), message: "expected \(expected(type))")
            case .valueNotFound(let type, let ctx):
                return InputError(file: file, line: line(of: ctx.codingPath, in: root),
                                  field: fieldPath(ctx.codingPath), message: "expected \(expected(type)), got nothing")
            case .dataCorrupted(let ctx):
                return InputError(file: file, line: line(of: ctx.codingPath, in: root),
                                  field: fieldPath(ctx.codingPath), message: ctx.debugDescription)
            @unknown default:
                return InputError(file: file, message: "\(e)")
            }
        case let e as YamlError:
            switch e {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                // libyaml notices an unclosed bracket or quote only where the text stops making sense; its
                // context says where the construct began, which is usually the line to fix.
                if let context {
                    return InputError(file: file, line: context.mark.line, message:
                        "malformed YAML: \(context.text) started here, then at line \(mark.line): \(problem)")
                }
                return InputError(file: file, line: mark.line, message: "malformed YAML: \(problem)")
            case .reader(let problem, let offset, let value, let yaml):
                // libyaml's reader rejects bytes before parsing (a control character, invalid UTF-8); its offset
                // counts bytes from the start of the text.
                let line = offset.map { o in yaml.utf8.prefix(max(0, o)).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
                let hex = String(value, radix: 16, uppercase: true)
                let character = value >= 0 ? " (character U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex))" : ""
                return InputError(file: file, line: line, message: "malformed YAML: \(problem)\(character)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                return InputError(file: file, line: context.mark.line, message:
                    "duplicate key(s) \(duplicates.sorted().joined(separator: ", ")) in one mapping")
            default:
                return InputError(file: file, message: "malformed YAML: \(e)")
            }
        case let e as InputError:
            return e
        default:
            return InputError(file: file, message: "\(error)")
        }
    }
}
