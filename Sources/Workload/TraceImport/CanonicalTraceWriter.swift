import Foundation

/// Renders converted rows as SchedLab's canonical trace CSV (the format `TraceReader` reads).
///
/// Rows are sorted by (submit time, job ID; IDs compared byte-wise), submit times are rebased so the first
/// is 0, integral seconds are printed without a fraction (others with up to 6 decimals), and a text field
/// with a comma, quote or line break is quoted as RFC 4180 says.
public enum CanonicalTraceWriter {
    /// The header line (without its newline).
    public static let header = "job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status,gpu_milli"

    /// The rows sorted by (submit time, job ID) with submit times rebased so the earliest is 0.
    public static func normalized(_ rows: [CanonicalTraceRow]) -> [CanonicalTraceRow] {
        guard let origin = rows.map(\.submitTime).min() else { return [] }
        var out = rows.map { row -> CanonicalTraceRow in
            var r = row
            r.submitTime = row.submitTime - origin
            return r
        }
        out.sort { a, b in
            if a.submitTime != b.submitTime { return a.submitTime < b.submitTime }
            return a.jobID.utf8.lexicographicallyPrecedes(b.jobID.utf8)
        }
        return out
    }

    /// The header with the epoch-training columns, used when any row trains for epochs.
    public static let epochHeader = header + ",batch_size,epochs"

    /// The canonical CSV text of `rows` (normalized first): the header, one line per row, a final newline. The
    /// `batch_size,epochs` columns are written only when some row has them.
    public static func render(_ rows: [CanonicalTraceRow]) -> String {
        let epochs = rows.contains { $0.epochs != nil || $0.batchSize != nil }
        var out = (epochs ? epochHeader : header) + "\n"
        for row in normalized(rows) {
            out += line(row)
            if epochs { out += "," + (row.batchSize.map(String.init) ?? "") + "," + (row.epochs.map(String.init) ?? "") }
            out += "\n"
        }
        return out
    }

    /// One CSV line for an already normalized row (no newline).
    public static func line(_ row: CanonicalTraceRow) -> String {
        [
            quoted(row.jobID), seconds(row.submitTime), String(row.gpuCount), row.epochs != nil && row.duration == 0 ? "" : seconds(row.duration),
            quoted(row.gpuType ?? ""), quoted(row.model ?? ""), quoted(row.user ?? ""), quoted(row.status ?? ""),
            row.gpuMilli.map(String.init) ?? "",
        ].joined(separator: ",")
    }

    /// Seconds as text: integral values without a fraction, others rounded to 6 decimals, trailing zeros cut.
    public static func seconds(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        var s = String(format: "%.6f", x)
        while s.last == "0" { s.removeLast() }
        if s.last == "." { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// A text field, quoted (with doubled quotes) when it holds a comma, quote or line break.
    public static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
