import ClusterModel
import Engine
import Foundation
import Models
import Scheduling
import SimRandom
import Workload

/// The benchmark's external-policy rows: the Python FIFO example against the Swift FIFO on a 5,000-job workload on
/// 64 GPUs, with the rounds each ran, rounds per second through the pipe, and the overhead over Swift.
struct ExternalPolicyBench {
    /// The policy process's command (the Python FIFO example by default).
    var command: [String]
    var jobs = 5_000
    var load = 0.9
    var seed: UInt64 = 1
    /// Runs of each row; the fastest is reported.
    var repeats = 3

    /// Rounds a policy decided and the wall time it took.
    final class Tally {
        var rounds = 0
        var seconds = 0.0
    }

    /// A policy that counts its rounds and the wall time spent deciding them (the policy's share of the run).
    struct Counted<Inner: SchedulingPolicy>: SchedulingPolicy {
        static var name: String { Inner.name }
        static var onlyStartsWaitingJobs: Bool { Inner.onlyStartsWaitingJobs }
        static var startsStrictlyInQueueOrder: Bool { Inner.startsStrictlyInQueueOrder }
        var inner: Inner
        let tally: Tally

        mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
            inner.schedule(s, planner: &planner)
        }

        mutating func decide(_ s: ClusterSnapshot, planner: inout PlacementPlanner) throws(PolicyFailure) -> [SchedulingDecision] {
            let t0 = DispatchTime.now().uptimeNanoseconds
            defer {
                tally.rounds += 1
                tally.seconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            }
            return try inner.decide(s, planner: &planner)
        }

        mutating func rejected(_ decision: SchedulingDecision, reason: String) -> PolicyFailure? {
            inner.rejected(decision, reason: reason)
        }
    }

    /// Runs both rows and prints their table.
    func run() throws {
        guard let script = command.dropFirst().first, FileManager.default.fileExists(atPath: script) else {
            print("external policy rows skipped: \(command.joined(separator: " ")) not found (run from the repository root, or pass --python-policy)")
            return
        }
        // 64 GPUs: 8 DGX-A100-like nodes under one ToR.
        let template = NodeTemplateCatalog.named("dgx-a100")!
        let topology = Topology(racks: [(name: "rack0", nodes: Array(repeating: template, count: 8))])
        let workload = try SyntheticWorkload(
            jobCount: jobs, arrivals: .targetLoad(load),
            gpus: .categorical(CategoricalTable(values: [1, 2, 4, 8, 16], weights: [50, 20, 15, 10, 5])),
            durationSeconds: .lognormal(mu: 7.0, sigma: 1.3),
            models: ModelZoo.all.indices.map { ($0, 1.0) })
        let specs = try workload.generate(streams: RandomStreams(master: seed), topology: topology)

        func timed(_ policy: any SchedulingPolicy) throws -> (result: RunResult, seconds: Double) {
            let t0 = Date()
            let sim = Simulation(topology: topology, jobs: specs, policy: policy, placement: PackedPlacement(),
                                 options: SimulationOptions(checkInvariants: false))
            let result = try sim.run()
            return (result, Date().timeIntervalSince(t0))
        }
        // The fastest of `repeats` runs of each row: the machine's other load only ever adds time (the Python row
        // makes two context switches per round, which a busy machine delays most).
        func best(_ make: () -> (any SchedulingPolicy, Tally)) throws -> (result: RunResult, seconds: Double, tally: Tally) {
            var best: (result: RunResult, seconds: Double, tally: Tally)?
            for _ in 0..<repeats {
                let (policy, tally) = make()
                let run = try timed(policy)
                if best == nil || run.seconds < best!.seconds { best = (run.result, run.seconds, tally) }
            }
            return best!
        }
        let native = try best {
            let t = Tally()
            return (Counted(inner: FIFOPolicy(), tally: t), t)
        }
        let external = try best {
            let t = Tally()
            return (Counted(inner: ExternalPolicy(ExternalPolicy.Configuration(command: command)), tally: t), t)
        }
        let swiftTally = native.tally, pythonTally = external.tally
        let identical = RunDigest.text(native.result) == RunDigest.text(external.result)

        print("")
        print(String(format: "external policy: %d jobs on %d GPUs (load %.2f, seed %llu), `%@` against the Swift fifo",
                     specs.count, topology.gpuCount, load, seed, command.joined(separator: " ")))
        var table = TextTable(header: ["variant", "rounds", "wall s", "policy s", "rounds/s", "µs/round", "vs swift fifo"],
                              rightAligned: [1, 2, 3, 4, 5, 6])
        for (name, seconds, tally) in [("swift fifo", native.seconds, swiftTally),
                                       ("python fifo (external)", external.seconds, pythonTally)] {
            table.rows.append([
                name, "\(tally.rounds)", String(format: "%.3f", seconds), String(format: "%.3f", tally.seconds),
                String(format: "%.0f", Double(tally.rounds) / max(tally.seconds, 1e-9)),
                String(format: "%.1f", tally.seconds / Double(max(tally.rounds, 1)) * 1e6),
                name == "swift fifo" ? "-" : String(format: "%.1fx, +%.3f s", seconds / native.seconds, seconds - native.seconds),
            ])
        }
        print(table.render())
        print("Fastest of \(repeats) runs each. rounds/s and µs/round count the policy's time per round (for the external row:")
        print("the delta, the pipe both ways, Python's mirror and schedule, the reply's decoding); the Swift fifo runs fewer")
        print("rounds (the engine skips rounds a start-only, strict-order policy cannot use). Identical results (run digest): \(identical ? "yes" : "NO")")
    }
}
