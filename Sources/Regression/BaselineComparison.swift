import Engine
import Foundation

/// How a fresh run differs from its committed baseline.
public struct BaselineComparison: Sendable {
    /// One row of the metric-by-metric table.
    public struct Row: Sendable, Equatable {
        /// What is compared (a metric name, "events", "jobs_digest", ...).
        public var name: String
        /// The baseline's value, rendered.
        public var baseline: String
        /// The current value, rendered.
        public var current: String
        /// Relative change in percent, when both are numbers and the baseline is not 0.
        public var changePercent: Double?
        /// Whether the two differ.
        public var differs: Bool
        /// The catalog definition when the item is a summary metric (its unit and meaning), else nil.
        public var metric: MetricDefinition?
    }

    /// Every compared item, differing or not.
    public let rows: [Row]

    /// Whether the run reproduces the baseline exactly (digest, events, settings and every metric).
    public var matches: Bool { !rows.contains(where: \.differs) }

    /// Compares `current` with `baseline`. Metrics compare exactly: runs are deterministic, so any change is
    /// a change in behaviour (the digest decides; metrics explain).
    public init(baseline: Baseline, current: Baseline) {
        var rows: [Row] = []
        func text(_ name: String, _ a: String, _ b: String) {
            rows.append(Row(name: name, baseline: a, current: b, changePercent: nil, differs: a != b, metric: nil))
        }
        func number(_ name: String, _ a: Double?, _ b: Double?, metric: MetricDefinition? = nil) {
            let render = { (x: Double?) in x.map { String(format: "%.6g", $0) } ?? "(none)" }
            var change: Double?
            if let a, let b, a != 0 { change = (b - a) / abs(a) * 100 }
            rows.append(Row(name: name, baseline: render(a), current: render(b), changePercent: change, differs: a != b,
                            metric: metric))
        }
        text("seed", "\(baseline.seed)", "\(current.seed)")
        text("policy", baseline.policy, current.policy)
        text("placement", baseline.placement, current.placement)
        number("events", Double(baseline.events), Double(current.events))
        var names = baseline.summary.map(\.name)
        for m in current.summary where !names.contains(m.name) { names.append(m.name) }
        for name in names {
            number(name, baseline.summary.first { $0.name == name }?.value, current.summary.first { $0.name == name }?.value,
                   metric: SummaryMetricKind(rawValue: name)?.definition)
        }
        text("jobs_digest", String(baseline.jobsDigest.prefix(16)), String(current.jobsDigest.prefix(16)))
        rows[rows.count - 1].differs = baseline.jobsDigest != current.jobsDigest
        self.rows = rows
    }
}
