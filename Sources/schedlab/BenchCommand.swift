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
        abstract: "Time the engine: 100,000 jobs on 1,024 GPUs with FIFO and backfill, with and without SQLite writes and the network model; the Python FIFO through the external-policy protocol; with --scale, a million jobs on 16,384 GPUs; with --scenario, a scenario against its variants.",
        discussion: """
            Targets (README): FIFO at least 2 M events/s; the 100k-job run's rows written in at most 0.25 s; \
            --scale (1,000,000 jobs, 16,384 GPUs, flow-level network, writes) in under 60 s and 4 GB peak RSS; \
            --scenario Scenarios/itp-full-2x.yaml --repeat 5: each preemptive policy within 3x of FIFO's wall time.
            """
    )

    @Option(help: "Jobs to generate (default: 100,000; 1,000,000 with --scale).")
    var jobs: Int?

    @Option(help: "Offered load (1.0 = the cluster's GPU capacity).")
    var load = 0.9

    @Option(help: "Master seed of the generated workload.")
    var seed: UInt64 = 1

    @Option(help: "Run only these policies' rows (comma-separated, e.g. fifo,backfill,external; default: all).")
    var only = ""

    @Option(help: "Leave out the rows with these parts (comma-separated: sqlite, network), e.g. to profile one row.")
    var skip = ""

    @Option(help: "Runs of each row; the fastest (by wall time) is reported.")
    var `repeat` = 1

    @Option(help: "How '+ sqlite' rows write results: bulk (the default path), reference (one plain statement per row) or streamed (rows handed to a writing thread while the simulation runs; 'write s' is then the wait after the simulation, and 'wall s' the whole run).")
    var writePath: WritePath = .bulk

    @Flag(help: "Instead of the rows: a million jobs (or --jobs) on 16,384 GPUs (2,048 DGX-A100-like nodes, 64 racks, 2:1 oversubscribed spine), FIFO with the flow-level network, results written to SQLite.")
    var scale = false

    @Option(help: ArgumentHelp("Instead of the rows: read and validate this canonical trace CSV --repeat times (after a warm-up read) and print the median and best milliseconds (Tests/Benchmarks/trace-read.sh compares Python's csv module).", valueName: "file"))
    var trace: String?

    @Option(help: ArgumentHelp("Instead of the rows: time `schedlab run FILE --no-db --quiet` against the same with `--variant NAME` for each variant, each a process of its own, in --repeat alternating rounds; print each one's fastest and median run and their ratios to the file's (a file without a seed: every run with --seed 1).", valueName: "file"))
    var scenario: String?

    @Option(help: ArgumentHelp("With --scenario: the variants to time (comma-separated; default: every variant of the file).", valueName: "names"))
    var variants: String?

    @Option(help: ArgumentHelp("The external-policy rows' policy process (run from the repository root).", valueName: "command"))
    var pythonPolicy = "python3 python/examples/fifo.py"

    /// The option values' problem, if any (reported as bad input: exit 2).
    private var badOption: String? {
        for part in skip.split(separator: ",") where part != "sqlite" && part != "network" {
            return "--skip: expected sqlite or network, got '\(part)'"
        }
        if `repeat` < 1 { return "--repeat: expected a number of runs >= 1, got \(`repeat`)" }
        if let jobs, jobs < 1 { return "--jobs: expected a number of jobs >= 1, got \(jobs)" }
        if scenario != nil {
            // What the rows and the other modes take means nothing to a scenario's runs: refused, not ignored.
            for (given, name) in [(scale, "--scale"), (trace != nil, "--trace"), (jobs != nil, "--jobs"), (!only.isEmpty, "--only"),
                                  (!skip.isEmpty, "--skip")] where given {
                return "--scenario: cannot be combined with \(name) (the scenario file sets its jobs and policies)"
            }
        }
        if let variants {
            guard scenario != nil else { return "--variants: applies only with --scenario" }
            if variants.split(separator: ",", omittingEmptySubsequences: false).contains(where: { $0.isEmpty }) {
                return "--variants: expected comma-separated variant names, got '\(variants)'"
            }
        }
        return nil
    }

    func run() throws {
        if let badOption {
            printError("error: \(badOption)")
            throw CLIExit.badInput
        }
        if let trace { return try TraceReadBench(path: trace, runs: `repeat`).run() }
        if let scenario {
            return try ScenarioBench(path: scenario, variants: variants.map { $0.split(separator: ",").map(String.init) },
                                     rounds: `repeat`).run()
        }
        if scale { return try ScaleBench(jobs: jobs ?? 1_000_000, load: load, seed: seed).run() }
        let external = ExternalPolicyBench(command: pythonPolicy.split(separator: " ").map(String.init), seed: seed)
        if only == "external" { return try external.run() }
        // 1,024 GPUs: 128 DGX-A100-like nodes in 8 racks of 16.
        let topology = BenchWorkload.topology(racks: 8, nodesPerRack: 16)
        let genStart = Date()
        let specs = try BenchWorkload.jobs(count: jobs ?? 100_000, load: load, seed: seed, on: topology)
        print(String(format: "generated %d jobs on %d GPUs in %.2f s (load %.2f, seed %llu)",
                     specs.count, topology.gpuCount, Date().timeIntervalSince(genStart), load, seed))
        #if SIM_INTERNAL_CHECKS
        print("warning: debug build with per-event invariant checks; build with -c release for real figures")
        #endif

        var table = TextTable(
            header: ["variant", "events", "wall s", "cpu s", "events/s", "jobs/s", "write s", "vs network-off", "peak RSS MB"],
            rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])
        var writeTables: [(String, WriteStatistics)] = []
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The two-tier fabric of the network-on variant: 8 racks under a spine, ToR uplinks 2:1 oversubscribed.
        let interconnect = Interconnect(graph: LinkGraph(topology: topology, spec: FabricSpec(oversubscription: 2)))
        var offSeconds: [String: Double] = [:]
        let variants: [(policy: String, db: Bool, network: Bool)] = [
            ("fifo", false, false), ("fifo", true, false), ("backfill", false, false), ("backfill", true, false),
            ("fifo", false, true), ("backfill", false, true), ("tiresias", false, false), ("tiresias", false, true),
        ]
        let skipped = Set(skip.split(separator: ",").map(String.init))
        for v in variants where only.isEmpty || only.split(separator: ",").contains(where: { $0 == v.policy }) {
            if (v.db && skipped.contains("sqlite")) || (v.network && skipped.contains("network")) { continue }
            var best: (sim: BenchTiming, write: WriteStatistics?, events: Int)?
            for attempt in 0..<`repeat` {
                // The preemptive rows: Tiresias' LAS preempts and restarts jobs throughout (with the network model,
                // every preemption and restart also re-solves the fabric).
                let policy = try PolicyCatalog.entry(v.policy)!.make(nil)
                var options = SimulationOptions(checkInvariants: false)
                // The database is opened and the run row written before the clock starts, on every path.
                var recording: (sink: SQLiteSink, id: Int64, stream: StreamingRun?)?
                if v.db {
                    let sink = try SQLiteSink(path: dir.appendingPathComponent("\(v.policy)-\(attempt).sqlite").path)
                    let id = try sink.beginRun(RunMetadata(
                        scenarioName: "bench", scenarioHash: "", seed: seed, policy: v.policy, placement: "packed",
                        codeVersion: CodeVersion.current, schedlabVersion: CodeVersion.release, wallStart: Date()))
                    var stream: StreamingRun?
                    if writePath == .streamed {
                        let s = sink.streamRun(id: id, topology: topology)
                        options.output = { s.receive($0) }
                        stream = s
                    }
                    recording = (sink, id, stream)
                }
                let sim = Simulation(topology: topology, jobs: specs, policy: policy, placement: PackedPlacement(),
                                     interconnect: v.network ? interconnect : nil, options: options)
                let t0 = BenchTiming.start()
                let result: RunResult
                do {
                    result = try sim.run()
                } catch {
                    recording?.stream?.abort()
                    throw error
                }
                let simTiming = t0.stop()
                var write: WriteStatistics?
                if let recording {
                    if let stream = recording.stream {
                        write = try stream.finish(result: result, wallEnd: Date())
                    } else {
                        write = try recording.sink.completeRun(
                            id: recording.id, result: result, topology: topology, wallEnd: Date(), writePath: writePath)
                    }
                }
                let total = simTiming.wall + (write?.totalSeconds ?? 0)
                if best == nil || total < best!.sim.wall + (best!.write?.totalSeconds ?? 0) {
                    best = (simTiming, write, result.eventsProcessed)
                }
            }
            let b = best!
            if !v.db && !v.network { offSeconds[v.policy] = b.sim.wall }
            let slowdown = v.network ? String(format: "%.2fx", b.sim.wall / (offSeconds[v.policy] ?? b.sim.wall)) : "-"
            let name = v.policy + (v.db ? " + sqlite" : "") + (v.network ? " + network" : "")
            table.rows.append([
                name, "\(b.events)", String(format: "%.3f", b.sim.wall + (b.write?.totalSeconds ?? 0)),
                String(format: "%.3f", b.sim.cpu),
                String(format: "%.2fM", Double(b.events) / b.sim.wall / 1e6),
                String(format: "%.0fk", Double(specs.count) / b.sim.wall / 1e3),
                b.write.map { String(format: "%.3f", $0.totalSeconds) } ?? "-", slowdown,
                String(format: "%.0f", BenchTiming.peakRSSMegabytes()),
            ])
            if let w = b.write { writeTables.append((name, w)) }
        }
        print(table.render())
        print("events/s and jobs/s count simulation wall time only (cpu s: the simulating thread's CPU time); wall s")
        print("includes the SQLite transaction for '+ sqlite' rows; '+ network' runs the flow-level interconnect (8 racks,")
        print("2:1 oversubscribed ToR uplinks); tiresias is the preemptive row (default thresholds, free preemption).")
        if `repeat` > 1 { print("each row: the fastest of \(`repeat`) runs") }
        for (name, stats) in writeTables {
            print("")
            print("writes of '\(name)' (\(writePath.rawValue) path):")
            print(Self.render(stats))
        }
        if only.isEmpty || only.split(separator: ",").contains("external") {
            try external.run()
        }
    }

    /// Rows, seconds and rows/s per table, then the commit and the total.
    static func render(_ stats: WriteStatistics) -> String {
        var t = TextTable(header: ["table", "rows", "s", "rows/s"], rightAligned: [1, 2, 3])
        for table in stats.tables {
            t.rows.append([table.name, "\(table.rows)", String(format: "%.3f", table.seconds),
                           table.seconds > 0 ? String(format: "%.2fM", table.rowsPerSecond / 1e6) : "-"])
        }
        t.rows.append(["(commit)", "", String(format: "%.3f", stats.commitSeconds), ""])
        t.rows.append(["total", "\(stats.rows)", String(format: "%.3f", stats.totalSeconds),
                       String(format: "%.2fM", Double(stats.rows) / stats.totalSeconds / 1e6)])
        t.rows.append(["total, cpu s", "", String(format: "%.3f", stats.cpuSeconds),
                       String(format: "%.2fM", Double(stats.rows) / stats.cpuSeconds / 1e6)])
        if stats.rowsWhileSimulating > 0 {
            // The streamed path: "total" above is the wait after the simulation; these rows went in before it ended.
            t.rows.append(["while simulating", "\(stats.rowsWhileSimulating)",
                           String(format: "%.3f", stats.secondsWhileSimulating), ""])
        }
        return t.render()
    }
}

extension WritePath: ExpressibleByArgument {}

/// The benchmark's generated workload: six zoo models, 1–32 GPUs, lognormal durations, Poisson arrivals at a target
/// load, on DGX-A100-like nodes.
enum BenchWorkload {
    /// `racks` racks of `nodesPerRack` DGX-A100-like nodes.
    static func topology(racks: Int, nodesPerRack: Int) -> Topology {
        let template = NodeTemplateCatalog.named("dgx-a100")!
        return Topology(racks: (0..<racks).map { (name: "rack\($0)", nodes: Array(repeating: template, count: nodesPerRack)) })
    }

    /// `count` jobs at offered load `load` on `topology`, from `seed`.
    static func jobs(count: Int, load: Double, seed: UInt64, on topology: Topology) throws -> [JobSpec] {
        let workload = try SyntheticWorkload(
            jobCount: count, arrivals: .targetLoad(load),
            gpus: .categorical(CategoricalTable(values: [1, 2, 4, 8, 16, 32], weights: [60, 10, 10, 12, 5, 3])),
            durationSeconds: .lognormal(mu: 7.5, sigma: 1.3),
            models: ModelZoo.all.indices.map { ($0, 1.0) })
        return try workload.generate(streams: RandomStreams(master: seed), topology: topology)
    }
}

/// Wall and CPU time of a stretch of the benchmark.
struct BenchTiming {
    /// Wall seconds.
    var wall: Double
    /// CPU seconds of the calling thread (the simulation is single-threaded): unlike wall time, it barely moves when
    /// other processes load the machine.
    var cpu: Double

    /// A running measurement.
    struct Running {
        let wall: UInt64
        let cpu: Double
        /// Ends the measurement.
        func stop() -> BenchTiming {
            BenchTiming(wall: Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9, cpu: BenchTiming.threadCPU() - cpu)
        }
    }

    /// Starts a measurement.
    static func start() -> Running { Running(wall: DispatchTime.now().uptimeNanoseconds, cpu: threadCPU()) }

    /// The calling thread's CPU seconds so far.
    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Peak resident set size of this process so far, MB (getrusage; Linux reports KiB).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
