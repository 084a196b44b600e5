import ArgumentParser
import ClusterModel
import Engine
import Foundation
import Models
import Network
import Performance
import Recording
import Scheduling
import SimRandom
import Workload

/// `schedlab bench`: the project's speed benchmark (build with `-c release`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the engine: 100,000 jobs on 1,024 GPUs with FIFO and backfill, with and without SQLite writes and the network model; the Python FIFO through the external-policy protocol.",
        discussion: "Targets (README): at least 1 M events/s, and under 5 s for the FIFO run including writes on 2 cores."
    )

    @Option(help: "Jobs to generate.")
    var jobs = 100_000

    @Option(help: "Offered load (1.0 = the cluster's GPU capacity).")
    var load = 0.9

    @Option(help: "Master seed of the generated workload.")
    var seed: UInt64 = 1

    @Option(help: "Run only these policies' rows (comma-separated, e.g. fifo,backfill,external; default: all).")
    var only = ""

    @Option(help: ArgumentHelp("The external-policy rows' policy process (run from the repository root).", valueName: "command"))
    var pythonPolicy = "python3 python/examples/fifo.py"

    func run() throws {
        let external = ExternalPolicyBench(command: pythonPolicy.split(separator: " ").map(String.init), seed: seed)
        if only == "external" { return try external.run() }
        // 1,024 GPUs: 128 DGX-A100-like nodes in 8 racks of 16.
        let template = NodeTemplateCatalog.named("dgx-a100")!
        let topology = Topology(racks: (0..<8).map { (name: "rack\($0)", nodes: Array(repeating: template, count: 16)) })
        let workload = try SyntheticWorkload(
            jobCount: jobs, arrivals: .targetLoad(load),
            gpus: .categorical(CategoricalTable(values: [1, 2, 4, 8, 16, 32], weights: [60, 10, 10, 12, 5, 3])),
            durationSeconds: .lognormal(mu: 7.5, sigma: 1.3),
            models: ModelZoo.all.indices.map { ($0, 1.0) })
        let genStart = Date()
        let specs = try workload.generate(streams: RandomStreams(master: seed), topology: topology)
        print(String(format: "generated %d jobs on %d GPUs in %.2f s (load %.2f, seed %llu)",
                     specs.count, topology.gpuCount, Date().timeIntervalSince(genStart), load, seed))
        #if SIM_INTERNAL_CHECKS
        print("warning: debug build with per-event invariant checks; build with -c release for real figures")
        #endif

        var table = TextTable(header: ["variant", "events", "wall s", "events/s", "write s", "vs network-off", "peak RSS MB"],
                              rightAligned: [1, 2, 3, 4, 5, 6])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The two-tier fabric of the network-on variant: 8 racks under a spine, ToR uplinks 2:1 oversubscribed.
        let interconnect = Interconnect(graph: LinkGraph(topology: topology, spec: FabricSpec(oversubscription: 2)))
        var offSeconds: [String: Double] = [:]
        let variants: [(policy: String, db: Bool, network: Bool)] = [
            ("fifo", false, false), ("fifo", true, false), ("backfill", false, false), ("backfill", true, false),
            ("fifo", false, true), ("backfill", false, true), ("tiresias", false, false), ("tiresias", false, true),
        ]
        for v in variants where only.isEmpty || only.split(separator: ",").contains(where: { $0 == v.policy }) {
            // The preemptive rows: Tiresias' LAS preempts and restarts jobs throughout (with the network model, every
            // preemption and restart also re-solves the fabric).
            let policy = try PolicyCatalog.entry(v.policy)!.make(nil)
            let t0 = Date()
            let sim = Simulation(topology: topology, jobs: specs, policy: policy, placement: PackedPlacement(),
                                 interconnect: v.network ? interconnect : nil,
                                 options: SimulationOptions(checkInvariants: false))
            let result = try sim.run()
            let simSeconds = Date().timeIntervalSince(t0)
            var writeSeconds = 0.0
            if v.db {
                let w0 = Date()
                let sink = try SQLiteSink(path: dir.appendingPathComponent("\(v.policy).sqlite").path)
                let id = try sink.beginRun(RunMetadata(
                    scenarioName: "bench", scenarioHash: "", seed: seed, policy: v.policy, placement: "packed",
                    codeVersion: CodeVersion.current, schedlabVersion: CodeVersion.release, wallStart: t0))
                try sink.completeRun(id: id, result: result, topology: topology, wallEnd: Date())
                writeSeconds = Date().timeIntervalSince(w0)
            }
            if !v.db && !v.network { offSeconds[v.policy] = simSeconds }
            let slowdown = v.network ? String(format: "%.2fx", simSeconds / (offSeconds[v.policy] ?? simSeconds)) : "-"
            let name = v.policy + (v.db ? " + sqlite" : "") + (v.network ? " + network" : "")
            table.rows.append([
                name, "\(result.eventsProcessed)", String(format: "%.3f", simSeconds + writeSeconds),
                String(format: "%.2fM", Double(result.eventsProcessed) / simSeconds / 1e6),
                v.db ? String(format: "%.3f", writeSeconds) : "-", slowdown, String(format: "%.0f", peakRSSMegabytes()),
            ])
        }
        print(table.render())
        print("events/s counts simulation time only; wall s includes the SQLite transaction for '+ sqlite' rows;")
        print("'+ network' runs the flow-level interconnect (8 racks, 2:1 oversubscribed ToR uplinks);")
        print("tiresias is the preemptive row (default thresholds, free preemption).")
        if only.isEmpty || only.split(separator: ",").contains("external") {
            try external.run()
        }
    }

    /// Peak resident set size of this process so far, MB (getrusage; Linux reports KiB).
    private func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
