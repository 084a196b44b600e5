import Engine
import Foundation
import Recording
import Scenario
import Workload

/// Runs one sweep point in this process and records it: the scenario with the point's overrides, simulated and
/// written as one run linked to its `sweep_points` row.
public enum SweepPointRunner {
    /// How an attempt ended.
    public enum Outcome: Sendable, Equatable {
        /// The run completed and was recorded.
        case complete(run: Int64)
        /// The point failed; `run` is its failed run when one began (not when the scenario did not load).
        case failed(run: Int64?, message: String)
    }

    /// Loads, simulates and records `point` of `spec` into `sink`; every failure is recorded before returning.
    /// `scenarioText` is the base scenario's text (read once per worker); `codeVersion` goes into the run row.
    public static func run(
        _ point: SweepPoint, of spec: SweepSpec, scenarioText: String, sink: SQLiteSink, codeVersion: String
    ) throws -> Outcome {
        let record = point.record(sweep: spec.name)
        let scenario: Scenario
        do {
            let overrides = try point.overrides.map { (o: String) throws(InputError) in try ScenarioOverride(o) }
            scenario = try ScenarioLoader.load(text: scenarioText, path: spec.scenario, overrides: overrides)
        } catch {
            let message = "\(error)"
            try sink.recordFailedPoint(record, error: message, wallTime: Date())
            return .failed(run: nil, message: message)
        }
        let meta = RunMetadata(
            scenarioName: scenario.name, scenarioHash: scenario.hash, seed: scenario.seed, policy: scenario.policyName,
            placement: scenario.placementName, parameters: scenario.policyParameters, codeVersion: codeVersion,
            wallStart: Date(), skippedInputRows: scenario.skippedRows.count, scenarioText: scenario.text,
            scenarioPath: scenario.path)
        let id = try sink.beginRun(meta, sweepPoint: record)
        let result: RunResult
        do {
            result = try scenario.makeSimulation(options: SimulationOptions(checkInvariants: nil)).run()
        } catch {
            try sink.failRun(id: id, message: "\(error)", wallEnd: Date())
            return .failed(run: id, message: "\(error)")
        }
        do {
            try sink.completeRun(id: id, result: result, topology: scenario.topology, wallEnd: Date())
        } catch {
            try sink.failRun(id: id, message: "recording failed: \(error)", wallEnd: Date())
            return .failed(run: id, message: "recording failed: \(error)")
        }
        return .complete(run: id)
    }
}
