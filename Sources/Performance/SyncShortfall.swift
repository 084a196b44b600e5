import Foundation

extension FidelityReport {
    /// One model's exposed-communication shortfall at one replica count.
    public struct SyncShortfall: Sendable, Equatable {
        /// The zoo model.
        public var model: String
        /// Replicas (GPUs) of the job.
        public var replicas: Int
        /// Rows with this model and replica count (on at least the asked number of nodes, with a measured sync).
        public var rows: Int
        /// Median of measured sync − predicted exposed communication, seconds.
        public var medianSeconds: Double
    }

    /// Per model (in order of first appearance) and replica count (ascending), the median of measured `sync_s` minus
    /// the predicted exposed communication over the rows on at least `minNodes` nodes: how the communication the model
    /// misses grows with the number of replicas in the ring.
    public func syncShortfall(minNodes: Int = 3) -> [SyncShortfall] {
        var out: [SyncShortfall] = []
        for model in perModel.map(\.name) {
            var byReplicas: [(replicas: Int, gap: Double)] = []
            for p in predictions where p.row.model == model && p.row.placement.count >= minNodes {
                guard let sync = p.row.syncSeconds else { continue }
                byReplicas.append((p.row.gpuCount, sync - p.syncSeconds))
            }
            byReplicas.sort { ($0.replicas, $0.gap) < ($1.replicas, $1.gap) }
            var start = 0
            while start < byReplicas.count {
                var end = start
                while end < byReplicas.count && byReplicas[end].replicas == byReplicas[start].replicas { end += 1 }
                out.append(SyncShortfall(model: model, replicas: byReplicas[start].replicas, rows: end - start,
                                         medianSeconds: Self.median(byReplicas[start..<end].map(\.gap))))
                start = end
            }
        }
        return out
    }

    /// `syncShortfall(minNodes:)` as a Markdown table: one row per model, one column per replica count, milliseconds (a
    /// sentence when no row qualifies).
    public func syncShortfallMarkdown(minNodes: Int = 3) -> String {
        let cells = syncShortfall(minNodes: minNodes)
        guard !cells.isEmpty else { return "No row with a measured sync on \(minNodes) or more nodes." }
        var counts: [Int] = []
        for c in cells where !counts.contains(c.replicas) { counts.append(c.replicas) }
        counts.sort()
        var lines = ["| model | " + counts.map { "\($0)" }.joined(separator: " | ") + " |",
                     "|---|" + counts.map { _ in "---:|" }.joined()]
        var models: [String] = []
        for c in cells where !models.contains(c.model) { models.append(c.model) }
        for m in models {
            let row = counts.map { k in
                cells.first { $0.model == m && $0.replicas == k }.map { String(format: "%.0f", $0.medianSeconds * 1000) } ?? ""
            }
            lines.append("| \(m) | " + row.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
