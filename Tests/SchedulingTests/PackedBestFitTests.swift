import ClusterModel
import Scheduling
import SimTestSupport
import XCTest

/// Packed placement's single-node best fit reads the cluster's nodes-by-free-count index (`FreeCountIndex`) instead
/// of scanning every node, and its several-node placement reads the nodes fullest-free first from the same index: under
/// seeded churn (claims, releases, failures, repairs) both must pick what a scan and a sort of every node pick, on
/// clusters of more than 64 nodes (several index words) and of mixed node sizes.
final class PackedBestFitTests: XCTestCase {
    /// A deterministic pseudo-random sequence (an LCG), so the test is the same on every run.
    private struct Steps {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    /// The scan the index replaces: the lowest-indexed node among those with the fewest free GPUs ≥ `count`.
    private func scanBestFit(_ count: Int, _ c: ClusterState) -> Int? {
        var best: Int?
        for n in 0..<c.topology.nodeCount where Int(c.freeOnNode[n]) >= count {
            if best == nil || c.freeOnNode[n] < c.freeOnNode[best!] { best = n }
        }
        return best
    }

    /// The GPUs the scan-based packed placement gives a job that fits on one node.
    private func scanPlacement(_ count: Int, _ c: ClusterState) -> [GPUID]? {
        guard let node = scanBestFit(count, c) else { return nil }
        let gpus = c.topology.gpus(of: NodeID(node)).filter { c.owner[$0] < 0 }.prefix(count)
        return gpus.map { GPUID($0) }
    }

    /// The several-node placement as `PackedPlacement` documents it, from a sort of every node: fullest-free first (ties
    /// by lowest index), within the rack that needs the fewest of them (ties by lowest rack), else the whole cluster's.
    private func sortedSeveralNodes(_ count: Int, _ c: ClusterState) -> [GPUID]? {
        let t = c.topology
        let total = (0..<t.nodeCount).reduce(0) { $0 + Int(c.freeOnNode[$1]) }
        guard total >= count else { return nil }
        let order = (0..<t.nodeCount).filter { c.freeOnNode[$0] > 0 }
            .sorted { (c.freeOnNode[$0], -$0) > (c.freeOnNode[$1], -$1) }
        func prefix(_ nodes: [Int]) -> [Int] {
            var picked: [Int] = [], got = 0
            for n in nodes where got < count {
                picked.append(n)
                got += Int(c.freeOnNode[n])
            }
            return got >= count ? picked : []
        }
        var best: [Int] = []
        for rack in 0..<t.rackCount {
            let picked = prefix(order.filter { t.nodeRack[$0].index == rack })
            if !picked.isEmpty && (best.isEmpty || picked.count < best.count) { best = picked }
        }
        if best.isEmpty { best = prefix(order) }
        return best.flatMap { n in t.gpus(of: NodeID(n)).filter { c.owner[$0] < 0 } }.prefix(count).map { GPUID($0) }
    }

    private func check(_ topology: Topology, seed: UInt64, steps count: Int) throws {
        var c = ClusterState(topology: topology)
        var steps = Steps(state: seed)
        var held: [(job: JobID, gpus: [GPUID])] = []
        let all = GPUTypeMask.all(topology)
        let most = Int(topology.nodeGPUCount.max()!)
        for k in 0..<count {
            switch steps.next(6) {
            case 0, 1, 2:
                // A job placed by the strategy itself, so that the churn looks like a packed cluster's.
                let want = 1 + steps.next(most)
                if let gpus = PackedPlacement().choose(count: want, types: all, in: c) {
                    try c.allocate(gpus, to: JobID(k))
                    held.append((JobID(k), gpus))
                }
            case 3:
                guard !held.isEmpty else { continue }
                let h = held.remove(at: steps.next(held.count))
                try c.release(h.gpus, from: h.job)
            case 4:
                let g = GPUID(steps.next(topology.gpuCount))
                if c.holderCount(of: g) == 0 { try c.markDown([g]) }
            default:
                let g = GPUID(steps.next(topology.gpuCount))
                if c.isDown(g) { try c.markRepaired([g]) }
            }
            XCTAssertNil(c.invariantViolation(), "step \(k)")
            for want in 0...(most + 1) {
                XCTAssertEqual(c.freeIndex.bestFit(want), scanBestFit(want, c), "step \(k): best fit for \(want)")
                if want >= 1, let expected = scanPlacement(want, c) {
                    XCTAssertEqual(PackedPlacement().choose(count: want, types: all, in: c), expected, "step \(k): \(want) GPUs")
                }
            }
            // Jobs no single node holds (up to three nodes' worth), placed across nodes, or refused when too few are free.
            for want in 1...(3 * most) where scanBestFit(want, c) == nil {
                XCTAssertEqual(
                    PackedPlacement().choose(count: want, types: all, in: c), sortedSeveralNodes(want, c), "step \(k): \(want) GPUs, several nodes")
            }
        }
    }

    func testIndexMatchesScanOnManyNodes() throws {
        // 80 nodes of 8 GPUs: two index words per free count.
        try check(ClusterFixtures.dgxA100(nodes: 80, racks: 4), seed: 7, steps: 3000)
    }

    func testIndexMatchesScanOnMixedNodeSizes() throws {
        let small = ClusterFixtures.micro(gpus: 2, name: "two")
        let large = ClusterFixtures.micro(gpus: 6, name: "six")
        let topology = ClusterFixtures.topology(nodesPerRack: [Array(repeating: small, count: 40), Array(repeating: large, count: 40)])
        try check(topology, seed: 11, steps: 3000)
    }
}
