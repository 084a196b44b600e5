import ClusterModel
import Foundation
import Models
import Workload

/// One measured training configuration: a zoo model on a placement of one node template, and its measured
/// seconds per iteration. A row of a Measurement CSV file (README, "Measurement CSV").
///
/// The format, shared by `schedlab fidelity` and `schedlab fit`:
///
///     model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source
///     bert-squad,pollux-g4dn,,2|2,12,1.234,0.83,petuum/adaptdl simulator/traces/bert/placements.csv
///
/// `gpu_type` empty = the template's; `placement` GPUs per node separated by `|`; `local_batch` empty = the model's
/// reference batch; `sync_s` (exposed communication seconds) may be empty; `source` is free text and may be quoted.
public struct StepMeasurement: Sendable, Equatable {
    /// Zoo model name (`ModelZoo.named`).
    public var model: String
    /// Node template name (`NodeTemplateCatalog.named`).
    public var nodeTemplate: String
    /// GPU type fitted in the nodes, nil for the template's own.
    public var gpuType: String?
    /// GPUs per node, e.g. [2, 2] for two nodes with two GPUs each.
    public var placement: [Int]
    /// Samples per GPU per iteration, nil for the model's reference batch.
    public var localBatch: Int?
    /// Measured seconds per iteration (> 0).
    public var stepSeconds: Double
    /// Measured exposed communication seconds per iteration (time waiting on gradient synchronization), if known.
    public var syncSeconds: Double?
    /// Where the number comes from (free text).
    public var source: String
    /// The file the row was read from ("" when built in code), for messages.
    public var file: String
    /// The row's 1-based line in `file` (0 when built in code).
    public var line: Int

    /// Creates a row.
    public init(
        model: String, nodeTemplate: String, gpuType: String? = nil, placement: [Int], localBatch: Int? = nil,
        stepSeconds: Double, syncSeconds: Double? = nil, source: String = "", file: String = "", line: Int = 0
    ) {
        self.model = model
        self.nodeTemplate = nodeTemplate
        self.gpuType = gpuType
        self.placement = placement
        self.localBatch = localBatch
        self.stepSeconds = stepSeconds
        self.syncSeconds = syncSeconds
        self.source = source
        self.file = file
        self.line = line
    }

    /// The placement as the CSV writes it, e.g. "2|2".
    public var placementText: String { placement.map(String.init).joined(separator: "|") }

    /// Total GPUs of the placement.
    public var gpuCount: Int { placement.reduce(0, +) }

    /// The CSV columns, in order.
    public static let columns = ["model", "node_template", "gpu_type", "placement", "local_batch", "step_s", "sync_s", "source"]

    /// The header line of a Measurement CSV file.
    public static var header: String { columns.joined(separator: ",") }

    /// The row as one CSV line (no newline); the source is quoted when it holds a comma or a quote.
    public var csvLine: String {
        func number(_ x: Double) -> String { String(x) }
        var quoted = source
        if quoted.contains(",") || quoted.contains("\"") {
            quoted = "\"" + quoted.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return [
            model, nodeTemplate, gpuType ?? "", placementText, localBatch.map(String.init) ?? "", number(stepSeconds),
            syncSeconds.map(number) ?? "", quoted,
        ].joined(separator: ",")
    }
}

// MARK: - Reading

/// Reads Measurement CSV files, checking every field against the zoo and the catalogs.
public enum MeasurementFile {
    /// The rows of `text` (the contents of `file`); the first error, located `file:line: column: expected …, got …`.
    ///
    /// A header row naming the columns of `StepMeasurement.columns` in that order is required; lines starting with `#`
    /// and blank lines are skipped.
    public static func parse(_ text: String, file: String) throws(InputError) -> [StepMeasurement] {
        var rows: [StepMeasurement] = []
        var sawHeader = false
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            let line = raw.last == "\r" ? raw.dropLast() : raw
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            let fields = try split(line, file: file, line: number)
            if !sawHeader {
                let names = fields.map { $0.trimmingCharacters(in: .whitespaces) }
                guard names == StepMeasurement.columns else {
                    throw InputError(file: file, line: number, field: "header",
                        message: "expected \(StepMeasurement.header), got \(names.joined(separator: ","))")
                }
                sawHeader = true
                continue
            }
            guard fields.count == StepMeasurement.columns.count else {
                throw InputError(file: file, line: number, message:
                    "expected \(StepMeasurement.columns.count) fields (\(StepMeasurement.header)), got \(fields.count)")
            }
            rows.append(try row(fields.map { $0.trimmingCharacters(in: .whitespaces) }, file: file, line: number))
        }
        guard sawHeader else { throw InputError(file: file, field: "header", message: "expected a header line \(StepMeasurement.header), got an empty file") }
        return rows
    }

    /// One data row from its trimmed fields.
    static func row(_ f: [String], file: String, line: Int) throws(InputError) -> StepMeasurement {
        func fail(_ column: String, _ expected: String, _ got: String) -> InputError {
            InputError(file: file, line: line, field: column, message: "expected \(expected), got '\(got)'")
        }
        guard ModelZoo.named(f[0]) != nil else { throw fail("model", "a zoo model (\(ModelZoo.names.joined(separator: ", ")))", f[0]) }
        guard let template = NodeTemplateCatalog.named(f[1]) else {
            throw fail("node_template", "a node template (\(NodeTemplateCatalog.names.joined(separator: ", ")))", f[1])
        }
        let gpuType: String? = f[2].isEmpty ? nil : f[2]
        if let g = gpuType, GPUCatalog.named(g) == nil {
            throw fail("gpu_type", "empty or a GPU type (\(GPUCatalog.names.joined(separator: ", ")))", g)
        }
        let parts = f[3].split(separator: "|", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw fail("placement", "GPUs per node as positive integers separated by '|' (e.g. 2|2)", f[3])
        }
        let placement = parts.map { $0! }
        guard placement.allSatisfy({ $0 <= template.gpuCount }) else {
            throw fail("placement", "at most \(template.gpuCount) GPUs per \(template.name) node", f[3])
        }
        guard placement.count <= 4096 else { throw fail("placement", "at most 4096 nodes", "\(placement.count) nodes") }
        var localBatch: Int?
        if !f[4].isEmpty {
            guard let b = Int(f[4]), b >= 1, b <= 1 << 30 else { throw fail("local_batch", "empty or an integer in 1...\(1 << 30)", f[4]) }
            localBatch = b
        }
        guard let step = Double(f[5]), step.isFinite, step > 0, step <= 1e6 else {
            throw fail("step_s", "seconds per iteration, a number in (0, 1e6]", f[5])
        }
        var sync: Double?
        if !f[6].isEmpty {
            guard let s = Double(f[6]), s.isFinite, s >= 0, s <= step else {
                throw fail("sync_s", "empty or seconds in [0, step_s]", f[6])
            }
            sync = s
        }
        return StepMeasurement(
            model: f[0], nodeTemplate: template.name, gpuType: gpuType, placement: placement, localBatch: localBatch,
            stepSeconds: step, syncSeconds: sync, source: f[7], file: file, line: line)
    }

    /// RFC 4180 fields of one line: quoted fields may hold commas and doubled quotes.
    static func split(_ line: Substring, file: String, line number: Int) throws(InputError) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var wasQuoted = false
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if inQuotes {
                if c == "\"" {
                    let next = line.index(after: i)
                    if next < line.endIndex && line[next] == "\"" {
                        current.append("\"")
                        i = next
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "," {
                fields.append(current)
                current = ""
                wasQuoted = false
            } else if c == "\"" && current.allSatisfy({ $0 == " " }) && !wasQuoted {
                inQuotes = true
                wasQuoted = true
                current = ""
            } else {
                current.append(c)
            }
            i = line.index(after: i)
        }
        guard !inQuotes else {
            throw InputError(file: file, line: number, message: "expected a closing '\"' before the end of the line, got an unterminated quoted field")
        }
        fields.append(current)
        return fields
    }
}
