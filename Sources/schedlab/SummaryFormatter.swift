import Engine
import Foundation
import Scenario

/// Renders a run's summary for the terminal.
enum SummaryFormatter {
    /// Provenance lines and the metrics table.
    static func render(scenario: Scenario, result: RunResult, runID: Int64?, db: String?, wallSeconds: Double) -> String {
        var lines = [
            "scenario   \(scenario.name) (\(scenario.path))",
            "cluster    \(scenario.topology.gpuCount) GPUs (\(scenario.topology.gpuTypes.map(\.name).joined(separator: ", "))) in \(scenario.topology.nodeCount) nodes, \(scenario.topology.rackCount) rack(s)",
            "policy     \(scenario.policyName), placement \(scenario.placementName), seed \(scenario.seed)",
            String(format: "simulated  %d jobs, %d events, %.2f h simulated in %.2f s wall",
                   result.jobs.count, result.eventsProcessed, result.simulatedEnd.seconds / 3600, wallSeconds),
        ]
        if let runID, let db { lines.append("recorded   run \(runID) in \(db)") }
        var table = TextTable(header: ["metric", "value"], rightAligned: [1])
        for m in result.summary { table.rows.append([m.name, format(m)]) }
        return lines.joined(separator: "\n") + "\n\n" + table.render()
    }

    /// The value as its unit prints it (`MetricUnit.render`); a name outside the catalog prints with 1 decimal.
    static func format(_ m: SummaryMetric) -> String {
        m.definition?.unit.render(m.value) ?? String(format: "%.1f", m.value)
    }
}
