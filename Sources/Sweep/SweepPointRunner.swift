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
        /// A signal stopped the simulation; the run is recorded `interrupted` with `reason`, `message` says where.
        case interrupted(run: Int64, message: String)
    }

    /// Loads, simulates and records `point` of `spec` into `sink`; every failure is recorded before returning.
    /// `scenarioText` is the base scenario's text (read once per worker); `codeVersion` goes into the run row.
    /// `stopReason` is asked before every event: a non-nil answer (`interrupted by SIGINT`) stops the simulation
    /// there and marks its run `interrupted` with that reason.
    public static func run(
        _ point: SweepPoint, of spec: SweepSpec, scenarioText: String, sink: SQLiteSink, codeVersion: String,
        stopReason: (() -> String?)? = nil
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
        var options = SimulationOptions(checkInvariants: nil)
        if let stopReason { options.shouldStop = { stopReason() != nil } }
        let simulation = scenario.makeSimulation(options: options)
        do {
            result = try simulation.run()
        } catch {
            // Any failure after a stop request counts as the interruption (the signal also reaches an external
            // policy's process, whose death the engine may notice first).
            if let reason = stopReason?() {
                var (time, events) = (simulation.now, simulation.eventsProcessed)
                if case .interrupted(let t, let e) = error { (time, events) = (t, e) }
                try sink.interruptRun(id: id, reason: reason, simulatedEndSeconds: time.seconds, events: events, wallEnd: Date())
                return .interrupted(run: id, message: "\(reason) at t=\(String(format: "%.3f", time.seconds)) s after \(events) events")
            }
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
