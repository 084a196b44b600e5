import ClusterModel
import Models
import Network
import Performance
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Isolated jobs (`FabricFlows`, `IsolatedCollective`): a job whose all-reduce crosses only links private to its own
/// GPUs, with nothing else on them, stays out of the flow network. Everything the engine reads must be what the
/// network path gives, bit for bit: each attached job's step, the jobs each flush reports, the link samples.
final class IsolatedJobTests: XCTestCase {
    private let bert = ModelZoo.index(named: "bert-base")!
    private let resnet50 = ModelZoo.index(named: "resnet50")!

    private func job(_ i: Int, gpus: Int, model: Int) -> JobSpec {
        JobSpec(id: JobID(i), name: "j\(i)", submitTime: .zero, gpuCount: gpus, model: model, work: .iterations(10))
    }

    /// The model with isolation and the network-only reference, on the same interconnect.
    private func pair(_ interconnect: Interconnect, jobs: [JobSpec]) -> (fast: FlowThroughput, reference: FlowThroughput) {
        let refs = [Int32](repeating: 0, count: jobs.count)
        return (FlowThroughput(interconnect: interconnect, jobs: jobs, referenceNodes: refs),
                FlowThroughput(interconnect: interconnect, jobs: jobs, referenceNodes: refs, isolatesJobs: false))
    }

    /// Asserts both models give every attached job the same step, bit for bit, and the same link samples.
    private func assertSame(
        _ fast: FlowThroughput, _ reference: FlowThroughput, attached: [(JobSpec, [GPUID])], _ context: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for (j, g) in attached {
            let a = fast.currentStep(of: j, on: g), b = reference.currentStep(of: j, on: g)
            XCTAssertEqual(a.communication.bitPattern, b.communication.bitPattern, "\(context): \(j.id) communication", file: file, line: line)
            XCTAssertEqual(a.seconds.bitPattern, b.seconds.bitPattern, "\(context): \(j.id) step", file: file, line: line)
            XCTAssertFalse(reference.isIsolated(j.id), file: file, line: line)
        }
        let la = fast.busiestLinks(), lb = reference.busiestLinks()
        XCTAssertEqual(la.map(\.link), lb.map(\.link), "\(context): busiest links", file: file, line: line)
        XCTAssertEqual(la.map(\.utilization.bitPattern), lb.map(\.utilization.bitPattern), "\(context): utilizations", file: file, line: line)
    }

    // Two 4-GPU jobs on one DGX A100 (NVSwitch: each GPU its own links to the switch) are both isolated, and each runs
    // its uncontended step: the ring's 2·3/4 of the gradient bytes over one GPU's 300 GB/s-class NVLink, plus 6 α. A
    // third job packed onto GPUs 0 and 4 (GPU sharing) shares their links: both jobs join the network first, so the
    // three are solved together exactly as without isolation; they stay in the network after it leaves.
    func testTwoJobsOnOneDGXNode() {
        let topo = ClusterFixtures.dgxA100(nodes: 1)
        let graph = LinkGraph(topology: topo)
        let jobs = [job(0, gpus: 4, model: bert), job(1, gpus: 4, model: resnet50), job(2, gpus: 2, model: bert)]
        let (fast, reference) = pair(Interconnect(graph: graph, linksPerSample: 64), jobs: jobs)
        let placements = [(0..<4).map(GPUID.init), (4..<8).map(GPUID.init), [GPUID(0), GPUID(4)]]
        for m in [fast, reference] {
            XCTAssertEqual(m.attach(jobs[0], on: placements[0]), [])
            XCTAssertEqual(m.attach(jobs[1], on: placements[1]), [])
        }
        XCTAssertEqual(fast.flush(), [JobID(0), JobID(1)])
        XCTAssertEqual(reference.flush(), [JobID(0), JobID(1)])
        XCTAssertTrue(fast.isIsolated(JobID(0)))
        XCTAssertTrue(fast.isIsolated(JobID(1)))
        assertSame(fast, reference, attached: [(jobs[0], placements[0]), (jobs[1], placements[1])], "two jobs")
        // Hand value: one GPU link's capacity, 2·(4−1)/4 of the bytes per flow, 2·(4−1) steps of the template's α.
        let link = graph[graph.gpuUpLink[0]]
        let bytes = ModelZoo.all[bert].gradientBytes
        let expected = 6 * link.latency + 2 * 3.0 / 4 * bytes / link.capacity
        XCTAssertEqual(fast.currentStep(of: jobs[0], on: placements[0]).communication, expected, accuracy: 1e-15 * expected)
        XCTAssertEqual(fast.currentStep(of: jobs[0], on: placements[0]), fast.isolatedStep(of: jobs[0], on: placements[0]))
        XCTAssertEqual(fast.busiestLinks().count, 16, "each job's 4 GPUs' up and down links are sampled")

        for m in [fast, reference] { XCTAssertEqual(m.attach(jobs[2], on: placements[2]), []) }
        XCTAssertEqual(fast.flush(), reference.flush())
        XCTAssertFalse(fast.isIsolated(JobID(0)))
        XCTAssertFalse(fast.isIsolated(JobID(1)))
        XCTAssertFalse(fast.isIsolated(JobID(2)))
        let all = (0..<3).map { (jobs[$0], placements[$0]) }
        assertSame(fast, reference, attached: all, "shared GPUs 0 and 4")
        XCTAssertGreaterThan(fast.currentStep(of: jobs[0], on: placements[0]).communication, expected, "GPU 0's links are shared")

        for m in [fast, reference] { XCTAssertEqual(m.detach(JobID(2)), []) }
        XCTAssertEqual(fast.flush(), reference.flush())
        XCTAssertFalse(fast.isIsolated(JobID(0)), "a job that joined the network stays there")
        assertSame(fast, reference, attached: Array(all.prefix(2)), "third job gone")
        for m in [fast, reference] {
            _ = m.detach(JobID(0))
            _ = m.detach(JobID(1))
            XCTAssertEqual(m.flush(), [])
            XCTAssertEqual(m.busiestLinks().count, 0)
        }
    }

    // Where jobs cannot be isolated: across nodes whose GPUs share one NIC (a PCIe server's), the NIC links are
    // private to no GPU; across racks, the rack links are shared. Within one rack of DGX nodes (a NIC per GPU) a job over
    // two nodes is isolated.
    func testWhichPlacementsAreIsolated() {
        let pcie = NodeTemplateCatalog.named("pcie-4gpu")!, dgx = ClusterFixtures.dgxA100Template
        let topo = ClusterFixtures.topology(nodesPerRack: [[dgx, dgx, pcie, pcie], [dgx]])
        let jobs = (0..<4).map { job($0, gpus: 2, model: bert) }
        let flow = FlowThroughput(interconnect: Interconnect(graph: LinkGraph(topology: topo)), jobs: jobs, referenceNodes: [0, 0, 0, 0])
        let pcieFirst = 16
        let cases: [([GPUID], Bool)] = [
            ([GPUID(0), GPUID(8)], true),  // two DGX nodes of one rack: GPU 0 and GPU 8 each own their NIC
            ([GPUID(pcieFirst), GPUID(pcieFirst + 1)], true),  // one PCIe node: each GPU its own link to the PCIe switch
            ([GPUID(pcieFirst + 2), GPUID(pcieFirst + 4)], false),  // two PCIe nodes: one NIC per node, shared
            ([GPUID(1), GPUID(pcieFirst + 8)], false),  // two racks: the rack links carry every cross-rack route
        ]
        for (i, (gpus, isolated)) in cases.enumerated() {
            _ = flow.attach(jobs[i], on: gpus)
            XCTAssertEqual(flow.isIsolated(jobs[i].id), isolated, "case \(i)")
        }
        XCTAssertEqual(flow.flush(), jobs.map(\.id))
        for (i, (gpus, _)) in cases.enumerated() {
            XCTAssertEqual(flow.currentStep(of: jobs[i], on: gpus), flow.isolatedStep(of: jobs[i], on: gpus), "case \(i) runs alone")
        }
    }

    // Random starts, stops and GPU sharing on a small cluster of mixed templates (NVSwitch nodes with a NIC per GPU,
    // PCIe nodes sharing one NIC, Pollux nodes with connection and node-pair caps), with and without duty cycles:
    // after every flush, isolation on and off give the same reports, the same step of every attached job and the same
    // link samples, bit for bit.
    func testIsolationChangesNothing() {
        let dgx = ClusterFixtures.dgxA100Template
        let pcie = NodeTemplateCatalog.named("pcie-4gpu")!, pollux = NodeTemplateCatalog.named("pollux-g4dn")!
        let topo = ClusterFixtures.topology(nodesPerRack: [[dgx, pcie, dgx], [pollux, pollux, ClusterFixtures.micro(gpus: 2)]])
        let nodeGPUs: [[Int]] = (0..<topo.nodeCount).map { n in topo.gpus(of: NodeID(n)).map { Int($0) } }
        let models = [bert, resnet50, ModelZoo.index(named: "resnet18")!, ModelZoo.index(named: "gpt-1.3b")!]
        var isolatedStarts = 0, joins = 0, shared = 0
        withEvery("isolation", in: 0..<40) { seed in
            var rng = SeededGenerator(seed: UInt64(90_000 + seed))
            let duty = seed % 4 == 3
            let jobs = (0..<60).map { job($0, gpus: 1, model: models[rng.int(0...(models.count - 1))]) }
            let (fast, reference) = pair(
                Interconnect(graph: LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 2)), linksPerSample: 40,
                             dutyCycle: duty),
                jobs: jobs)
            var running: [Int: [GPUID]] = [:]  // lookup only; iterated through sorted keys
            var holders = [Int](repeating: 0, count: topo.gpuCount)
            var next = 0
            for step in 0..<50 {
                for _ in 0..<rng.int(1...4) {
                    if next < jobs.count && (running.isEmpty || rng.int(0...2) > 0) {
                        // A new job: on one node (mostly), over two nodes, or packed onto held GPUs.
                        let n = rng.int(2...4)
                        var gpus: [Int] = []
                        switch rng.int(0...5) {
                        case 0...2:
                            let node = nodeGPUs[rng.int(0...(nodeGPUs.count - 1))]
                            gpus = Array(node.shuffled(using: &rng).prefix(n))
                        case 3:
                            let a = rng.int(0...(nodeGPUs.count - 1)), b = rng.int(0...(nodeGPUs.count - 1))
                            gpus = Array(nodeGPUs[a].shuffled(using: &rng).prefix(n / 2 + 1))
                            if b != a { gpus += nodeGPUs[b].shuffled(using: &rng).prefix(n / 2) }
                        default:
                            // Shares: some GPUs already held (time-slicing or packing), on one node.
                            let held = (0..<topo.gpuCount).filter { holders[$0] > 0 }
                            guard let g = held.isEmpty ? nil : held[rng.int(0...(held.count - 1))] else { continue }
                            let node = nodeGPUs[topo.gpuNode[g].index].filter { $0 != g }
                            gpus = [g] + node.shuffled(using: &rng).prefix(n - 1)
                            shared += 1
                        }
                        guard gpus.count > 1 else { continue }
                        let placement = gpus.map(GPUID.init)
                        let j = next
                        next += 1
                        let wasIsolated = running.keys.filter { fast.isIsolated(JobID($0)) }
                        XCTAssertEqual(fast.attach(jobs[j], on: placement), reference.attach(jobs[j], on: placement))
                        if fast.isIsolated(JobID(j)) { isolatedStarts += 1 }
                        joins += wasIsolated.filter { !fast.isIsolated(JobID($0)) }.count
                        running[j] = placement
                        for g in gpus { holders[g] += 1 }
                    } else if !running.isEmpty, let j = running.keys.sorted().dropFirst(rng.int(0...(running.count - 1))).first {
                        XCTAssertEqual(fast.detach(JobID(j)), reference.detach(JobID(j)))
                        for g in running[j]! { holders[g.index] -= 1 }
                        running[j] = nil
                    }
                }
                XCTAssertEqual(fast.flush(), reference.flush(), "seed \(seed) step \(step): reported jobs")
                assertSame(fast, reference, attached: running.keys.sorted().map { (jobs[$0], running[$0]!) }, "seed \(seed) step \(step)")
            }
        }
        // The runs must have exercised isolation, joining the network, and sharing.
        XCTAssertGreaterThan(isolatedStarts, 300)
        XCTAssertGreaterThan(joins, 30)
        XCTAssertGreaterThan(shared, 100)
    }
}
