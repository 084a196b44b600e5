import Workload

/// A scenario value that is not itself a `DecodableMapping` but holds mappings (a map of names to sections, an enum of
/// sections): what the valid-ranges table walks into, under which key (nil: at the same path).
protocol NestedMappings {
    /// The mappings inside, each under a key segment such as `<template>`, or nil for the value's own path.
    static var nestedMappings: [(key: String?, type: any DecodableMapping.Type)] { get }
}

/// A mapping of names to numbers (model weights, user weights): one documented row `PATH.<key>`.
protocol NamedNumbers {
    /// The placeholder of the names, e.g. `<model>`.
    static var keyPlaceholder: String { get }
    /// What each number must be.
    static var validText: String { get }
}

/// Lets the walk see through lists of mappings (`racks`, `nodes`, `states`).
private protocol ListType { static var elementType: Any.Type { get } }
extension Array: ListType { static var elementType: Any.Type { Element.self } }

/// The README's "Valid ranges" tables and `schedlab info ranges`, generated from the declarations that do the checking:
/// each scenario field's `FieldCheck` (its `ValidRange`, or what it expects) and the trace reader's `columnRanges`.
/// Nothing here restates a bound, so the documentation cannot drift from the checks.
public enum ValidRangeTable {
    /// One documented field or column.
    public struct Row: Equatable, Sendable {
        /// Dotted field path (`[]` marks a list entry, `<name>` a key of the user's choice), or a trace column.
        public var path: String
        /// The valid values, e.g. "nodes in 1...100000"; empty when the field is numeric but declares no range.
        public var valid: String
        /// What the field means.
        public var meaning: String
    }

    /// Every numeric scenario field (numbers, integers, distributions, lists of numbers), in file order.
    public static var scenarioRows: [Row] { rows(ScenarioConfig.self, prefix: "") }

    /// Every numeric trace column.
    public static var traceRows: [Row] {
        TraceReader.columnRanges.map { Row(path: $0.column, valid: $0.range.expectation, meaning: "trace column") }
    }

    /// Numeric scenario fields that declare no range (a test keeps this empty).
    public static var undeclared: [String] { scenarioRows.filter { $0.valid.isEmpty }.map(\.path) }

    /// Both tables as Markdown, exactly as the README holds them.
    public static var markdown: String {
        func table(_ header: String, _ rows: [Row]) -> String {
            (["| \(header) | valid values | meaning |", "|---|---|---|"]
                + rows.map { "| `\($0.path)` | \($0.valid) | \($0.meaning.replacingOccurrences(of: "|", with: "\\|")) |" })
                .joined(separator: "\n")
        }
        return table("scenario field", scenarioRows) + "\n\n"
            + table("trace column", traceRows.map { Row(path: $0.path, valid: $0.valid, meaning: traceMeaning[$0.path] ?? "") })
    }

    private static let traceMeaning = [
        "submit_time_s": "submit time on the trace clock",
        "num_gpus": "GPUs the job asked for",
        "duration_s": "run time as recorded",
        "gpu_milli": "share of one GPU a 1-GPU job asked for (empty: whole GPUs)",
        "batch_size": "global batch of a job with epochs (empty: its model's base batch)",
        "epochs": "epochs a goodput job trains (empty: a job of fixed duration)",
    ]

    private static let numericTypes: [Any.Type] = [Int.self, Double.self, UInt64.self, [Double].self, DistributionConfig.self]

    private static func fields<M: DecodableMapping>(_ type: M.Type) -> [any MappingField] { M.declaredFields }

    private static func rows(_ type: any DecodableMapping.Type, prefix: String) -> [Row] {
        var out: [Row] = []
        for field in fields(type) {
            var path = prefix + field.key
            var valueType = field.valueType
            if let list = valueType as? ListType.Type, !numericTypes.contains(where: { $0 == valueType }) {
                valueType = list.elementType
                path += "[]"
            }
            if let mapping = valueType as? any DecodableMapping.Type {
                out += rows(mapping, prefix: path + ".")
            } else if let nested = valueType as? NestedMappings.Type {
                for (key, mapping) in nested.nestedMappings { out += rows(mapping, prefix: path + "." + (key.map { $0 + "." } ?? "")) }
            } else if let named = valueType as? NamedNumbers.Type {
                out.append(Row(path: path + "." + named.keyPlaceholder, valid: named.validText, meaning: field.meaning))
            } else if numericTypes.contains(where: { $0 == valueType }) || field.validRange != nil {
                out.append(Row(path: path, valid: field.validRange?.expectation ?? field.validText ?? "", meaning: field.meaning))
            }
        }
        return out
    }
}
