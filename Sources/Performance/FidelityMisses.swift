import Foundation

/// Where a prediction misses: its step-time error split into the part that comes from compute and the part that comes
/// from exposed communication.
///
/// A row with a measured `sync_s` says how its step divides: the exposed communication is `sync_s` (adaptdl's
/// synchronisation time, README "Network model fidelity") and everything else, step − sync, is compute (forward,
/// backward, optimizer, data loading). The model divides its own step the same way (`StepBreakdown.compute` and
/// `exposedCommunication`), so (predicted − measured) / measured step splits exactly into
/// ((predicted compute − measured compute) + (predicted exposed − measured sync)) / measured step.
public struct MissSplit: Sendable, Equatable {
    /// (predicted compute − (measured step − measured sync)) / measured step.
    public var compute: Double
    /// (predicted exposed communication − measured sync) / measured step.
    public var communication: Double

    /// The side that contributes the larger share of the error (compute on a tie).
    public var side: MissSide { abs(compute) >= abs(communication) ? .compute : .communication }
}

/// Which part of a step a prediction misses most.
public enum MissSide: String, Sendable, CaseIterable, Comparable {
    /// The part outside synchronisation (step − sync).
    case compute
    /// The exposed synchronisation (sync).
    case communication
    /// The row has no measured sync, so the error cannot be split.
    case unsplit = "no sync_s"

    /// Table order: compute, communication, unsplit.
    public static func < (a: MissSide, b: MissSide) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

extension MeasurementPrediction {
    /// The error split into compute and communication (nil when the row has no measured sync).
    public var missSplit: MissSplit? {
        guard let sync = row.syncSeconds, row.stepSeconds > 0 else { return nil }
        let measuredCompute = row.stepSeconds - sync
        let predictedCompute = stepSeconds - syncSeconds
        return MissSplit(compute: (predictedCompute - measuredCompute) / row.stepSeconds,
                         communication: (syncSeconds - sync) / row.stepSeconds)
    }
}

extension FidelityReport {
    /// The node-count class of the miss table for `nodes` nodes: the placement profiles' one, two and three to four nodes, and the
    /// scalability profiles' more.
    public static func nodeClass(_ nodes: Int) -> String {
        switch nodes {
        case 1: return "1"
        case 2: return "2"
        case 3...4: return "3–4"
        default: return "5+"
        }
    }

    /// Rows worse than `threshold` (|error|) grouped by model, the side they miss most, node count and the GPUs on
    /// their busiest node.
    public struct MissGroup: Sendable, Equatable {
        /// The zoo model.
        public var model: String
        /// The side that contributes most of the error.
        public var side: MissSide
        /// The node-count class ("1", "2", "3–4", "5+").
        public var nodes: String
        /// GPUs on the row's busiest node.
        public var busiestNodeGPUs: Int
        /// Rows in the group.
        public var rows: Int
        /// Median signed step error.
        public var medianError: Double
        /// Median compute part of the error (nil when the group's rows have no sync).
        public var medianCompute: Double?
        /// Median communication part of the error (nil when the group's rows have no sync).
        public var medianCommunication: Double?
    }

    /// The rows whose |error| exceeds `threshold` (default 35%, the per-row target), grouped by model (in
    /// order of first appearance), side, node class and GPUs on the busiest node.
    public func misses(over threshold: Double = 0.35) -> [MissGroup] {
        let models = perModel.map(\.name)
        struct Key: Comparable {
            var model: Int
            var side: MissSide
            var nodes: Int  // the class's smallest node count, for ordering
            var busiest: Int
            static func < (a: Key, b: Key) -> Bool {
                (a.model, a.side, a.nodes, a.busiest) < (b.model, b.side, b.nodes, b.busiest)
            }
        }
        func classStart(_ nodes: Int) -> Int { nodes <= 2 ? nodes : (nodes <= 4 ? 3 : 5) }
        var keyed: [(Key, MeasurementPrediction)] = []
        for p in predictions where abs(p.relativeError) > threshold {
            let key = Key(model: models.firstIndex(of: p.row.model) ?? models.count, side: p.missSplit?.side ?? .unsplit,
                          nodes: classStart(p.row.placement.count), busiest: p.row.placement.max() ?? 0)
            keyed.append((key, p))
        }
        // Stable: rows within a group stay in input order (the medians do not depend on it anyway).
        keyed = keyed.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
        var groups: [MissGroup] = []
        var start = 0
        while start < keyed.count {
            var end = start
            while end < keyed.count && keyed[end].0 == keyed[start].0 { end += 1 }
            let members = keyed[start..<end].map(\.1)
            let splits = members.compactMap(\.missSplit)
            let first = members[0]
            groups.append(MissGroup(
                model: first.row.model, side: keyed[start].0.side, nodes: Self.nodeClass(first.row.placement.count),
                busiestNodeGPUs: keyed[start].0.busiest, rows: members.count,
                medianError: Self.median(members.map(\.relativeError).sorted()),
                medianCompute: splits.isEmpty ? nil : Self.median(splits.map(\.compute).sorted()),
                medianCommunication: splits.isEmpty ? nil : Self.median(splits.map(\.communication).sorted())))
            start = end
        }
        return groups
    }

    /// `misses(over:)` as a Markdown table, with a total row.
    public func missesMarkdown(over threshold: Double = 0.35) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%+.1f%%", $0 * 100) } ?? "" }
        var lines = [
            "| model | misses most on | nodes | GPUs on busiest node | rows | median error | median compute part | median communication part |",
            "|---|---|---|---:|---:|---:|---:|---:|",
        ]
        let groups = misses(over: threshold)
        for g in groups {
            lines.append("| \(g.model) | \(g.side.rawValue) | \(g.nodes) | \(g.busiestNodeGPUs) | \(g.rows) | \(pct(g.medianError)) | \(pct(g.medianCompute)) | \(pct(g.medianCommunication)) |")
        }
        lines.append("| **all** | | | | \(groups.reduce(0) { $0 + $1.rows }) | | | |")
        return lines.joined(separator: "\n")
    }
}
