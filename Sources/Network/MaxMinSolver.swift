// MARK: - Flow demands

/// One flow to be given a rate: the links it crosses, its weight and an optional rate cap.
public struct FlowDemand: Sendable, Equatable {
    /// The links the flow crosses (each consumes the flow's rate once per appearance).
    public var path: [LinkID]
    /// Share weight: on a shared bottleneck, rates are proportional to weights (default 1).
    public var weight: Double
    /// Largest rate the flow may get, bytes per second (`.infinity`: uncapped).
    public var rateCap: Double

    /// Creates a flow demand; `rateCap` nil means uncapped.
    public init(path: [LinkID], weight: Double = 1, rateCap: Double? = nil) {
        precondition(weight > 0, "a flow's weight must be positive")
        self.path = path
        self.weight = weight
        self.rateCap = rateCap ?? .infinity
    }
}

// MARK: - Progressive filling

/// Weighted max-min fair rates by progressive filling (water-filling), with reusable scratch space.
///
/// The allocation SimGrid's LMM computes for one resource type (simgrid docs/source/Models.rst, "Linear Max-Min"):
/// every flow f gets rate wᶠ·λ with a common level λ raised from 0; when a link's capacity is used up ("saturates"),
/// every flow crossing it is frozen at its current rate; a flow that reaches its cap is frozen at the cap; the
/// others keep rising (Bertsekas and Gallager, "Data Networks", 2nd ed., 1992, §6.5.2). The result is the unique weighted max-min fair
/// allocation: no link over capacity, and each flow not at its cap crosses a saturated link on which its
/// rate/weight is the largest.
///
/// Implementation: instead of raising λ round by round and rescanning every link, each link has the absolute level
/// at which it would saturate, λₗ = (Cₗ − load of its frozen flows) / (Σ weights of its unfrozen flows), kept in a
/// binary heap ordered by (λₗ, link ID). Freezing a flow at the current level λ* never lowers λₗ of its other links
/// (the mediant of (C−F)/W ≥ λ* and λ*), so a heap entry is only ever a lower bound of its link's level: popping
/// the minimum recomputes λₗ and, if it rose, pushes the link back once (lazy re-keying) instead of re-keying on
/// every freeze. Each step takes the lowest level (or the lowest cap level) and freezes that link's unfrozen flows.
///
/// Determinism: per-link sums run over the link's flows in ascending ID order and heap ties break on link ID, so a
/// component gives bit-identical rates whatever order its flows and links are passed in and whatever happened
/// elsewhere (no Set/Dictionary iteration).
///
/// Use `rates(capacities:flows:)` for a one-shot solve, or `FlowNetwork` for the incremental form.
public struct MaxMinSolver: Sendable {
    // Per-link scratch, indexed by link ID; only the entries of the component being solved are touched.
    private var frozenLoad: [Double] = []
    private var weightSum: [Double] = []
    private var activeCount: [Int32] = []
    // Per-flow scratch, indexed by flow index: position in the component, and the solve that froze it.
    private var position: [Int32] = []
    private var frozenIn: [UInt32] = []
    private var solveCount: UInt32 = 0
    // Heap of (level, link) and the capped flows by (cap level, flow).
    private var heap: [(level: Double, link: Int32)] = []
    private var capped: [(level: Double, flow: Int32)] = []

    /// Creates a solver with scratch space for `linkCount` links (it grows on demand).
    public init(linkCount: Int = 0) { reserve(links: linkCount, flows: 0) }

    private mutating func reserve(links: Int, flows: Int) {
        if links > activeCount.count {
            let extra = links - activeCount.count
            frozenLoad.append(contentsOf: repeatElement(0, count: extra))
            weightSum.append(contentsOf: repeatElement(0, count: extra))
            activeCount.append(contentsOf: repeatElement(0, count: extra))
        }
        if flows > position.count {
            let extra = flows - position.count
            position.append(contentsOf: repeatElement(0, count: extra))
            frozenIn.append(contentsOf: repeatElement(0, count: extra))
        }
    }

    /// Solves one connected component of flows by progressive filling; `rates[i]` receives the rate of `flows[i]`.
    ///
    /// - Parameters:
    ///   - flows: the component's flow indices (into `paths`, `weights`, `caps`), each once, any order.
    ///   - links: every link index any of those flows crosses, each once, any order.
    ///   - linkFlows: for each link index, the flows crossing it, ascending (once per appearance); for the
    ///     component's links these must be exactly component flows.
    ///   - capacities: capacity of every link, by link index.
    ///   - paths, weights, caps: per-flow data, by flow index (caps `.infinity` when uncapped).
    /// A flow with an empty path gets its cap (`.infinity` when uncapped).
    /// - Complexity: O(Σ|P| + (L + E)·log L) for L links and Σ|P| total path length in the component, E ≤ Σ|P| the
    ///   lazy re-pushes: every flow is frozen once (O(|P|)), every link is popped valid once and scans its flows
    ///   (§1.2's heap variant of progressive filling).
    public mutating func solveComponent(
        flows: [Int32], links: [Int32], linkFlows: [[Int32]], capacities: [Double], paths: [[LinkID]],
        weights: [Double], caps: [Double], rates: inout [Double]
    ) {
        rates.removeAll(keepingCapacity: true)
        rates.append(contentsOf: repeatElement(0, count: flows.count))
        reserve(links: Int(links.max() ?? -1) + 1, flows: Int(flows.max() ?? -1) + 1)
        solveCount &+= 1
        if solveCount == 0 {  // wrapped: clear stamps so an old solve cannot look current
            for i in frozenIn.indices { frozenIn[i] = 0 }
            solveCount = 1
        }
        let current = solveCount
        for l in links {
            let i = Int(l)
            frozenLoad[i] = 0
            var w = 0.0
            for f in linkFlows[i] { w += weights[Int(f)] }  // ascending IDs: order-independent sums
            weightSum[i] = w
            activeCount[i] = Int32(linkFlows[i].count)
        }
        capped.removeAll(keepingCapacity: true)
        var unfrozen = 0
        for (p, f) in flows.enumerated() {
            let fi = Int(f)
            position[fi] = Int32(p)
            if paths[fi].isEmpty {
                rates[p] = caps[fi]
                frozenIn[fi] = current
                continue
            }
            frozenIn[fi] = current &- 1
            unfrozen += 1
            if caps[fi].isFinite { capped.append((caps[fi] / weights[fi], f)) }
        }
        capped.sort { $0.level != $1.level ? $0.level < $1.level : $0.flow < $1.flow }
        heap.removeAll(keepingCapacity: true)
        for l in links where activeCount[Int(l)] > 0 { heap.append((capacities[Int(l)] / weightSum[Int(l)], l)) }
        if heap.count > 1 { for p in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(p) } }  // O(L)
        var nextCap = 0
        var level = 0.0
        while unfrozen > 0 {
            // Settle the heap top: drop links whose flows are all frozen; re-push a link whose level rose.
            while let top = heap.first {
                let i = Int(top.link)
                if activeCount[i] == 0 {
                    popMin()
                    continue
                }
                let now = max(0, capacities[i] - frozenLoad[i]) / weightSum[i]
                if now <= top.level { break }
                popMin()
                push(now, top.link)
            }
            while nextCap < capped.count && frozenIn[Int(capped[nextCap].flow)] == current { nextCap += 1 }
            let linkLevel = heap.first?.level ?? .infinity
            let capLevel = nextCap < capped.count ? capped[nextCap].level : .infinity
            if capLevel <= linkLevel {
                guard capLevel.isFinite else { break }  // unreachable: every unfrozen flow crosses a live link
                let f = capped[nextCap].flow
                nextCap += 1
                level = max(level, capLevel)
                freeze(f, rate: caps[Int(f)], paths: paths, weights: weights, rates: &rates)
                unfrozen -= 1
            } else {
                let l = heap[0].link
                popMin()
                level = max(level, linkLevel)
                for f in linkFlows[Int(l)] where frozenIn[Int(f)] != current {
                    freeze(f, rate: weights[Int(f)] * level, paths: paths, weights: weights, rates: &rates)
                    unfrozen -= 1
                }
            }
        }
    }

    /// Freezes flow `f` at `rate` and moves its load from "rising" to "frozen" on its links (their heap entries
    /// become lower bounds, settled when they reach the top).
    private mutating func freeze(_ f: Int32, rate: Double, paths: [[LinkID]], weights: [Double], rates: inout [Double]) {
        let fi = Int(f)
        frozenIn[fi] = solveCount
        rates[Int(position[fi])] = rate
        for l in paths[fi] {
            let i = l.index
            frozenLoad[i] += rate
            weightSum[i] -= weights[fi]
            activeCount[i] -= 1
        }
    }

    // MARK: Binary heap on (level, link)

    private static func less(_ a: (level: Double, link: Int32), _ b: (level: Double, link: Int32)) -> Bool {
        a.level != b.level ? a.level < b.level : a.link < b.link
    }

    private mutating func push(_ level: Double, _ link: Int32) {
        heap.append((level, link))
        var c = heap.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard Self.less(heap[c], heap[p]) else { break }
            heap.swapAt(c, p)
            c = p
        }
    }

    private mutating func popMin() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var p = start
        while true {
            let l = 2 * p + 1
            let r = l + 1
            var m = p
            if l < heap.count && Self.less(heap[l], heap[m]) { m = l }
            if r < heap.count && Self.less(heap[r], heap[m]) { m = r }
            if m == p { break }
            heap.swapAt(p, m)
            p = m
        }
    }

    /// One-shot weighted max-min fair rates of `flows` over links of the given capacities, by flow position.
    ///
    /// Solves each connected component independently, exactly as `FlowNetwork` does, so results agree with an
    /// incremental network holding the same flows to within `FlowNetwork.changeTolerance` (relative).
    /// - Complexity: O(Σ|P| + L) to build the flow–link adjacency, plus `solveComponent` per component.
    public static func rates(capacities: [Double], flows: [FlowDemand]) -> [Double] {
        var network = FlowNetwork(capacities: capacities)
        let update = network.add(flows)
        return update.added.map { network.rate(of: $0) }
    }
}
