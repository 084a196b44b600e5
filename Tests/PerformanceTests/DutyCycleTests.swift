import ClusterModel
import Models
import Network
import Performance
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// The duty-cycle flow model (`DutyCycle`, `network.duty_cycle`): hand-computed shared-link cases and invariants.
final class DutyCycleTests: XCTestCase {
    // resnet18 has no γ of its own, so the interconnect's γ = 1 (no overlap) applies: T_iter = T_c + T_n.
    private let resnet18 = ModelZoo.index(named: "resnet18")!
    // One V100 computes a resnet18 iteration in 1/17.99 s (the zoo's Gavel figure).
    private let computeSeconds = 1 / 17.99

    /// Nodes of `gpus` V100s behind one NIC of `nicBytesPerSecond`, no link latency, fast intra-node links.
    private func node(gpus: Int, nicBytesPerSecond: Double) -> NodeTemplate {
        NodeTemplate(
            name: "duty-\(gpus)", summary: "test node", gpuType: GPUCatalog.named("v100-16")!, gpuCount: gpus,
            intraNodeClass: .pcie, intraNode: LinkParameters(bandwidthBytesPerSecond: 100e9, latencySeconds: 0),
            nicCount: 1, nic: LinkParameters(bandwidthBytesPerSecond: nicBytesPerSecond, latencySeconds: 0), source: "test")
    }

    private func job(_ i: Int, model: Int) -> JobSpec {
        JobSpec(id: JobID(i), name: "j\(i)", submitTime: .zero, gpuCount: 2, model: model, work: .iterations(10))
    }

    /// Attaches `jobs.count` two-GPU jobs, job i on GPU i of node 0 and GPU i of node 1 (so all of them cross
    /// both NICs), and returns each one's current step.
    private func shared(jobs count: Int, nic: Double, duty: Bool) -> (steps: [StepEstimate], alone: StepEstimate, model: FlowThroughput) {
        let topo = ClusterFixtures.topology(nodesPerRack: [Array(repeating: node(gpus: count, nicBytesPerSecond: nic), count: 2)])
        let jobs = (0..<count).map { job($0, model: resnet18) }
        let flow = FlowThroughput(
            interconnect: Interconnect(graph: LinkGraph(topology: topo), gamma: 1, linksPerSample: 100, dutyCycle: duty),
            jobs: jobs, referenceNodes: Array(repeating: 0, count: count))
        let placements = (0..<count).map { [GPUID($0), GPUID(count + $0)] }
        for (j, g) in zip(jobs, placements) { _ = flow.attach(j, on: g) }
        _ = flow.flush()
        let steps = zip(jobs, placements).map { flow.currentStep(of: $0, on: $1) }
        return (steps, flow.isolatedStep(of: jobs[0], on: placements[0]), flow)
    }

    // NIC bandwidth B·17.99 makes a 2-rank ring's T_n = B / bandwidth (2·(n−1)/n = 1 of the gradient bytes B, no
    // latency) equal T_c = 1/17.99 s, so with γ = 1 each job communicates half of its iteration: d = 0.5.
    // Two always-active jobs split each NIC: T_n = 2·T_c, step 3·T_c. With duty cycles the NIC must carry
    // 0.5·r + 0.5·r ≤ C: r = C while active, each is capped at 0.5·C averaged, so neither slows: step 2·T_c.
    // Three jobs: always active r = C/3, T_n = 3·T_c, step 4·T_c; with duty cycles 1.5·r ≤ C gives r = 2C/3,
    // T_n = 1.5·T_c, step 2.5·T_c.
    func testHalfActiveJobsOnASharedLinkSlowEachOtherLess() {
        let bytes = ModelZoo.all[resnet18].gradientBytes
        let nic = bytes * 17.99
        let tc = computeSeconds
        for duty in [false, true] {
            let (steps, alone, _) = shared(jobs: 1, nic: nic, duty: duty)
            XCTAssertEqual(alone.compute, tc, accuracy: 1e-15)
            XCTAssertEqual(alone.communication, tc, accuracy: 1e-12)
            XCTAssertEqual(steps[0], alone, "a job alone runs at its isolated speed")
        }
        let always2 = shared(jobs: 2, nic: nic, duty: false).steps
        let duty2 = shared(jobs: 2, nic: nic, duty: true).steps
        for s in always2 { XCTAssertEqual(s.seconds, 3 * tc, accuracy: 1e-12) }
        for s in duty2 { XCTAssertEqual(s.seconds, 2 * tc, accuracy: 1e-12) }
        let always3 = shared(jobs: 3, nic: nic, duty: false).steps
        let duty3 = shared(jobs: 3, nic: nic, duty: true).steps
        for s in always3 { XCTAssertEqual(s.seconds, 4 * tc, accuracy: 1e-12) }
        for s in duty3 {
            XCTAssertEqual(s.communication, 1.5 * tc, accuracy: 1e-12)
            XCTAssertEqual(s.seconds, 2.5 * tc, accuracy: 1e-12)
        }
    }

    // A 2-rank ring over two single-GPU nodes: each flow crosses its GPU link (100 GB/s) and two NIC links (1 GB/s,
    // one flow each), so alone it runs at 1 GB/s; a per-flow cap below that wins.
    func testSoloRates() {
        let topo = ClusterFixtures.topology(nodesPerRack: [Array(repeating: node(gpus: 1, nicBytesPerSecond: 1e9), count: 2)])
        let graph = LinkGraph(topology: topo)
        let plan = FlatAllReducePlan(gpus: [GPUID(0), GPUID(1)], bytes: 1e6, graph: graph)
        XCTAssertEqual(plan.flowCount, 2)
        XCTAssertEqual(DutyCycle.soloRates(of: plan, capacities: graph.capacities), [1e9, 1e9])
        XCTAssertEqual(DutyCycle.soloRates(of: plan, capacities: graph.capacities, rateCaps: [0.5e9, .infinity]), [0.5e9, 1e9])
    }

    // On pollux-g4dn every inter-node connection is capped (one 5 Gb/s TCP stream): with duty cycles a job alone still
    // runs exactly its isolated step, so the cap reaches the duty-cycle flows (their solo rates include it), and two
    // such jobs across the same two NICs are no slower than always active.
    func testConnectionCapsHoldUnderDutyCycles() {
        let pollux = NodeTemplateCatalog.named("pollux-g4dn")!
        XCTAssertTrue(pollux.connectionCapBytesPerSecond.isFinite)
        let topo = ClusterFixtures.topology(nodesPerRack: [Array(repeating: pollux, count: 2)])
        let bert = ModelZoo.index(named: "bert-base")!
        let jobs = (0..<2).map { JobSpec(id: JobID($0), name: "b\($0)", submitTime: .zero, gpuCount: 4, model: bert, work: .iterations(10)) }
        let placements = [[0, 1, 4, 5].map(GPUID.init), [2, 3, 6, 7].map(GPUID.init)]
        func steps(duty: Bool, count: Int) -> (current: [StepEstimate], alone: StepEstimate) {
            let flow = FlowThroughput(interconnect: Interconnect(graph: LinkGraph(topology: topo), dutyCycle: duty),
                                      jobs: jobs, referenceNodes: [0, 0])
            for i in 0..<count { _ = flow.attach(jobs[i], on: placements[i]) }
            _ = flow.flush()
            return ((0..<count).map { flow.currentStep(of: jobs[$0], on: placements[$0]) }, flow.isolatedStep(of: jobs[0], on: placements[0]))
        }
        let alone = steps(duty: true, count: 1)
        XCTAssertEqual(alone.current[0].seconds, alone.alone.seconds, accuracy: 1e-12 * alone.alone.seconds)
        let always = steps(duty: false, count: 2).current, duty = steps(duty: true, count: 2).current
        for i in 0..<2 {
            XCTAssertLessThanOrEqual(duty[i].seconds, always[i].seconds * (1 + 1e-12))
            XCTAssertGreaterThanOrEqual(duty[i].seconds, alone.alone.seconds * (1 - 1e-12))
        }
    }

    // d = T_n / (T_c^γ + T_n^γ)^(1/γ): 0.5 at T_c = T_n and γ = 1, 1/√2 at γ = 2, 1 without compute; clamped below.
    func testShare() {
        XCTAssertEqual(DutyCycle.share(compute: 1, communication: 1, gamma: 1), 0.5, accuracy: 1e-15)
        XCTAssertEqual(DutyCycle.share(compute: 1, communication: 1, gamma: 2), 1 / 2.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(DutyCycle.share(compute: 0, communication: 1, gamma: 2), 1)
        XCTAssertEqual(DutyCycle.share(compute: 1, communication: 0, gamma: 2), 1)
        XCTAssertEqual(DutyCycle.share(compute: 1e9, communication: 1, gamma: 1), DutyCycle.minimum)
    }

    // Random jobs on a small two-rack fabric, with and without duty cycles: with them, no job is faster than alone,
    // compute is untouched, no link carries more than its capacity on average, and detaching everything leaves
    // nothing loaded. Over all cases together, the jobs communicate less with duty cycles than always active (max-min
    // rates are not monotone job by job when constraints loosen, so this is checked in aggregate only).
    func testInvariants() {
        let bert = ModelZoo.index(named: "bert-base")!
        var totalAlways = 0.0, totalDuty = 0.0
        withEvery("duty-cycle invariants", in: 0..<30) { seed in
            var rng = SeededGenerator(seed: UInt64(500 + seed))
            let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro(gpus: 4, gpuType: "v100-16"), ClusterFixtures.micro(gpus: 4, gpuType: "v100-16")],
                                                               [ClusterFixtures.micro(gpus: 4, gpuType: "v100-16")]])
            let jobCount = rng.int(2...5)
            var jobs: [JobSpec] = []
            var placements: [[GPUID]] = []
            var free = Array(0..<topo.gpuCount)
            for i in 0..<jobCount {
                let n = rng.int(2...3)
                guard free.count >= n else { break }
                var g: [GPUID] = []
                for _ in 0..<n { g.append(GPUID(free.remove(at: rng.int(0...(free.count - 1))))) }
                jobs.append(JobSpec(id: JobID(i), name: "j\(i)", submitTime: .zero, gpuCount: n,
                                    model: [resnet18, bert][rng.int(0...1)], work: .iterations(10)))
                placements.append(g.sorted())
            }
            func run(_ duty: Bool) -> (steps: [StepEstimate], flow: FlowThroughput) {
                let flow = FlowThroughput(
                    interconnect: Interconnect(graph: LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 4)),
                                               linksPerSample: 1000, dutyCycle: duty),
                    jobs: jobs, referenceNodes: Array(repeating: 0, count: jobs.count))
                for (j, g) in zip(jobs, placements) { _ = flow.attach(j, on: g) }
                _ = flow.flush()
                return (zip(jobs, placements).map { flow.currentStep(of: $0, on: $1) }, flow)
            }
            let (always, _) = run(false)
            let (duty, flow) = run(true)
            for (i, (j, g)) in zip(jobs, placements).enumerated() {
                let alone = flow.isolatedStep(of: j, on: g)
                XCTAssertGreaterThanOrEqual(duty[i].communication, alone.communication * (1 - 1e-9), "job \(i) faster than alone")
                XCTAssertEqual(duty[i].compute, always[i].compute)
            }
            for l in flow.busiestLinks() { XCTAssertLessThanOrEqual(l.utilization, 1 + 1e-9, "link \(l.name) over capacity") }
            totalAlways += always.map(\.communication).reduce(0, +)
            totalDuty += duty.map(\.communication).reduce(0, +)
            for j in jobs { _ = flow.detach(j.id) }
            _ = flow.flush()
            XCTAssertEqual(flow.busiestLinks().count, 0)
        }
        XCTAssertLessThan(totalDuty, totalAlways)
    }
}
