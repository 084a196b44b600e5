import Analysis
import Engine
import Foundation
import Recording

/// `schedlab compare`'s three output formats. Row order is the comparison's (grid point, policy, metric).
enum ComparisonRendering {
    /// The CSV columns after the grid fields.
    static let csvColumns = [
        "policy", "metric", "unit", "n", "mean", "sd", "ci_low", "ci_high", "baseline", "diff_n", "diff_mean", "diff_sd",
        "diff_ci_low", "diff_ci_high",
    ]

    /// Tidy CSV: one row per grid point × policy × metric; the interval columns are at the comparison's level.
    static func csv(_ c: Comparison) -> String {
        var w = CSVWriter()
        w.write((c.gridFields + csvColumns).map { .text($0) })
        func real(_ v: Double?) -> CSVWriter.Field { v.map { .real($0) } ?? .null }
        for r in c.rows {
            let d = r.difference
            w.write(r.grid.map { .text($0) } + [
                .text(r.policy), .text(r.metric), .text(unit(r.metric)), .integer(Int64(r.stats.n)), real(r.stats.mean),
                real(r.stats.sd), real(r.stats.low), real(r.stats.high), c.baseline.map { .text($0) } ?? .null,
                d.map { .integer(Int64($0.n)) } ?? .null, real(d?.mean), real(d?.sd), real(d?.low), real(d?.high),
            ])
        }
        return w.text
    }

    /// One Markdown table per metric: grid fields, policy, n, mean ± half-width, sd, and the paired difference.
    static func markdown(_ c: Comparison) -> String {
        let pct = "\(format(c.level * 100))%"
        var out = ""
        var metrics: [String] = []
        for r in c.rows where !metrics.contains(r.metric) { metrics.append(r.metric) }
        for metric in metrics {
            let u = unit(metric)
            out += "\(metric) (\(u)): mean ± \(pct) CI half-width over seeds"
                + (c.baseline.map { "; Δ = policy − \($0), paired by seed" } ?? "") + "\n\n"
            var header = c.gridFields.map { String($0.split(separator: ".").last ?? Substring($0)) } + ["policy", "n", "mean", "sd"]
            if let b = c.baseline { header += ["Δ vs \(b)", "Δ \(pct) CI"] }
            out += "| " + header.joined(separator: " | ") + " |\n"
            out += "|" + header.map { _ in "---|" }.joined() + "\n"
            for r in c.rows where r.metric == metric {
                var cells = r.grid + [r.policy, String(r.stats.n), meanCell(r.stats, u), r.stats.sd.map { number($0, u) } ?? "–"]
                if c.baseline != nil {
                    if let d = r.difference, let m = d.mean {
                        cells += [signed(m, u), d.low.map { "[\(signed($0, u)), \(signed(d.high!, u))]" } ?? "–"]
                    } else {
                        cells += ["–", "–"]
                    }
                }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
            out += "\n"
        }
        return out
    }

    /// JSON: {"level", "baseline", "grid_fields", "rows": [{grid, policy, metric, unit, runs, n, mean, sd, ci_low,
    /// ci_high, diff}]}, keys sorted so the text is stable.
    static func json(_ c: Comparison) -> String {
        struct Stats: Encodable {
            let n: Int
            let mean, sd, ci_low, ci_high: Double?
            init(_ s: SampleStatistics) { n = s.n; mean = s.mean; sd = s.sd; ci_low = s.low; ci_high = s.high }
        }
        struct Row: Encodable {
            let grid: [String]
            let policy, metric, unit: String
            let runs: [Int64]
            let stats: Stats
            let diff: Stats?
        }
        struct Document: Encodable {
            let level: Double
            let baseline: String?
            let grid_fields: [String]
            let rows: [Row]
        }
        let doc = Document(level: c.level, baseline: c.baseline, grid_fields: c.gridFields, rows: c.rows.map {
            Row(grid: $0.grid, policy: $0.policy, metric: $0.metric, unit: unit($0.metric), runs: $0.runs,
                stats: Stats($0.stats), diff: $0.difference.map(Stats.init))
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(doc)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func unit(_ metric: String) -> String {
        SummaryMetricKind(rawValue: metric)?.definition.unit.symbol ?? ""
    }

    private static func meanCell(_ s: SampleStatistics, _ unit: String) -> String {
        guard let m = s.mean else { return "–" }
        return number(m, unit) + (s.halfWidth.map { " ± " + number($0, unit) } ?? "")
    }

    /// Seconds and GPU-hours to 0.1 with thousands separators; fractions to 4 decimals; ratios and counts to 2.
    static func number(_ v: Double, _ unit: String) -> String {
        let decimals: Int
        switch unit {
        case "fraction": decimals = 4
        case "s", "GPU-h": decimals = abs(v) >= 1000 ? 0 : 1
        default: decimals = 2
        }
        let text = String(format: "%.\(decimals)f", abs(v))
        let parts = text.split(separator: ".", maxSplits: 1)
        var integer = String(parts[0])
        var grouped = ""
        while integer.count > 3 {
            grouped = "," + integer.suffix(3) + grouped
            integer = String(integer.dropLast(3))
        }
        return (v < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "−" : "") + integer + grouped
            + (parts.count > 1 ? "." + parts[1] : "")
    }

    private static func signed(_ v: Double, _ unit: String) -> String {
        let n = number(v, unit)
        return n.hasPrefix("−") ? n : "+" + n
    }

    private static func format(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(v)
    }
}
