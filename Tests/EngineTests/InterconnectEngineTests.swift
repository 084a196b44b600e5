import ClusterModel
import Engine
import Foundation
import Models
import Network
import Performance
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// The engine with the flow-level interconnect: jobs share links max-min fairly, and a job's speed changes at
/// the instant the flows on its links change (acceptance 2 of the interconnect issue, end to end).
final class InterconnectEngineTests: XCTestCase {
    /// 2 racks × 2 nodes, one V100 and one 10 GB/s NIC (α = 0) per node; ToR uplinks 4:1 oversubscribed, so each
    /// rack's uplink carries 2 × 10 / 4 = 5 GB/s.
    private func fabric() -> (Topology, Interconnect) {
        let node = NodeTemplate(
            name: "one-v100", summary: "test", gpuType: GPUCatalog.named("v100-16")!, gpuCount: 1, intraNodeClass: .pcie,
            intraNode: LinkParameters(bandwidthBytesPerSecond: 10e9, latencySeconds: 0),
            nicCount: 1, nic: LinkParameters(bandwidthBytesPerSecond: 10e9, latencySeconds: 0), source: "test")
        let topology = ClusterFixtures.topology(nodesPerRack: [[node, node], [node, node]])
        return (topology, Interconnect(graph: LinkGraph(topology: topology, spec: FabricSpec(oversubscription: 4))))
    }

    private func lmJob(_ i: Int, iterations: Double) -> JobSpec {
        JobSpec(id: JobID(i), name: "lm\(i)", submitTime: .zero, gpuCount: 2, model: ModelZoo.index(named: "lm"),
                work: .iterations(iterations))
    }

    /// Starts job 0 on GPUs 0 and 2, job 1 on GPUs 1 and 3: both rings cross both racks' uplinks.
    private let crossRack = ScriptedPolicy { s, _ in
        s.queue.map { $0 == JobID(0) ? .start($0, gpus: [GPUID(0), GPUID(2)]) : .start($0, gpus: [GPUID(1), GPUID(3)]) }
    }

    // Two jobs sharing an oversubscribed uplink each get half of it; when the shorter finishes, the other speeds
    // up at that instant. Hand computation (lm: 112 MB of gradients, 1/64.74 s compute on a V100, γ = 2):
    // a 2-rank cross-node all-reduce sends S per flow; shared, each flow gets 5/2 GB/s, alone 5 GB/s.
    func testSharedUplinkHalvesThenSpeedsUp() throws {
        let (topology, interconnect) = fabric()
        let sim = Simulation(
            topology: topology, jobs: [lmJob(0, iterations: 1000), lmJob(1, iterations: 500)], policy: crossRack,
            placement: FirstFitPlacement(), interconnect: interconnect, options: SimulationOptions(checkInvariants: true))
        let result = try sim.run()
        let compute = 1 / 64.74
        let bytes = 28e6 * 4
        let shared = (compute * compute + pow(bytes / 2.5e9, 2)).squareRoot()
        let alone = (compute * compute + pow(bytes / 5e9, 2)).squareRoot()
        let firstEnd = 500 * shared
        XCTAssertEqual(try XCTUnwrap(result.jobs[1].finish).seconds, firstEnd, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(result.jobs[0].finish).seconds, firstEnd + 500 * alone, accuracy: 1e-6)
        // Mean iteration time is time-weighted over the two speeds.
        let mean = (firstEnd * shared + 500 * alone * alone) / (firstEnd + 500 * alone)
        XCTAssertEqual(try XCTUnwrap(result.jobs[0].meanIterationSeconds), mean, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(result.jobs[1].communicationFraction), (shared - compute) / shared, accuracy: 1e-9)
    }

    // A job alone runs at the uncontended speed, which equals StepTimeModel.uncontended for its placement.
    func testAloneMatchesUncontendedStepTime() throws {
        let (topology, interconnect) = fabric()
        let result = try Simulation(
            topology: topology, jobs: [lmJob(0, iterations: 100)], policy: crossRack, placement: FirstFitPlacement(),
            interconnect: interconnect, options: SimulationOptions(checkInvariants: true)
        ).run()
        let step = StepTimeModel.uncontended(
            model: ModelZoo.named("lm")!, gpus: [GPUID(0), GPUID(2)], graph: interconnect.graph).total
        XCTAssertEqual(try XCTUnwrap(result.jobs[0].finish).seconds, 100 * step, accuracy: 1e-6)
    }

    // Utilization samples list the busiest links, never above capacity, with the shared uplinks at 100%.
    func testLinkSamples() throws {
        var (topology, interconnect) = fabric()
        interconnect.linkSampleInterval = 1
        let result = try Simulation(
            topology: topology, jobs: [lmJob(0, iterations: 1000), lmJob(1, iterations: 500)], policy: crossRack,
            placement: FirstFitPlacement(), interconnect: interconnect
        ).run()
        XCTAssertFalse(result.links.isEmpty)
        XCTAssertTrue(result.links.allSatisfy { $0.utilization <= 1 + 1e-9 && $0.utilization > 0 })
        let first = result.links.filter { $0.time == .zero }
        XCTAssertEqual(first.prefix(4).map(\.name).sorted(), ["r0.down", "r0.up", "r1.down", "r1.up"])
        XCTAssertEqual(first[0].utilization, 1, accuracy: 1e-9)
    }

    // Same inputs, same outputs with the interconnect too (determinism), under random placements and preemption-free
    // policies; and the invariants hold after every event.
    func testDeterministicWithNetwork() throws {
        let topology = ClusterFixtures.microCluster(racks: 2, nodesPerRack: 2, gpusPerNode: 4)
        let graph = LinkGraph(topology: topology, spec: FabricSpec(oversubscription: 2))
        var rng = SeededGenerator(seed: 11)
        let jobs = (0..<40).map { i in
            JobSpec(id: JobID(i), name: "j\(i)", submitTime: .seconds(Double(i) * 3), gpuCount: [1, 2, 4, 8][rng.int(0...3)],
                    model: [ModelZoo.index(named: "resnet50"), ModelZoo.index(named: "bert-base")][rng.int(0...1)],
                    work: .iterations(Double(rng.int(5...50))))
        }
        func run() throws -> RunResult {
            try Simulation(topology: topology, jobs: jobs, policy: EASYBackfillPolicy(), placement: SpreadPlacement(),
                           interconnect: Interconnect(graph: graph), options: SimulationOptions(checkInvariants: true)).run()
        }
        let a = try run()
        let b = try run()
        XCTAssertEqual(a.jobs, b.jobs)
        XCTAssertEqual(a.links, b.links)
        XCTAssertEqual(a.jobs.filter { $0.finish != nil }.count, jobs.count)
    }
}
