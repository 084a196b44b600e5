import ClusterModel
import Foundation
import Models
import Workload

/// One row of a measurement CSV: a measured iteration time of a zoo model on one placement of one node template.
///
/// The format (README "Measurement CSV"): UTF-8, a header row, `#` comment lines, columns
/// `model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source`.
public struct MeasurementRow: Sendable, Equatable {
    /// Zoo model name (`schedlab info models`).
    public var model: String
    /// Node template name (`schedlab info templates`).
    public var nodeTemplate: String
    /// GPU type fitted in the template's nodes, nil for the template's own.
    public var gpuType: String?
    /// GPUs used on each node, e.g. [2, 2].
    public var placement: [Int]
    /// Per-GPU batch, nil for the model's reference batch.
    public var localBatch: Int?
    /// Measured seconds per iteration.
    public var stepSeconds: Double
    /// Measured exposed communication seconds per iteration, when known.
    public var syncSeconds: Double?
    /// Where the number comes from (free text).
    public var source: String
    /// The 1-based line of the row in its file (0 for rows built in code).
    public var line: Int

    /// Creates a row.
    public init(
        model: String, nodeTemplate: String, gpuType: String? = nil, placement: [Int], localBatch: Int? = nil,
        stepSeconds: Double, syncSeconds: Double? = nil, source: String = "", line: Int = 0
    ) {
        self.model = model
        self.nodeTemplate = nodeTemplate
        self.gpuType = gpuType
        self.placement = placement
        self.localBatch = localBatch
        self.stepSeconds = stepSeconds
        self.syncSeconds = syncSeconds
        self.source = source
        self.line = line
    }

    /// The placement as `schedlab steptime --placement` writes it, e.g. "2|2".
    public var placementText: String { placement.map(String.init).joined(separator: "|") }

    /// The node template with the row's GPU type fitted (nil for names the catalogs do not know).
    public var template: NodeTemplate? {
        guard var t = NodeTemplateCatalog.named(nodeTemplate) else { return nil }
        if let gpuType {
            guard let g = GPUCatalog.named(gpuType) else { return nil }
            t = t.with(gpuType: g)
        }
        return t
    }
}

/// Reads measurement CSVs, with errors located `file:line: column: expected …, got …`.
public enum MeasurementCSV {
    /// The columns, in order.
    public static let columns = ["model", "node_template", "gpu_type", "placement", "local_batch", "step_s", "sync_s", "source"]
    /// Most nodes one row may span (the predictor builds one node per entry of the placement).
    public static let maxNodes = 1024
    /// Largest accepted step or sync time, seconds (a day: no training iteration is longer).
    public static let maxSeconds = 86_400.0

    /// Reads and parses the file at `path`.
    public static func read(path: String) throws(InputError) -> [MeasurementRow] {
        if let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType, type != .typeRegular {
            throw InputError(file: path, message: "cannot read the measurement file (not a regular file)")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw InputError(file: path, message: "cannot read the measurement file (\(error.localizedDescription)); expected a UTF-8 CSV")
        }
        return try parse(text, file: path)
    }

    /// Parses measurement CSV text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(InputError) -> [MeasurementRow] {
        var rows: [MeasurementRow] = []
        var sawHeader = false
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = try split(Substring(line), file: file, line: number)
            guard sawHeader else {
                guard fields == columns else {
                    throw InputError(file: file, line: number, message: "expected the header '\(columns.joined(separator: ","))', got '\(line)'")
                }
                sawHeader = true
                continue
            }
            guard fields.count == columns.count else {
                throw InputError(file: file, line: number, message: "expected \(columns.count) fields (\(columns.joined(separator: ","))), got \(fields.count)")
            }
            rows.append(try row(fields, file: file, line: number))
        }
        guard sawHeader else { throw InputError(file: file, message: "the measurement file is empty; expected the header '\(columns.joined(separator: ","))'") }
        guard !rows.isEmpty else { throw InputError(file: file, message: "the measurement file has a header but no rows; expected at least one") }
        return rows
    }

    private static func row(_ f: [String], file: String, line: Int) throws(InputError) -> MeasurementRow {
        func fail(_ column: String, _ expected: String, _ got: String) -> InputError {
            InputError(file: file, line: line, field: column, message: "expected \(expected), got '\(got)'")
        }
        guard ModelZoo.named(f[0]) != nil else { throw fail("model", "a zoo model (\(ModelZoo.names.joined(separator: ", ")))", f[0]) }
        guard let template = NodeTemplateCatalog.named(f[1]) else {
            throw fail("node_template", "a node template (\(NodeTemplateCatalog.names.joined(separator: ", ")))", f[1])
        }
        if !f[2].isEmpty, GPUCatalog.named(f[2]) == nil {
            throw fail("gpu_type", "empty or a GPU type (\(GPUCatalog.names.joined(separator: ", ")))", f[2])
        }
        let parts = f[3].split(separator: "|", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= template.gpuCount }) else {
            throw fail("placement", "GPUs per node as integers in 1...\(template.gpuCount) (\(template.name) nodes) separated by '|'", f[3])
        }
        guard parts.count <= maxNodes else { throw fail("placement", "at most \(maxNodes) nodes", "\(parts.count) nodes") }
        var batch: Int?
        if !f[4].isEmpty {
            guard let b = Int(f[4]), (1...1_000_000).contains(b) else { throw fail("local_batch", "empty or an integer in 1...1000000", f[4]) }
            batch = b
        }
        guard let step = Double(f[5]), step > 0, step <= maxSeconds else { throw fail("step_s", "seconds in (0, \(Int(maxSeconds))]", f[5]) }
        var sync: Double?
        if !f[6].isEmpty {
            guard let s = Double(f[6]), s >= 0, s <= step else { throw fail("sync_s", "empty or seconds in [0, step_s = \(f[5])]", f[6]) }
            sync = s
        }
        return MeasurementRow(
            model: f[0], nodeTemplate: f[1], gpuType: f[2].isEmpty ? nil : f[2], placement: parts.map { $0! }, localBatch: batch,
            stepSeconds: step, syncSeconds: sync, source: f[7], line: line)
    }

    /// Splits one CSV line with RFC 4180 quoting ("a,b" and "" inside quotes); fields are trimmed.
    static func split(_ line: Substring, file: String, line number: Int) throws(InputError) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { current.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    current.append(c)
                }
            } else if c == "," {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else if c == "\"" && current.allSatisfy({ $0 == " " }) {
                quoted = true
                current = ""
            } else {
                current.append(c)
            }
        }
        guard !quoted else { throw InputError(file: file, line: number, message: "unterminated quoted field; expected a closing '\"'") }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
