import ClusterModel
import Models
import Network
import Performance
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Hand-computed speeds from both throughput models and the oracle.
final class ThroughputModelTests: XCTestCase {
    private let resnet50 = ModelZoo.index(named: "resnet50")!

    private func durationJob(_ id: Int = 0, gpus: Int, model: Int?, seconds: Int64 = 100) -> JobSpec {
        JobSpec(id: JobID(id), name: "d\(id)", submitTime: .zero, gpuCount: gpus, model: model, work: .duration(.seconds(seconds)))
    }

    private func alphaBeta(_ topo: Topology, _ jobs: [JobSpec]) -> AlphaBetaThroughput {
        AlphaBetaThroughput(topology: topo, jobs: jobs, referenceNodes: Array(repeating: 0, count: jobs.count))
    }

    // A duration job on its packed reference placement runs at rate exactly 1; a model-less job always does at
    // its requested size; spread 4+4 over two DGX nodes it runs at ref/actual = 0.10443013848945971 /
    // 0.11084672469635626; an iteration job at 1 / its step.
    func testAlphaBetaWorkRates() {
        let topo = ClusterFixtures.dgxA100(nodes: 2)
        let jobs = [durationJob(0, gpus: 8, model: resnet50), durationJob(1, gpus: 8, model: nil),
                    JobSpec(id: JobID(2), name: "i", submitTime: .zero, gpuCount: 8, model: resnet50, work: .iterations(500))]
        let m = alphaBeta(topo, jobs)
        let packed = (0..<8).map(GPUID.init)
        let spread = [0, 1, 2, 3, 8, 9, 10, 11].map(GPUID.init)
        XCTAssertEqual(m.isolatedStep(of: jobs[0], on: packed).workRate, 1)
        XCTAssertEqual(m.isolatedStep(of: jobs[0], on: spread).workRate, 0.9421129832706057, accuracy: 1e-12)
        XCTAssertEqual(m.isolatedStep(of: jobs[1], on: spread).workRate, 1)
        XCTAssertEqual(m.isolatedStep(of: jobs[2], on: packed).workRate, 1 / 0.10443013848945971, accuracy: 1e-9)
        XCTAssertEqual(m.referenceStep(of: jobs[2]), 0.10443013848945971, accuracy: 1e-15)
        XCTAssertEqual(m.currentStep(of: jobs[0], on: spread), m.isolatedStep(of: jobs[0], on: spread))
        XCTAssertEqual(m.attach(jobs[0], on: spread), [])
    }

    // Off its requested size a job processes n/requested as many samples per iteration: a model-less 2-GPU job
    // runs at 2 on 4 GPUs and 0.5 on 1; a resnet50 iteration job asked for 8 runs at 2/step on 16 packed GPUs.
    func testRateScalesWithGPUCount() {
        let topo = ClusterFixtures.dgxA100(nodes: 2)
        let plain = durationJob(0, gpus: 2, model: nil)
        let it = JobSpec(id: JobID(1), name: "i", submitTime: .zero, gpuCount: 8, model: resnet50, work: .iterations(500))
        let m = alphaBeta(topo, [plain, it])
        XCTAssertEqual(m.isolatedStep(of: plain, on: (0..<4).map(GPUID.init)).workRate, 2)
        XCTAssertEqual(m.isolatedStep(of: plain, on: [GPUID(0)]).workRate, 0.5)
        let sixteen = m.isolatedStep(of: it, on: (0..<16).map(GPUID.init))
        XCTAssertEqual(sixteen.workRate, 2 / sixteen.seconds, accuracy: 1e-12)
        XCTAssertGreaterThan(sixteen.seconds, 0.10443013848945971)  // crossing the NICs costs time
    }

    // A data-parallel step waits for its slowest GPU: resnet50 on one A100 and one V100 computes at the V100's
    // 256/1200 s in both models. α–β adds a 2-rank ring over the 10 GB/s, 10 µs NICs: 2·10 µs + 102.4 MB / 10 GB/s.
    func testMixedTypesComputeAtTheSlowestType() {
        let topo = ClusterFixtures.topology(nodesPerRack: [[
            ClusterFixtures.micro(gpus: 1, gpuType: "a100-80"), ClusterFixtures.micro(gpus: 1, gpuType: "v100-16"),
        ]])
        let job = JobSpec(id: JobID(0), name: "m", submitTime: .zero, gpuCount: 2, model: resnet50, work: .iterations(10))
        let gpus = [GPUID(0), GPUID(1)]
        let ab = alphaBeta(topo, [job]).isolatedStep(of: job, on: gpus)
        XCTAssertEqual(ab.compute, 256.0 / 1200, accuracy: 1e-15)
        XCTAssertEqual(ab.communication, 20e-6 + 102.4e6 / 10e9, accuracy: 1e-15)
        XCTAssertEqual(ab.seconds, 256.0 / 1200 + 20e-6 + 102.4e6 / 10e9, accuracy: 1e-15)
        // The order of the GPUs does not matter.
        XCTAssertEqual(alphaBeta(topo, [job]).isolatedStep(of: job, on: gpus.reversed()).compute, 256.0 / 1200, accuracy: 1e-15)
        let flow = FlowThroughput(interconnect: Interconnect(graph: LinkGraph(topology: topo)), jobs: [job], referenceNodes: [0])
        XCTAssertEqual(flow.isolatedStep(of: job, on: gpus).compute, 256.0 / 1200, accuracy: 1e-15)
        XCTAssertEqual(flow.isolatedStep(of: job, on: [GPUID(0)]).compute, 256.0 / 2470, accuracy: 1e-15)
    }

    // The flow model: alone, a job's current step is its isolated step; a second job sharing its links slows it,
    // and detaching the second restores it; one GPU has no communication. Attaches and detaches take effect at
    // the next flush (the engine flushes once per event).
    func testFlowModelAttachDetach() {
        let pcie4 = NodeTemplateCatalog.named("pcie-4gpu")!
        let topo = ClusterFixtures.topology(nodesPerRack: [Array(repeating: pcie4, count: 2)])
        let bert = ModelZoo.index(named: "bert-base")!
        let a = JobSpec(id: JobID(0), name: "a", submitTime: .zero, gpuCount: 2, model: bert, work: .iterations(10))
        let b = JobSpec(id: JobID(1), name: "b", submitTime: .zero, gpuCount: 2, model: bert, work: .iterations(10))
        let flow = FlowThroughput(
            interconnect: Interconnect(graph: LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 1))),
            jobs: [a, b], referenceNodes: [0, 0])
        let aGPUs = [GPUID(0), GPUID(4)], bGPUs = [GPUID(1), GPUID(5)]  // both cross the same two NICs
        // Changes are deferred until a flush, which reports every job whose flows' rates changed (new ones included).
        XCTAssertTrue(flow.defersUpdates)
        XCTAssertEqual(flow.attach(a, on: aGPUs), [])
        XCTAssertEqual(flow.flush(), [JobID(0)])
        XCTAssertEqual(flow.currentStep(of: a, on: aGPUs), flow.isolatedStep(of: a, on: aGPUs))
        XCTAssertEqual(flow.attach(b, on: bGPUs), [])
        XCTAssertEqual(flow.flush(), [JobID(0), JobID(1)])
        XCTAssertGreaterThan(flow.currentStep(of: a, on: aGPUs).communication, flow.isolatedStep(of: a, on: aGPUs).communication)
        XCTAssertEqual(flow.detach(JobID(1)), [])
        XCTAssertEqual(flow.flush(), [JobID(0)])
        XCTAssertEqual(flow.currentStep(of: a, on: aGPUs), flow.isolatedStep(of: a, on: aGPUs))
        XCTAssertEqual(flow.flush(), [], "nothing pending")
        // A start and a stop within one batch cost one re-solve and leave the rates as they were.
        _ = flow.attach(b, on: bGPUs)
        _ = flow.detach(JobID(1))
        XCTAssertEqual(flow.flush(), [])
        XCTAssertEqual(flow.currentStep(of: a, on: aGPUs), flow.isolatedStep(of: a, on: aGPUs))
        XCTAssertEqual(flow.isolatedStep(of: a, on: [GPUID(2)]).communication, 0)
    }

    // The oracle by GPU type: 8 packed GPUs of the DGX's type are the reference (rate 1); 16 equal the explicit
    // two-node placement; 17 do not exist. A cached answer computed for one job is re-based for another job of the
    // same model (an iteration job: 1 / step).
    func testOracleByType() {
        let topo = ClusterFixtures.dgxA100(nodes: 2)
        let d = durationJob(0, gpus: 8, model: resnet50)
        let it = JobSpec(id: JobID(1), name: "i", submitTime: .zero, gpuCount: 8, model: resnet50, work: .iterations(500))
        let oracle = ThroughputOracle(model: alphaBeta(topo, [d, it]), topology: topo)
        XCTAssertEqual(oracle.rate(of: d, gpuType: 0, count: 8), 1)
        XCTAssertEqual(oracle.rate(of: d, gpuType: 0, count: 16)!, oracle.rate(of: d, on: (0..<16).map(GPUID.init)), accuracy: 0)
        XCTAssertNil(oracle.rate(of: d, gpuType: 0, count: 17))
        XCTAssertNil(oracle.rate(of: d, gpuType: 1, count: 1))
        XCTAssertEqual(oracle.rate(of: it, gpuType: 0, count: 8)!, 1 / 0.10443013848945971, accuracy: 1e-9)
        XCTAssertEqual(oracle.rate(of: d, gpuType: 0, count: 8), 1)  // from the cache, re-based back
        XCTAssertEqual(oracle.rate(of: durationJob(2, gpus: 4, model: nil), gpuType: 0, count: 16), 4)
    }
}
