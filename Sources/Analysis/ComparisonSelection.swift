import Foundation
import Recording

/// Which complete runs of a results database a comparison reads (`schedlab compare`'s filters), and reading them.
public struct ComparisonSelection: Sendable {
    /// Only runs recorded by this sweep.
    public var sweep: String?
    /// Only runs of this scenario name.
    public var scenario: String?
    /// Only these policy labels (names, or names with parameters); empty: all.
    public var policies: [String] = []
    /// Only these run IDs; empty: all.
    public var runIDs: [Int64] = []

    /// Creates a selection (everything by default).
    public init(sweep: String? = nil, scenario: String? = nil, policies: [String] = [], runIDs: [Int64] = []) {
        self.sweep = sweep
        self.scenario = scenario
        self.policies = policies
        self.runIDs = runIDs
    }

    /// The selected complete runs of `sink`, in run-ID order, with their metrics and effective scenario fields.
    public func load(from sink: SQLiteSink) throws -> [ComparedRun] {
        let swept = try sink.sweepFieldsByRun()
        var runs: [ComparedRun] = []
        for row in try sink.fetchRuns() where row.status == .complete {
            if let sweep, swept[row.id]?.sweep != sweep { continue }
            if let scenario, row.scenario != scenario { continue }
            if !runIDs.isEmpty && !runIDs.contains(row.id) { continue }
            let label = Self.label(policy: row.policy, parameters: row.parameters)
            if !policies.isEmpty && !policies.contains(label) && !policies.contains(row.policy) { continue }
            guard let text = row.scenarioText else { throw ComparisonError.noScenarioText(run: row.id) }
            var fields = try ScenarioFields(yaml: text)
            // What the run used, which command-line options may have changed after the text.
            fields.set("seed", String(row.seed))
            fields.set("policy.name", row.policy)
            fields.set("policy.placement", row.placement)
            fields.set("policy.params", row.parameters.isEmpty ? nil : Self.oneLine(row.parameters))
            var metrics: [String: Double] = [:]
            for m in try sink.fetchSummary(run: row.id) where !m.value.isNaN { metrics[m.name] = m.value }
            runs.append(ComparedRun(id: row.id, policy: label, seed: row.seed, fields: fields,
                                    sweptFields: swept[row.id]?.fields ?? [], metrics: metrics))
        }
        return runs
    }

    /// "backfill", or "backfill {depth: 10}" when the run had parameters.
    public static func label(policy: String, parameters: String) -> String {
        parameters.isEmpty ? policy : "\(policy) \(oneLine(parameters))"
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
    }
}
