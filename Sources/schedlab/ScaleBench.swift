import ClusterModel
import Engine
import Foundation
import Network
import Performance
import Recording
import Scheduling

/// `schedlab bench --scale`: the benchmark's workload grown to a million jobs on 16,384 GPUs (2,048 DGX-A100-like
/// nodes in 64 racks of 32, ToR uplinks 2:1 oversubscribed), FIFO with the flow-level network model, results
/// written to a fresh SQLite database; every phase's wall and CPU time, and the process's peak RSS.
struct ScaleBench {
    var jobs: Int
    var load: Double
    var seed: UInt64

    func run() throws {
        let wall0 = BenchTiming.start()
        let topology = BenchWorkload.topology(racks: 64, nodesPerRack: 32)
        var phases = TextTable(header: ["phase", "wall s", "cpu s", "peak RSS MB"], rightAligned: [1, 2, 3])
        func phase<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let t = BenchTiming.start()
            let value = try body()
            let d = t.stop()
            phases.rows.append([name, String(format: "%.2f", d.wall), String(format: "%.2f", d.cpu),
                                String(format: "%.0f", BenchTiming.peakRSSMegabytes())])
            return value
        }
        let specs = try phase("generate") { try BenchWorkload.jobs(count: jobs, load: load, seed: seed, on: topology) }
        let simulation = phase("set up (fabric, jobs)") {
            let interconnect = Interconnect(graph: LinkGraph(topology: topology, spec: FabricSpec(oversubscription: 2)))
            return Simulation(topology: topology, jobs: specs, policy: FIFOPolicy(), placement: PackedPlacement(),
                              interconnect: interconnect, options: SimulationOptions(checkInvariants: false))
        }
        let simStart = BenchTiming.start()
        let result = try phase("simulate") { try simulation.run() }
        let simSeconds = simStart.stop().wall
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-scale-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let stats = try phase("write (SQLite)") { () throws -> WriteStatistics in
            let sink = try SQLiteSink(path: dir.appendingPathComponent("scale.sqlite").path)
            let id = try sink.beginRun(RunMetadata(
                scenarioName: "bench-scale", scenarioHash: "", seed: seed, policy: "fifo", placement: "packed",
                codeVersion: CodeVersion.current, schedlabVersion: CodeVersion.release, wallStart: Date()))
            return try sink.completeRun(id: id, result: result, topology: topology, wallEnd: Date(), writePath: .bulk)
        }
        let total = wall0.stop()
        phases.rows.append(["total", String(format: "%.2f", total.wall), String(format: "%.2f", total.cpu),
                            String(format: "%.0f", BenchTiming.peakRSSMegabytes())])
        print(String(format: "scale: %d jobs on %d GPUs (%d nodes, %d racks, 2:1 oversubscribed ToR uplinks), fifo, "
                         + "flow-level network, load %.2f, seed %llu",
                     specs.count, topology.gpuCount, topology.nodeCount, topology.rackCount, load, seed))
        print(phases.render())
        print(String(format: "%d events, %.2fM events/s, %.0fk jobs/s simulated; %d unfinished",
                     result.eventsProcessed, Double(result.eventsProcessed) / simSeconds / 1e6,
                     Double(specs.count) / simSeconds / 1e3, result.unfinishedJobs.count))
        print("")
        print("writes:")
        print(BenchCommand.render(stats))
    }
}
