import ClusterModel
import Models
import Network
import Performance
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Placement shapes and the oracle's caches: equal shapes only where the cluster's symmetry says so, and cached
/// answers identical to fresh ones.
final class PlacementShapeTests: XCTestCase {
    private let bert = ModelZoo.index(named: "bert-base")!
    private let resnet50 = ModelZoo.index(named: "resnet50")!

    /// Rack 0: two micro 4-GPU T4 nodes; rack 1: the same; rack 2: one micro node and one 4-GPU V100 node; rack 3:
    /// two 2-GPU micro nodes.
    private var mixed: Topology {
        let t4 = ClusterFixtures.micro(gpus: 4)
        let v100 = ClusterFixtures.micro(gpus: 4, gpuType: "v100-16")
        let small = ClusterFixtures.micro(gpus: 2)
        return ClusterFixtures.topology(nodesPerRack: [[t4, t4], [t4, t4], [t4, v100], [small, small]])
    }

    // Nodes share a class when template and type agree; racks when their node multisets do.
    func testClasses() {
        let c = PlacementShape.Classes(mixed)
        XCTAssertEqual(c.node, [0, 0, 0, 0, 0, 1, 2, 2])
        XCTAssertEqual(c.rack, [0, 0, 1, 2])
    }

    // The same local GPUs on another node of the same rack, or in the twin rack, have one shape; other local GPUs,
    // a node of another class, a rack of another composition, or a second node in another rack instead of the same
    // one do not.
    func testKeysFollowTheSymmetry() {
        let topo = mixed
        let c = PlacementShape.Classes(topo)
        var scratch = PlacementShape.Scratch()
        func key(_ g: [Int]) -> [Int32] { PlacementShape.key(of: g.map(GPUID.init), c, topo, scratch: &scratch) }
        XCTAssertEqual(key([0, 1]), key([4, 5]))          // node 0 and node 1 of rack 0
        XCTAssertEqual(key([0, 1]), key([8, 9]))          // rack 1 is rack 0's twin
        XCTAssertNotEqual(key([0, 1]), key([2, 3]))       // other local GPUs (another NIC in general)
        XCTAssertNotEqual(key([0, 1]), key([16, 17]))     // rack 2 is composed differently
        XCTAssertNotEqual(key([16, 17]), key([20, 21]))   // a V100 node
        XCTAssertEqual(key([0, 4]), key([8, 12]))         // two nodes of one rack, either twin rack
        XCTAssertNotEqual(key([0, 4]), key([0, 8]))       // two nodes in two racks
        XCTAssertEqual(key([0, 8]), key([12, 4]))         // racks relabelled by first appearance
        XCTAssertEqual(key([0, 4, 1]), key([0, 1, 4]))    // regrouped by node, as the collective ranks them
    }

    // Seeded property: on the flow model over the mixed cluster, every answer of the oracle on random GPU sets (in
    // random order, for jobs of two models with and without a sharded global batch) equals the model's fresh one,
    // whether it came from the cache or not.
    func testCachedAnswersEqualFreshOnes() {
        let topo = mixed
        var jobs: [JobSpec] = []
        for (i, m) in [bert, resnet50, bert].enumerated() {
            var j = JobSpec(id: JobID(i), name: "j\(i)", submitTime: .zero, gpuCount: 4, model: m, work: .iterations(100))
            if i == 2 { j.globalBatch = 4 * ModelZoo.all[m].referenceBatchPerGPU * 3 }
            jobs.append(j)
        }
        let model = FlowThroughput(
            interconnect: Interconnect(graph: LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 2))),
            jobs: jobs, referenceNodes: [0, 0, 0])
        let oracle = ThroughputOracle(model: model, topology: topo)
        withEvery("oracle cache", in: 0..<40) { seed in
            var rng = SeededGenerator(seed: UInt64(seed))
            for _ in 0..<25 {
                let n = rng.int(1...12)
                let gpus = Array((0..<topo.gpuCount).shuffled(using: &rng).prefix(n)).map(GPUID.init)
                let job = jobs[rng.int(0...2)]
                XCTAssertEqual(oracle.step(of: job, on: gpus), model.isolatedStep(of: job, on: gpus), "\(gpus)")
            }
        }
    }

    // Two jobs of one model sharding different global batches have different per-type answers (the type cache is
    // keyed by the compute scale too): 3× the batch on the same GPUs computes 3× as long.
    func testTypeCacheSeparatesGlobalBatches() {
        let topo = ClusterFixtures.dgxA100(nodes: 2)
        var small = JobSpec(id: JobID(0), name: "s", submitTime: .zero, gpuCount: 8, model: resnet50, work: .iterations(10))
        small.globalBatch = 8 * ModelZoo.all[resnet50].referenceBatchPerGPU
        var big = small
        big.id = JobID(1)
        big.globalBatch = 3 * small.globalBatch!
        let model = AlphaBetaThroughput(topology: topo, jobs: [small, big], referenceNodes: [0, 0])
        let oracle = ThroughputOracle(model: model, topology: topo)
        let a = oracle.step(of: small, gpuType: 0, count: 8)!
        let b = oracle.step(of: big, gpuType: 0, count: 8)!
        XCTAssertEqual(b.compute, 3 * a.compute, accuracy: 1e-12)
        XCTAssertEqual(b, model.isolatedStep(of: big, on: (0..<8).map(GPUID.init)))
    }
}
