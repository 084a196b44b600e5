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

// MARK: - One component in flat form

/// One connected component of the flow–link graph in flat (compressed sparse row) form with dense local indices:
/// what `MaxMinSolver.solve` takes.
///
/// Flat arrays rather than an array per flow and per link: the solver's loops then read plain buffers and touch no
/// reference counts (nested `[[Int32]]` lists cost a retain and a release per inner access, which dominated
/// profiles of large components). `FlowNetwork` fills it during its component search.
struct MaxMinComponent {
    /// Capacity of each link, by local link index.
    var capacities: [Double] = []
    /// Each link's global ID, by local link index: equal levels break ties on it, so the order the links were found
    /// in cannot matter.
    var linkIDs: [Int32] = []
    /// Where each link's flow list starts in `linkFlows`; one more entry than links.
    var linkStart: [Int32] = [0]
    /// Local indices of the flows crossing each link, in ascending global flow ID, once per appearance.
    var linkFlows: [Int32] = []
    /// Each flow's weight, by local flow index.
    var weights: [Double] = []
    /// Each flow's rate cap (`.infinity` when uncapped), by local flow index.
    var caps: [Double] = []
    /// Each flow's global ID, by local flow index: equal cap levels break ties on it.
    var flowIDs: [Int32] = []
    /// Where each flow's link list starts in `flowLinks`; one more entry than flows.
    var flowStart: [Int32] = [0]
    /// Local indices of the links each flow crosses (once per appearance; links left out of the component are not
    /// listed: their constraint is in the flow's cap).
    var flowLinks: [Int32] = []

    /// Number of links.
    var linkCount: Int { linkIDs.count }
    /// Number of flows.
    var flowCount: Int { flowIDs.count }

    /// Empties the component, keeping its storage.
    mutating func removeAll() {
        capacities.removeAll(keepingCapacity: true)
        linkIDs.removeAll(keepingCapacity: true)
        linkStart.removeAll(keepingCapacity: true)
        linkStart.append(0)
        linkFlows.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        caps.removeAll(keepingCapacity: true)
        flowIDs.removeAll(keepingCapacity: true)
        flowStart.removeAll(keepingCapacity: true)
        flowStart.append(0)
        flowLinks.removeAll(keepingCapacity: true)
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
/// 4-ary heap ordered by (λₗ, link ID). Freezing a flow at the current level λ* never lowers λₗ of its other links
/// (the mediant of (C−F)/W ≥ λ* and λ*), so a heap entry is only ever a lower bound of its link's level: popping
/// the minimum recomputes λₗ and, if it rose, pushes the link back once (lazy re-keying) instead of re-keying on
/// every freeze. Each step takes the lowest level (or the lowest cap level) and freezes that link's unfrozen flows.
///
/// Determinism: per-link sums run over the link's flows in ascending ID order and heap ties break on global link ID
/// (cap ties on global flow ID), so a component gives bit-identical rates whatever order its flows and links were
/// found in and whatever happened elsewhere (no Set/Dictionary iteration).
///
/// Use `rates(capacities:flows:)` for a one-shot solve, or `FlowNetwork` for the incremental form.
public struct MaxMinSolver: Sendable {
    // Per-link scratch, by local link index.
    private var frozenLoad: [Double] = []
    private var weightSum: [Double] = []
    private var activeCount: [Int32] = []
    // Per-flow scratch, by local flow index.
    private var frozen: [Bool] = []
    // Heap of link levels and the capped flows by cap level.
    private var heap: [HeapEntry] = []
    private var capped: [HeapEntry] = []

    /// A heap or cap-list entry: a level, the global ID that breaks ties, and the local index it stands for.
    private struct HeapEntry {
        var level: Double
        var key: Int32
        var local: Int32

        @inline(__always) static func less(_ a: HeapEntry, _ b: HeapEntry) -> Bool {
            a.level != b.level ? a.level < b.level : a.key < b.key
        }
    }

    /// Moves `e` down the 4-ary min-heap held in the first `count` entries of `a`, from position `start` to where it
    /// belongs (children of p at 4p + 1 … 4p + 4). The solver keeps two such heaps, its links' levels and its capped
    /// flows' caps.
    @inline(__always) private static func siftDown4(
        _ a: UnsafeMutableBufferPointer<HeapEntry>, count: Int, from start: Int, _ e: HeapEntry
    ) {
        var p = start
        while true {
            let first = 4 * p + 1
            guard first < count else { break }
            var m = first
            var c = first + 1
            let end = min(first + 4, count)
            while c < end {
                if HeapEntry.less(a[c], a[m]) { m = c }
                c += 1
            }
            guard HeapEntry.less(a[m], e) else { break }
            a[p] = a[m]
            p = m
        }
        a[p] = e
    }

    /// Creates a solver with scratch space for `linkCount` links (it grows on demand).
    public init(linkCount: Int = 0) { reserve(links: linkCount, flows: 0) }

    private mutating func reserve(links: Int, flows: Int) {
        if links > activeCount.count {
            let extra = links - activeCount.count
            frozenLoad.append(contentsOf: repeatElement(0, count: extra))
            weightSum.append(contentsOf: repeatElement(0, count: extra))
            activeCount.append(contentsOf: repeatElement(0, count: extra))
        }
        if flows > frozen.count { frozen.append(contentsOf: repeatElement(false, count: flows - frozen.count)) }
    }

    /// Solves one connected component by progressive filling; `rates[i]` receives the rate of local flow i.
    ///
    /// A flow crossing none of the component's links gets its cap (`.infinity` when uncapped).
    /// - Complexity: O(Σ|P| + (L + E)·log L) for L links and Σ|P| total path length in the component, E ≤ Σ|P| the
    ///   lazy re-pushes: every flow is frozen once (O(|P|)), every link is popped valid once and scans its flows,
    ///   plus O(K + k log K) for the K capped flows, k of them popped.
    mutating func solve(_ c: MaxMinComponent, rates: inout [Double]) {
        let linkCount = c.linkCount
        let flowCount = c.flowCount
        rates.removeAll(keepingCapacity: true)
        rates.append(contentsOf: repeatElement(0, count: flowCount))
        reserve(links: linkCount, flows: flowCount)
        // The scratch arrays are moved out of `self` for the solve (no copy: `self` lets go of them), so the loops
        // below can hold them as unsafe buffers; with array accessors every read re-checked bounds and uniqueness.
        var frozenLoad = self.frozenLoad, weightSum = self.weightSum, activeCount = self.activeCount
        var frozen = self.frozen, heap = self.heap, capped = self.capped
        self.frozenLoad = []; self.weightSum = []; self.activeCount = []; self.frozen = []; self.heap = []; self.capped = []
        defer {
            self.frozenLoad = frozenLoad; self.weightSum = weightSum; self.activeCount = activeCount
            self.frozen = frozen; self.heap = heap; self.capped = capped
        }
        // The capped flows in a second heap, by (cap level, flow ID): a total order (flow IDs are unique), so it pops
        // them in exactly the order a sort would list them. Built in O(K) instead of sorted in O(K log K): most caps
        // (the slack links folded into them) lie above the level at which every flow is frozen, and are never popped.
        capped.removeAll(keepingCapacity: true)
        for p in 0..<flowCount where c.flowStart[p] < c.flowStart[p + 1] && c.caps[p].isFinite {
            capped.append(HeapEntry(level: c.caps[p] / c.weights[p], key: c.flowIDs[p], local: Int32(p)))
        }
        // Every re-push follows a pop, so the heap never outgrows its first size: one buffer of L entries.
        heap.removeAll(keepingCapacity: true)
        heap.append(contentsOf: repeatElement(HeapEntry(level: 0, key: 0, local: 0), count: linkCount))
        c.capacities.withUnsafeBufferPointer { capacity in
        c.linkIDs.withUnsafeBufferPointer { linkIDs in
        c.linkStart.withUnsafeBufferPointer { linkStart in
        c.linkFlows.withUnsafeBufferPointer { linkFlows in
        c.weights.withUnsafeBufferPointer { weights in
        c.caps.withUnsafeBufferPointer { caps in
        c.flowStart.withUnsafeBufferPointer { flowStart in
        c.flowLinks.withUnsafeBufferPointer { flowLinks in
        capped.withUnsafeMutableBufferPointer { capped in
        frozenLoad.withUnsafeMutableBufferPointer { frozenLoad in
        weightSum.withUnsafeMutableBufferPointer { weightSum in
        activeCount.withUnsafeMutableBufferPointer { activeCount in
        frozen.withUnsafeMutableBufferPointer { frozen in
        heap.withUnsafeMutableBufferPointer { heap in
        rates.withUnsafeMutableBufferPointer { rates in
            var unfrozen = 0
            for i in 0..<linkCount {
                frozenLoad[i] = 0
                var w = 0.0
                for k in Int(linkStart[i])..<Int(linkStart[i + 1]) { w += weights[Int(linkFlows[k])] }  // ascending IDs
                weightSum[i] = w
                activeCount[i] = linkStart[i + 1] - linkStart[i]
            }
            for p in 0..<flowCount {
                if flowStart[p] == flowStart[p + 1] {
                    rates[p] = caps[p]
                    frozen[p] = true
                } else {
                    frozen[p] = false
                    unfrozen += 1
                }
            }
            var n = 0  // heap size
            for i in 0..<linkCount where activeCount[i] > 0 {
                heap[n] = HeapEntry(level: capacity[i] / weightSum[i], key: linkIDs[i], local: Int32(i))
                n += 1
            }

            // Both heaps are 4-ary: half the depth of a binary heap, and the four 16-byte siblings a step compares
            // fill one cache line (the sifts were most of the solver's time on 2,000-link components). The order is
            // total (IDs are unique), so the arity cannot change which entry is the minimum, only the work to find it.
            /// Moves `e` down the link heap from position `start` to where it belongs.
            @inline(__always) func siftDown(_ start: Int, _ e: HeapEntry) { Self.siftDown4(heap, count: n, from: start, e) }
            if n > 1 { for p in stride(from: (n - 2) / 4, through: 0, by: -1) { siftDown(p, heap[p]) } }  // O(L)
            /// Removes the minimum.
            @inline(__always) func popMin() {
                n -= 1
                if n > 0 { siftDown(0, heap[n]) }
            }
            var cappedCount = capped.count  // capped-heap size
            /// Moves `e` down the capped heap from position `start` to where it belongs.
            @inline(__always) func siftDownCapped(_ start: Int, _ e: HeapEntry) {
                Self.siftDown4(capped, count: cappedCount, from: start, e)
            }
            if cappedCount > 1 {
                for p in stride(from: (cappedCount - 2) / 4, through: 0, by: -1) { siftDownCapped(p, capped[p]) }  // O(K)
            }
            /// Removes the lowest cap.
            @inline(__always) func popCapped() {
                cappedCount -= 1
                if cappedCount > 0 { siftDownCapped(0, capped[cappedCount]) }
            }
            /// Replaces the minimum by `e` (a pop and a push in one sift).
            @inline(__always) func replaceMin(_ e: HeapEntry) { siftDown(0, e) }

            /// Freezes local flow `p` at `rate`, moving its load from "rising" to "frozen" on its links (their heap
            /// entries become lower bounds, settled when they reach the top).
            @inline(__always) func freeze(_ p: Int, rate: Double) {
                frozen[p] = true
                rates[p] = rate
                let w = weights[p]
                for k in Int(flowStart[p])..<Int(flowStart[p + 1]) {
                    let i = Int(flowLinks[k])
                    frozenLoad[i] += rate
                    weightSum[i] -= w
                    activeCount[i] -= 1
                }
                unfrozen -= 1
            }

            var level = 0.0
            while unfrozen > 0 {
                // Settle the heap top: drop links whose flows are all frozen; re-key a link whose level rose.
                while n > 0 {
                    let top = heap[0]
                    let i = Int(top.local)
                    if activeCount[i] == 0 {
                        popMin()
                        continue
                    }
                    let now = max(0, capacity[i] - frozenLoad[i]) / weightSum[i]
                    if now <= top.level { break }
                    replaceMin(HeapEntry(level: now, key: top.key, local: top.local))
                }
                while cappedCount > 0 && frozen[Int(capped[0].local)] { popCapped() }
                let linkLevel = n > 0 ? heap[0].level : .infinity
                let capLevel = cappedCount > 0 ? capped[0].level : .infinity
                if capLevel <= linkLevel {
                    guard capLevel.isFinite else { break }  // unreachable: every unfrozen flow crosses a live link
                    let p = Int(capped[0].local)
                    popCapped()
                    level = max(level, capLevel)
                    freeze(p, rate: caps[p])
                } else {
                    let i = Int(heap[0].local)
                    popMin()
                    level = max(level, linkLevel)
                    for k in Int(linkStart[i])..<Int(linkStart[i + 1]) {
                        let p = Int(linkFlows[k])
                        if !frozen[p] { freeze(p, rate: weights[p] * level) }
                    }
                }
            }
        }}}}}}}}}}}}}}}
    }

    /// One-shot weighted max-min fair rates of `flows` over links of the given capacities, by flow position.
    ///
    /// Solves each connected component independently, exactly as `FlowNetwork` does, so results agree with an
    /// incremental network holding the same flows to within `FlowNetwork.changeTolerance` (relative).
    /// - Complexity: O(Σ|P| + L) to build the flow–link adjacency, plus one solve per component.
    public static func rates(capacities: [Double], flows: [FlowDemand]) -> [Double] {
        var network = FlowNetwork(capacities: capacities)
        let update = network.add(flows)
        return update.added.map { network.rate(of: $0) }
    }
}
