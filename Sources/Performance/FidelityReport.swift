import Foundation
import Network
import Workload

/// Every measurement row's prediction by the default model, with error summaries: what `schedlab fidelity` prints.
public struct FidelityReport: Sendable {
    /// Median and largest |relative error| of a group of rows.
    public struct Summary: Sendable, Equatable {
        /// The group's name (a model, a source file, or "all").
        public var name: String
        /// Rows in the group.
        public var rows: Int
        /// Median |predicted − measured| / measured.
        public var medianAbsError: Double
        /// Largest |predicted − measured| / measured.
        public var maxAbsError: Double
        /// Rows whose |error| exceeds 35% (the issue's per-row target).
        public var rowsOver35: Int
    }

    /// Each row's prediction, in input order.
    public var predictions: [MeasurementPrediction]

    /// Creates a report from predictions.
    public init(predictions: [MeasurementPrediction]) { self.predictions = predictions }

    /// Predicts every row under `fabric` (default: the catalog's templates), compute and communication combined by
    /// `overlap`; the first row that cannot be predicted fails.
    public init(rows: [StepMeasurement], fabric: FabricSpec = FabricSpec(), overlap: OverlapKind = .exponent) throws(InputError) {
        var out: [MeasurementPrediction] = []
        out.reserveCapacity(rows.count)
        for r in rows { out.append(try MeasurementPrediction.predict(r, fabric: fabric, overlap: overlap)) }
        predictions = out
    }

    /// The summary of every row.
    public var overall: Summary { Self.summary("all", predictions) }

    /// One summary per zoo model, in order of first appearance.
    public var perModel: [Summary] { groups(\.row.model) }

    /// One summary per source file, in order of first appearance.
    public var perFile: [Summary] { groups(\.row.file) }

    private func groups(_ key: KeyPath<MeasurementPrediction, String>) -> [Summary] {
        var names: [String] = []
        var members: [[MeasurementPrediction]] = []
        for p in predictions {
            let k = p[keyPath: key]
            if let i = names.firstIndex(of: k) { members[i].append(p) } else {
                names.append(k)
                members.append([p])
            }
        }
        return zip(names, members).map { Self.summary($0, $1) }
    }

    /// The summary of `rows` named `name`.
    static func summary(_ name: String, _ rows: [MeasurementPrediction]) -> Summary {
        let errors = rows.map { abs($0.relativeError) }.sorted()
        return Summary(name: name, rows: rows.count, medianAbsError: median(errors), maxAbsError: errors.last ?? 0,
                       rowsOver35: errors.filter { $0 > 0.35 }.count)
    }

    /// The median of sorted `values` (0 for none): the middle one, or the mean of the two middle ones.
    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let m = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
    }

    // MARK: - Rendering

    private static func pct(_ x: Double) -> String { String(format: "%+.1f%%", x * 100) }
    private static func apct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
    private static func sec(_ x: Double) -> String { String(format: "%.4f", x) }

    /// The summaries as a Markdown table (overall first, then per model).
    public var summaryMarkdown: String {
        var lines = [
            "| model | rows | median \\|error\\| | max \\|error\\| | rows > 35% |",
            "|---|---:|---:|---:|---:|",
        ]
        for s in perModel + [overall] {
            lines.append("| \(s.name == "all" ? "**all**" : s.name) | \(s.rows) | \(Self.apct(s.medianAbsError)) | \(Self.apct(s.maxAbsError)) | \(s.rowsOver35) |")
        }
        return lines.joined(separator: "\n")
    }

    /// Every row as a Markdown table: measured and predicted step and sync seconds, and the step error.
    public var rowsMarkdown: String {
        rowsTable(extraHeader: "measured sync s | predicted exposed s", extraAlignment: "---:|---:") { p in
            "\(p.row.syncSeconds.map(Self.sec) ?? "") | \(Self.sec(p.syncSeconds))"
        }
    }

    /// Every row with its `source` instead of the communication columns (for rows whose source carries what the CSV
    /// has no column for, e.g. the precision of a single-GPU step).
    public var sourcedRowsMarkdown: String {
        rowsTable(extraHeader: "source", extraAlignment: "---") { p in p.row.source.replacingOccurrences(of: "|", with: "\\|") }
    }

    /// The rows table: where each row is from, what it places, measured and predicted step and error, then `extra`.
    private func rowsTable(extraHeader: String, extraAlignment: String, extra: (MeasurementPrediction) -> String) -> String {
        var lines = [
            "| file:line | model | template | placement | local batch | measured step s | predicted step s | error | \(extraHeader) |",
            "|---|---|---|---|---:|---:|---:|---:|\(extraAlignment)|",
        ]
        for p in predictions {
            let r = p.row
            lines.append("| \((r.file as NSString).lastPathComponent):\(r.line) | \(r.model) | \(r.nodeTemplate)\(r.gpuType.map { " (\($0))" } ?? "") | \(r.placementText) | \(r.localBatch.map(String.init) ?? "ref") | \(Self.sec(r.stepSeconds)) | \(Self.sec(p.stepSeconds)) | \(Self.pct(p.relativeError)) | \(extra(p)) |")
        }
        return lines.joined(separator: "\n")
    }

    /// Every row, then the summaries, as plain text.
    public var text: String {
        var lines: [String] = []
        lines.append("file:line".padding(toLength: 28, withPad: " ", startingAt: 0) + " model              placement  local  measured  predicted    error")
        for p in predictions {
            let r = p.row
            let loc = "\((r.file as NSString).lastPathComponent):\(r.line)"
            lines.append(loc.padding(toLength: 28, withPad: " ", startingAt: 0) + " "
                + r.model.padding(toLength: 18, withPad: " ", startingAt: 0) + " "
                + r.placementText.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                + (r.localBatch.map(String.init) ?? "ref").padding(toLength: 6, withPad: " ", startingAt: 0)
                + String(format: " %8.4f  %9.4f  %+6.1f%%", r.stepSeconds, p.stepSeconds, p.relativeError * 100))
        }
        lines.append("")
        lines.append("group                          rows  median |err|  max |err|  rows >35%")
        for s in perModel + perFile.map({ Summary(name: "file " + ($0.name as NSString).lastPathComponent, rows: $0.rows, medianAbsError: $0.medianAbsError, maxAbsError: $0.maxAbsError, rowsOver35: $0.rowsOver35) }) + [overall] {
            lines.append(s.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: " %5d  %11.1f%%  %8.1f%%  %9d", s.rows, s.medianAbsError * 100, s.maxAbsError * 100, s.rowsOver35))
        }
        return lines.joined(separator: "\n")
    }
}
