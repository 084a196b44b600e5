import ClusterModel
import Scheduling
import SimTestSupport
import XCTest

final class PlacementTests: XCTestCase {
    private func cluster(_ topo: Topology, busy: [Int]) -> ClusterState {
        var c = ClusterState(topology: topo)
        if !busy.isEmpty { try! c.allocate(busy.map(GPUID.init), to: JobID(99)) }
        return c
    }
    private func raw(_ g: [GPUID]?) -> [Int]? { g?.map(\.index) }

    // Down GPUs never look free: every strategy and the planner skip them, and their nodes count only the GPUs up.
    func testEveryStrategySkipsDownGPUs() throws {
        let topo = ClusterFixtures.microCluster(racks: 2, nodesPerRack: 2)  // 16 GPUs, 4 per node
        var c = cluster(topo, busy: [0])
        try c.markDown([1, 2, 5, 8, 9, 10, 11].map(GPUID.init))  // node2 wholly down
        let all = GPUTypeMask.all(topo)
        let down = Set([1, 2, 5, 8, 9, 10, 11])
        for strategy in everyPlacement {
            for count in 1...8 {
                let chosen = try XCTUnwrap(strategy.choose(count: count, types: all, in: c), "\(type(of: strategy)) \(count)")
                XCTAssertEqual(chosen.count, count)
                XCTAssertTrue(chosen.allSatisfy { !down.contains($0.index) && $0.index != 0 }, "\(type(of: strategy)) \(count): \(chosen)")
            }
            XCTAssertNil(strategy.choose(count: 9, types: all, in: c), "\(type(of: strategy)): only 8 GPUs are free")
            var planner = PlacementPlanner(cluster: c, strategy: strategy)
            XCTAssertEqual(planner.freeGPUs(in: all), 8)
            XCTAssertNil(planner.place(JobID(1), count: 9, types: all))
        }
        XCTAssertEqual(raw(FirstFitPlacement().choose(count: 3, types: all, in: c)), [3, 4, 6])
        XCTAssertEqual(raw(PackedPlacement().choose(count: 4, types: all, in: c)), [12, 13, 14, 15])
    }

    // First fit takes the lowest-numbered free GPUs, across nodes.
    func testFirstFitPicksLowestFree() {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 2)
        let c = cluster(topo, busy: [0, 2, 5])
        let all = GPUTypeMask.all(topo)
        XCTAssertEqual(raw(FirstFitPlacement().choose(count: 3, types: all, in: c)), [1, 3, 4])
        XCTAssertEqual(raw(FirstFitPlacement().choose(count: 5, types: all, in: c)), [1, 3, 4, 6, 7])
        XCTAssertNil(FirstFitPlacement().choose(count: 6, types: all, in: c))
    }

    // First fit skips nodes of types outside the mask.
    func testFirstFitRespectsTypes() {
        let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro4, ClusterFixtures.micro(gpuType: "a100-80")]])
        let c = cluster(topo, busy: [])
        XCTAssertEqual(raw(FirstFitPlacement().choose(count: 3, types: GPUTypeMask(bits: 0b10), in: c)), [4, 5, 6])
        XCTAssertNil(FirstFitPlacement().choose(count: 5, types: GPUTypeMask(bits: 0b10), in: c))
    }

    // Packed puts a small job on the node with the fewest free GPUs that still holds it (best fit).
    func testPackedBestFitSingleNode() {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 3)
        // free: node0 4, node1 2 (gpus 6,7), node2 3 (gpus 9,10,11)
        let c = cluster(topo, busy: [4, 5, 8])
        let all = GPUTypeMask.all(topo)
        XCTAssertEqual(raw(PackedPlacement().choose(count: 1, types: all, in: c)), [6])
        XCTAssertEqual(raw(PackedPlacement().choose(count: 2, types: all, in: c)), [6, 7])
        XCTAssertEqual(raw(PackedPlacement().choose(count: 3, types: all, in: c)), [9, 10, 11])
        XCTAssertEqual(raw(PackedPlacement().choose(count: 4, types: all, in: c)), [0, 1, 2, 3])
    }

    // Packed spreads a large job over the fewest nodes (fullest-free first), unlike first fit.
    func testPackedFewestNodes() {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 4)
        // free: node0 1 (gpu3), node1 4, node2 2 (gpus 10,11), node3 4
        let c = cluster(topo, busy: [0, 1, 2, 8, 9])
        let all = GPUTypeMask.all(topo)
        XCTAssertEqual(raw(PackedPlacement().choose(count: 8, types: all, in: c)), [4, 5, 6, 7, 12, 13, 14, 15])
        XCTAssertEqual(raw(FirstFitPlacement().choose(count: 8, types: all, in: c)), [3, 4, 5, 6, 7, 10, 11, 12])
        // 6 GPUs: node1 (4) then node3 (lowest index among the 4-free nodes after it) gives 2.
        XCTAssertEqual(raw(PackedPlacement().choose(count: 6, types: all, in: c)), [4, 5, 6, 7, 12, 13])
    }

    // Packed keeps a multi-node job inside one rack when a rack can hold it, even if a cross-rack choice
    // would use fuller nodes; otherwise it spans racks, fullest nodes first.
    func testPackedPrefersOneRack() {
        let topo = ClusterFixtures.microCluster(racks: 2, nodesPerRack: 2)
        // rack0: node0 free 2 (gpus 2,3), node1 free 3 (5,6,7); rack1: node2 free 4 (8–11), node3 free 2 (14,15)
        let c = cluster(topo, busy: [0, 1, 4, 12, 13])
        let all = GPUTypeMask.all(topo)
        XCTAssertEqual(raw(PackedPlacement().choose(count: 6, types: all, in: c)), [8, 9, 10, 11, 14, 15])
        // 9 GPUs fit in no rack (5 and 6 free): node2 (4), node1 (3), then node0 (2).
        XCTAssertEqual(raw(PackedPlacement().choose(count: 9, types: all, in: c)), [8, 9, 10, 11, 5, 6, 7, 2, 3])
        XCTAssertNil(PackedPlacement().choose(count: 12, types: all, in: c))
    }

    // Most-free (the Pollux artifact's Tiresias) puts a small job on the emptiest node, not the best fit, and a
    // large one on the nodes with the most free GPUs, whole, ignoring racks; ties to the lowest node index.
    func testMostFreeTakesEmptiestNodesWhole() {
        let topo = ClusterFixtures.microCluster(racks: 2, nodesPerRack: 2)
        // rack0: node0 free 2 (gpus 2,3), node1 free 3 (5,6,7); rack1: node2 free 4 (8–11), node3 free 2 (14,15)
        let c = cluster(topo, busy: [0, 1, 4, 12, 13])
        let all = GPUTypeMask.all(topo)
        let s = MostFreePlacement()
        XCTAssertEqual(raw(s.choose(count: 1, types: all, in: c)), [8], "emptiest node, where packed takes the best fit")
        XCTAssertEqual(raw(PackedPlacement().choose(count: 1, types: all, in: c)), [2])
        // 6 GPUs: node2's 4, then node1's (3 free, the next most) — across racks, where packed stays in rack1.
        XCTAssertEqual(raw(s.choose(count: 6, types: all, in: c)), [8, 9, 10, 11, 5, 6])
        // 9: node2 (4), node1 (3), then node0 (2 free, tied with node3: lowest index).
        XCTAssertEqual(raw(s.choose(count: 9, types: all, in: c)), [8, 9, 10, 11, 5, 6, 7, 2, 3])
        XCTAssertNil(s.choose(count: 12, types: all, in: c))
        // On an empty cluster it fills node0 first, like packed.
        XCTAssertEqual(raw(s.choose(count: 6, types: all, in: cluster(topo, busy: []))), [0, 1, 2, 3, 4, 5])
    }

    // Ties go to the lowest rack and node index.
    func testPackedTieBreaks() {
        let topo = ClusterFixtures.microCluster(racks: 2, nodesPerRack: 2)
        let c = cluster(topo, busy: [])
        let all = GPUTypeMask.all(topo)
        XCTAssertEqual(raw(PackedPlacement().choose(count: 2, types: all, in: c)), [0, 1])
        XCTAssertEqual(raw(PackedPlacement().choose(count: 6, types: all, in: c)), [0, 1, 2, 3, 4, 5])
    }

    // The planner never hands out the same GPU twice in one round and can take GPUs back.
    func testPlannerReservesAndReleases() {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 1)
        let snap = makeSnapshot(topology: topo, now: 0, jobs: [
            .queued(job(0, submit: 0, gpus: 2, duration: 1)), .queued(job(1, submit: 0, gpus: 2, duration: 1)),
            .queued(job(2, submit: 0, gpus: 1, duration: 1)),
        ])
        var planner = PlacementPlanner(cluster: snap.cluster, strategy: FirstFitPlacement())
        XCTAssertEqual(raw(planner.place(snap[JobID(0)])), [0, 1])
        XCTAssertEqual(raw(planner.place(snap[JobID(1)])), [2, 3])
        XCTAssertNil(planner.place(snap[JobID(2)]))
        planner.release([GPUID(0), GPUID(1)], of: JobID(0))
        XCTAssertEqual(planner.freeGPUs(in: .all(topo)), 2)
        XCTAssertEqual(raw(planner.place(snap[JobID(2)])), [0])
        XCTAssertEqual(snap.cluster.freeGPUs, 4, "the snapshot's cluster is untouched")
    }

    // The catalogs list the shipped strategies and policies by name.
    func testCatalogs() {
        XCTAssertEqual(PlacementCatalog.names, ["first-fit", "packed", "spread", "most-free", "topology-aware"])
        XCTAssertEqual(PlacementCatalog.make("packed")?.name, "packed")
        XCTAssertNil(PlacementCatalog.make("random"))
        XCTAssertEqual(PolicyCatalog.names, ["fifo", "sjf", "backfill", "srtf", "tiresias", "themis", "gandiva", "optimus", "pollux", "fabric", "gavel", "external"])
        XCTAssertEqual(try PolicyCatalog.entry("sjf")?.make(nil).name, "sjf")
    }
}
