import ClusterModel

// MARK: - Plan types

/// Which all-reduce algorithm a plan uses (see `AllReducePlan.init` for the rule).
public enum AllReduceAlgorithm: String, Sendable, CaseIterable {
    /// One rank: nothing to reduce.
    case none
    /// One ring over every rank (reduce-scatter then all-gather): 2(n−1) steps.
    case ring
    /// Intra-node reduce-scatter, inter-node all-reduce of the 1/g shard over g parallel rings, intra-node all-gather.
    case hierarchical
    /// Small messages: recursive halving-doubling / tree, 2⌈log₂ n⌉ latency steps.
    case halvingDoubling
}

/// A point-to-point transfer of a collective: from one rank's GPU to the next one's, over a fixed path.
public struct CollectiveFlow: Sendable, Equatable {
    /// Sending GPU.
    public var source: GPUID
    /// Receiving GPU.
    public var destination: GPUID
    /// The links the transfer crosses (`LinkGraph.path(fromGPU:toGPU:)`).
    public var path: [LinkID]
    /// Largest rate of the transfer, bytes per second (`LinkGraph.connectionCaps(sources:destinations:)`; `.infinity`: none).
    public var rateCap: Double

    /// Creates a flow.
    public init(source: GPUID, destination: GPUID, path: [LinkID], rateCap: Double = .infinity) {
        self.source = source
        self.destination = destination
        self.path = path
        self.rateCap = rateCap
    }
}

/// One phase of a collective: a set of long-lived flows that run together, then a barrier.
///
/// A ring phase over k ranks is k flows (rank i → rank i+1), each carrying the whole phase's per-rank traffic,
/// e.g. (k−1)/k·bytes for a reduce-scatter, rather than one message per chunk and step: the fluid aggregation of
/// ASTRA-sim's and SimAI's per-step flows (Rashidi et al., ISPASS 2020; Wang et al., NSDI 2025). Its time is `steps`·α plus the bytes over the
/// slowest flow's rate.
public struct CollectivePhase: Sendable, Equatable {
    /// What a phase does.
    public enum Kind: String, Sendable, CaseIterable {
        /// Full ring all-reduce over all ranks.
        case ring
        /// Reduce-scatter inside each node (one ring per node).
        case intraReduceScatter
        /// All-reduce of the 1/g shard across nodes (one ring per local rank, through that GPU's NIC).
        case interAllReduce
        /// All-gather inside each node (one ring per node).
        case intraAllGather
        /// Halving-doubling / tree all-reduce of a small message.
        case halvingDoubling
    }

    /// What the phase does.
    public var kind: Kind
    /// Indices into `AllReducePlan.flows` of the flows that run during this phase, ascending.
    public var flowIndices: [Int]
    /// Bytes each of those flows carries during the phase.
    public var bytesPerFlow: Double
    /// Number of latency-bound steps (α is paid once per step).
    public var steps: Int
    /// α: the largest per-step latency of the phase's flows' paths (`LinkGraph.stepLatency`).
    public var stepLatency: Double

    /// Creates a phase.
    public init(kind: Kind, flowIndices: [Int], bytesPerFlow: Double, steps: Int, stepLatency: Double) {
        self.kind = kind
        self.flowIndices = flowIndices
        self.bytesPerFlow = bytesPerFlow
        self.steps = steps
        self.stepLatency = stepLatency
    }

    /// The phase's latency term: steps × α.
    @inlinable public var latency: Double { Double(steps) * stepLatency }
}

/// Tunables of the algorithm choice.
public struct CollectiveOptions: Sendable, Equatable {
    /// Messages strictly below this many bytes use halving-doubling (default 64 KiB, where NCCL's LL protocols
    /// and trees win; collectives below ~100 kB are latency-bound: NVIDIA/nccl, src/graph/tuning.cc).
    public var smallMessageBytes: Double

    /// Creates options.
    public init(smallMessageBytes: Double = 64 * 1024) { self.smallMessageBytes = smallMessageBytes }
}

// MARK: - The plan

/// How one data-parallel all-reduce of `bytes` per rank runs over a job's GPUs: its algorithm, flows and phases.
///
/// The algorithm is chosen "as NCCL would" (NVIDIA/nccl, src/graph/tuning.cc; bus-bandwidth formulas from
/// NVIDIA/nccl-tests, doc/PERFORMANCE.md), in this order:
/// 1. one rank → `.none` (no phases);
/// 2. `bytes` < `options.smallMessageBytes` → `.halvingDoubling`: one phase whose latency is 2⌈log₂ n⌉·α
///    (Rabenseifner; NCCL's tree/LL path for small sizes) and whose traffic is carried by the ring-neighbour flows
///    at the ring's 2(n−1)/n·S per rank (nccl-tests PERFORMANCE.md: the bus-bandwidth volume is the same for
///    every algorithm);
/// 3. all GPUs in one node → `.ring`: one phase, n flows of 2(n−1)/n·S bytes, 2(n−1) steps;
/// 4. N ≥ 2 nodes with the same g GPUs on each, none of whose templates asks for NCCL's flat ring
///    (`NodeTemplate.flatRing`) → `.hierarchical`: intra-node reduce-scatter (N rings of g,
///    (g−1)/g·S per flow, g−1 steps), inter-node all-reduce of the S/g shard over g parallel rings (local rank r
///    of every node, through each GPU's own NIC; 2(N−1)/N·S/g per flow, 2(N−1) steps), intra-node all-gather (as
///    the reduce-scatter). With g = 1 only the inter-node phase remains;
/// 5. otherwise (nodes holding different counts, or a flat-ring template) → `.ring` over all n ranks, hops
///    between nodes going through the NICs; its speed is that of its slowest hop. This is NCCL's own ring: its
///    topology search builds rings through every GPU of the communicator, each ring entering and leaving every node
///    once (NVIDIA/nccl, src/graph/search.cc, src/graph/rings.cc), so each NIC carries the whole 2(n−1)/n·S of every
///    ring, not the 1/g shard of the two-level plan.
///
/// Every flow between two nodes carries its connection's rate cap (`LinkGraph.connectionCap(fromGPU:toGPU:)`: a
/// cloud's per-TCP-stream limit × NCCL's sockets per connection), and where the templates set a node-pair cap, its
/// equal share of it among the plan's flows between the same two nodes in both directions
/// (`LinkGraph.connectionCaps(sources:destinations:)`); the max-min solver honours the caps.
///
/// Ring order is the given GPU order grouped by node: nodes in order of first appearance, each node's GPUs in
/// the order given. Flows are unique per (source, destination) pair: the reduce-scatter and all-gather phases
/// share theirs, so registering `flows` once in a `FlowNetwork` models the job's steady-state traffic.
public struct AllReducePlan: Sendable, Equatable {
    /// The chosen algorithm.
    public var algorithm: AllReduceAlgorithm
    /// Bytes all-reduced per rank (S).
    public var bytes: Double
    /// The ranks' GPUs in ring order (grouped by node).
    public var ranks: [GPUID]
    /// Number of distinct nodes the ranks sit on.
    public var nodeCount: Int
    /// GPUs per node when every node holds the same number, else nil.
    public var gpusPerNode: Int?
    /// Every distinct transfer of the collective.
    public var flows: [CollectiveFlow]
    /// The phases, in the order they run (one after another).
    public var phases: [CollectivePhase]

    /// Plans the all-reduce of `bytes` per rank over `gpus` on `graph` (rule in the type's documentation).
    /// - Complexity: O(n) flows and paths for n ranks.
    public init(gpus: [GPUID], bytes: Double, graph: borrowing LinkGraph, options: CollectiveOptions = CollectiveOptions()) {
        let skeleton = AllReduceSkeleton(gpus: gpus, bytes: bytes, graph: graph, options: options)
        self.algorithm = skeleton.algorithm
        self.bytes = bytes
        self.ranks = skeleton.ranks
        self.nodeCount = skeleton.nodeCount
        self.gpusPerNode = skeleton.gpusPerNode
        let caps = graph.connectionCaps(sources: skeleton.sources, destinations: skeleton.destinations)
        let flows = skeleton.sources.indices.map { i in
            let (a, b) = (skeleton.sources[i], skeleton.destinations[i])
            return CollectiveFlow(source: a, destination: b, path: graph.path(fromGPU: a, toGPU: b), rateCap: caps[i])
        }
        self.flows = flows
        self.phases = skeleton.phases.map { p in
            CollectivePhase(
                kind: p.kind, flowIndices: Array(p.flows), bytesPerFlow: p.bytesPerFlow, steps: p.steps,
                stepLatency: p.flows.reduce(0.0) { max($0, graph.stepLatency(of: flows[$1].path)) })
        }
    }

    /// ⌈log₂ n⌉ for n ≥ 1.
    static func ceilLog2(_ n: Int) -> Int {
        var k = 0
        while (1 << k) < n { k += 1 }
        return k
    }
}

/// What `AllReducePlan` and `FlatAllReducePlan` share: the algorithm (by the rule in `AllReducePlan`'s
/// documentation), the ring order, every flow as a (source, destination) pair in index order, and each phase over a
/// contiguous range of flow indices.
///
/// Every pair is new: ring neighbours are distinct pairs (for two ranks, a→b and b→a), intra-node pairs stay inside a
/// node and inter-node pairs cross nodes, and the reduce-scatter and all-gather phases share one range. So flows need
/// no lookup table; debug builds check that no pair repeats.
struct AllReduceSkeleton {
    var algorithm: AllReduceAlgorithm = .none
    var ranks: [GPUID]
    var nodeCount: Int
    var gpusPerNode: Int?
    var sources: [GPUID] = []
    var destinations: [GPUID] = []
    var phases: [(kind: CollectivePhase.Kind, flows: Range<Int>, bytesPerFlow: Double, steps: Int)] = []

    init(gpus: [GPUID], bytes: Double, graph: borrowing LinkGraph, options: CollectiveOptions) {
        precondition(bytes >= 0, "bytes must be non-negative")
        // Group by node, nodes in order of first appearance: ranks in that order, and where each node's ranks start.
        // Placements list a node's GPUs together, in which case the ranks are the GPUs as given; otherwise (a node
        // seen again later) they are regrouped. A GPU can only repeat inside its own node's group, so that is where
        // duplicates are looked for (a set of all GPUs, hashed at every start of every job, cost more than the plan).
        var nodes: [NodeID] = []
        var starts: [Int] = []
        var contiguous = true
        for (i, g) in gpus.enumerated() {
            let node = graph.topology.gpuNode[g.index]
            if i > 0 && node == nodes[nodes.count - 1] { continue }
            if nodes.contains(node) { contiguous = false }
            nodes.append(node)
            starts.append(i)
        }
        var ordered = gpus
        if !contiguous {
            var distinct: [NodeID] = []
            for node in nodes where !distinct.contains(node) { distinct.append(node) }
            ordered = []
            ordered.reserveCapacity(gpus.count)
            starts = []
            for node in distinct {
                starts.append(ordered.count)
                for g in gpus where graph.topology.gpuNode[g.index] == node { ordered.append(g) }
            }
            nodes = distinct
        }
        starts.append(ordered.count)
        for k in 0..<nodes.count {
            for i in starts[k]..<starts[k + 1] {
                for j in starts[k]..<i { precondition(ordered[i] != ordered[j], "a GPU appears twice in the job") }
            }
        }
        let n = ordered.count
        let first = nodes.isEmpty ? 0 : starts[1] - starts[0]
        let uniform = (0..<nodes.count).allSatisfy { starts[$0 + 1] - starts[$0] == first } ? (nodes.isEmpty ? nil : first) : nil
        ranks = ordered
        nodeCount = nodes.count
        gpusPerNode = uniform
        guard n > 1 else { return }
        sources.reserveCapacity(2 * n)
        destinations.reserveCapacity(2 * n)
        if bytes < options.smallMessageBytes {
            algorithm = .halvingDoubling
            for i in 0..<n { flow(ordered[i], ordered[(i + 1) % n]) }
            phases = [(.halvingDoubling, 0..<n, 2 * Double(n - 1) / Double(n) * bytes, 2 * AllReducePlan.ceilLog2(n))]
        } else if nodes.count == 1 || uniform == nil || nodes.contains(where: { graph.nodeFlatRing[$0.index] }) {
            algorithm = .ring
            for i in 0..<n { flow(ordered[i], ordered[(i + 1) % n]) }
            phases = [(.ring, 0..<n, 2 * Double(n - 1) / Double(n) * bytes, 2 * (n - 1))]
        } else {
            algorithm = .hierarchical
            let g = uniform!
            let big = nodes.count
            if g > 1 {
                for k in 0..<big {
                    for i in 0..<g { flow(ordered[starts[k] + i], ordered[starts[k] + (i + 1) % g]) }
                }
            }
            let intra = 0..<sources.count
            for r in 0..<g {
                for k in 0..<big { flow(ordered[starts[k] + r], ordered[starts[(k + 1) % big] + r]) }
            }
            let inter = intra.upperBound..<sources.count
            let intraBytes = Double(g - 1) / Double(g) * bytes
            if g > 1 { phases.append((.intraReduceScatter, intra, intraBytes, g - 1)) }
            let shard = bytes / Double(g)
            phases.append((.interAllReduce, inter, 2 * Double(big - 1) / Double(big) * shard, 2 * (big - 1)))
            if g > 1 { phases.append((.intraAllGather, intra, intraBytes, g - 1)) }
        }
        #if SIM_INTERNAL_CHECKS
        var seen = Set<Int64>()  // membership only, never iterated
        for (a, b) in zip(sources, destinations) {
            assert(seen.insert(Int64(a.raw) << 32 | Int64(UInt32(bitPattern: b.raw))).inserted, "flow \(a) → \(b) planned twice")
        }
        #endif
    }

    /// Appends the flow from `a` to `b`.
    private mutating func flow(_ a: GPUID, _ b: GPUID) {
        sources.append(a)
        destinations.append(b)
    }
}

// MARK: - Flat plans

/// One phase of a `FlatAllReducePlan`: a contiguous range of its flows.
public struct FlatCollectivePhase: Sendable, Equatable {
    /// What the phase does.
    public var kind: CollectivePhase.Kind
    /// The indices of the flows that run during this phase.
    public var flows: Range<Int>
    /// Bytes each of those flows carries during the phase.
    public var bytesPerFlow: Double
    /// Number of latency-bound steps.
    public var steps: Int
    /// α: the largest per-step latency of the phase's flows' paths.
    public var stepLatency: Double

    /// The phase's latency term: steps × α.
    @inlinable public var latency: Double { Double(steps) * stepLatency }
}

/// The same plan as `AllReducePlan` (same algorithm, flows in the same order, same phases) in flat form: every flow's
/// path in one array and phases over index ranges.
///
/// For callers that build a plan at every job start (the flow model): an `AllReducePlan` allocates an array per
/// flow, and building and freeing them cost more than registering the flows. (The graph is `borrowing` in both
/// initializers: an initializer owns its arguments, and copying the graph retained every array of it per plan.)
public struct FlatAllReducePlan: Sendable {
    /// The chosen algorithm.
    public let algorithm: AllReduceAlgorithm
    /// Every flow's links, concatenated in flow order.
    public let pathLinks: [LinkID]
    /// Where each flow's links start in `pathLinks`; one more entry than flows.
    public let pathStart: [Int32]
    /// Each flow's rate cap (`LinkGraph.connectionCaps(sources:destinations:)`), by flow index; empty when no flow is capped.
    public let rateCaps: [Double]
    /// The phases, in the order they run.
    public let phases: [FlatCollectivePhase]

    /// Plans the all-reduce of `bytes` per rank over `gpus` on `graph`, as `AllReducePlan.init` does.
    /// - Complexity: O(n) for n ranks.
    public init(gpus: [GPUID], bytes: Double, graph: borrowing LinkGraph, options: CollectiveOptions = CollectiveOptions()) {
        if let plan = Self.oneNode(gpus: gpus, bytes: bytes, graph: graph, options: options) {
            self = plan
            return
        }
        let skeleton = AllReduceSkeleton(gpus: gpus, bytes: bytes, graph: graph, options: options)
        algorithm = skeleton.algorithm
        var links: [LinkID] = []
        var start: [Int32] = [0]
        links.reserveCapacity(4 * skeleton.sources.count)
        start.reserveCapacity(skeleton.sources.count + 1)
        var caps: [Double] = []
        var anyCap = false
        // Node-pair caps depend on every flow of the collective, so they are computed for all flows at once.
        let pairCaps = graph.hasNodePairCaps
            ? graph.connectionCaps(sources: skeleton.sources, destinations: skeleton.destinations) : []
        for (i, (a, b)) in zip(skeleton.sources, skeleton.destinations).enumerated() {
            graph.appendPath(fromGPU: a, toGPU: b, to: &links)
            start.append(Int32(links.count))
            // Caps are listed only once one is finite: uncapped fabrics (every RDMA template) build no array.
            let cap = pairCaps.isEmpty ? graph.connectionCap(fromGPU: a, toGPU: b) : pairCaps[i]
            if cap.isFinite && !anyCap {
                anyCap = true
                caps = Array(repeating: .infinity, count: i)
            }
            if anyCap { caps.append(cap) }
        }
        pathLinks = links
        pathStart = start
        rateCaps = caps
        phases = skeleton.phases.map { p in
            FlatCollectivePhase(
                kind: p.kind, flows: p.flows, bytesPerFlow: p.bytesPerFlow, steps: p.steps,
                stepLatency: p.flows.reduce(0.0) {
                    max($0, graph.stepLatency(of: links[Int(start[$1])..<Int(start[$1 + 1])]))
                })
        }
    }

    /// A plan from its parts.
    private init(
        algorithm: AllReduceAlgorithm, pathLinks: [LinkID], pathStart: [Int32], rateCaps: [Double], phases: [FlatCollectivePhase]
    ) {
        self.algorithm = algorithm
        self.pathLinks = pathLinks
        self.pathStart = pathStart
        self.rateCaps = rateCaps
        self.phases = phases
    }

    /// The plan of two or more GPUs on one node, built directly; nil for any other placement. It is the plan the
    /// general path builds (`AllReduceSkeleton`: one node is a ring, or halving-doubling below the small-message size;
    /// ranks in the given order; paths from the graph; no rate caps inside a node; α the largest path latency, taken
    /// in flow order): most multi-GPU starts of a trace are on one node, and the skeleton's grouping, pair lists and
    /// phase records cost more than the plan itself. `CollectivesTests` compares both paths on seeded placements.
    private static func oneNode(
        gpus: [GPUID], bytes: Double, graph: borrowing LinkGraph, options: CollectiveOptions
    ) -> FlatAllReducePlan? {
        var links: [LinkID] = []
        links.reserveCapacity(2 * gpus.count)
        guard let phase = oneNodeRing(gpus: gpus, bytes: bytes, graph: graph, options: options, appendingPathsTo: &links)
        else { return nil }
        // Every path inside a node is two links (the sender's up link, the receiver's down link).
        let start = (0...gpus.count).map { Int32(2 * $0) }
        return FlatAllReducePlan(
            algorithm: phase.kind == .ring ? .ring : .halvingDoubling, pathLinks: links, pathStart: start, rateCaps: [],
            phases: [phase])
    }

    /// The one phase of the plan of two or more GPUs on one node (what `init(gpus:bytes:graph:options:)` builds for
    /// such a placement), with the links of flow i (rank i → rank i + 1, two links: the sender's up link, the
    /// receiver's down link) appended to `links` at `2i` and `2i + 1` past its former end; nil, with nothing appended,
    /// when the GPUs are fewer than two or on more than one node.
    ///
    /// For a caller that needs the phase and the links but not the plan's arrays (the flow model's isolated jobs,
    /// `FabricFlows`): it is the code the plan itself is built with, so the phase is the plan's, bit for bit.
    /// - Complexity: O(n²) duplicate checks for n GPUs (n is at most a node's GPU count), O(n) otherwise.
    public static func oneNodeRing(
        gpus: [GPUID], bytes: Double, graph: borrowing LinkGraph, options: CollectiveOptions,
        appendingPathsTo links: inout [LinkID]
    ) -> FlatCollectivePhase? {
        let n = gpus.count
        guard n > 1 else { return nil }
        let node = graph.topology.gpuNode[gpus[0].index]
        for g in gpus.dropFirst() where graph.topology.gpuNode[g.index] != node { return nil }
        precondition(bytes >= 0, "bytes must be non-negative")
        for i in 1..<n {
            for j in 0..<i { precondition(gpus[i] != gpus[j], "a GPU appears twice in the job") }
        }
        let base = links.count
        var latency = 0.0
        for i in 0..<n {
            graph.appendPath(fromGPU: gpus[i], toGPU: gpus[(i + 1) % n], to: &links)
            latency = max(latency, graph.stepLatency(of: links[(base + 2 * i)..<(base + 2 * i + 2)]))
        }
        let small = bytes < options.smallMessageBytes
        return FlatCollectivePhase(
            kind: small ? .halvingDoubling : .ring, flows: 0..<n, bytesPerFlow: 2 * Double(n - 1) / Double(n) * bytes,
            steps: small ? 2 * AllReducePlan.ceilLog2(n) : 2 * (n - 1), stepLatency: latency)
    }

    /// Number of flows.
    @inlinable public var flowCount: Int { pathStart.count - 1 }

    /// The links of flow `i`.
    @inlinable public func path(_ i: Int) -> ArraySlice<LinkID> { pathLinks[Int(pathStart[i])..<Int(pathStart[i + 1])] }

    /// Phase and total times given each flow's rate (by flow index), as `AllReducePlan.time(rates:bottleneck:)`:
    /// `bottleneck` is asked only for the flow that limits each phase.
    public func time(rate: (Int) -> Double, bottleneck: (Int) -> LinkID?) -> CollectiveTime {
        var out: [PhaseTime] = []
        out.reserveCapacity(phases.count)
        for phase in phases {
            let (slowest, arg) = Self.slowestFlow(of: phase, rate: rate)
            out.append(PhaseTime(
                kind: phase.kind, latency: phase.latency, transfer: Self.transfer(of: phase, at: slowest), rate: slowest,
                bottleneck: arg >= 0 ? bottleneck(arg) : nil))
        }
        return CollectiveTime(phases: out)
    }

    /// The slowest flow of `phase` (the first on ties) and its rate; (∞, −1) for a phase without flows.
    @inline(__always) static func slowestFlow(of phase: FlatCollectivePhase, rate: (Int) -> Double) -> (rate: Double, flow: Int) {
        var slowest = Double.infinity
        var arg = -1
        for i in phase.flows {
            let r = rate(i)
            if r < slowest || arg < 0 {
                slowest = r
                arg = i
            }
        }
        return (slowest, arg)
    }

    /// The phase's transfer term at the slowest flow's rate.
    @inline(__always) static func transfer(of phase: FlatCollectivePhase, at slowest: Double) -> Double {
        phase.bytesPerFlow == 0 ? 0 : phase.bytesPerFlow / slowest
    }

    /// The total of `time(rate:bottleneck:)` without building the phases or asking for bottlenecks: the flow model's
    /// hot path (every re-rate of a job) needs only this sum, and finding a bottleneck walks every flow on every link
    /// of the slowest flow's path. Same arithmetic in the same order, so the same bits as `time(…).total`.
    public func totalSeconds(rate: (Int) -> Double) -> Double { Self.totalSeconds(of: phases, rate: rate) }

    /// `totalSeconds(rate:)` of a plan with these phases: the one arithmetic both share, so that a caller holding
    /// only a plan's phase (`oneNodeRing`) gets the plan's total bit for bit.
    @inline(__always) public static func totalSeconds<Phases: Sequence<FlatCollectivePhase>>(
        of phases: Phases, rate: (Int) -> Double
    ) -> Double {
        var total = 0.0
        for phase in phases {
            total = total + (phase.latency + transfer(of: phase, at: slowestFlow(of: phase, rate: rate).rate))
        }
        return total
    }
}
