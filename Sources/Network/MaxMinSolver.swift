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

/// Weighted max-min fair rates by progressive filling (water-filling), with reusable per-link scratch space.
///
/// The allocation SimGrid's LMM computes for one resource type (simgrid docs/source/Models.rst, "Linear Max-Min"):
/// every flow f gets rate wᶠ·λ with a common level λ raised from 0; when a link's remaining capacity reaches 0
/// ("saturates"), every flow crossing it is frozen at its current rate; a flow that reaches its cap is frozen at the
/// cap; the others keep rising (shared/notes/models-and-hardware.md §1.2). The result is the unique weighted
/// max-min fair allocation: no link over capacity, and each flow not at its cap crosses a saturated link on
/// which its rate/weight is the largest.
///
/// Determinism: the caller passes flows and links in ascending ID order; sums and minima are taken in that order,
/// so the same component always gives bit-identical rates, whatever happened elsewhere (no Set/Dictionary).
///
/// Use `rates(capacities:flows:)` for a one-shot solve, or `FlowNetwork` for the incremental form.
public struct MaxMinSolver: Sendable {
    /// Relative slack under which a link counts as saturated or a flow as at its cap (1e-12 of the capacity/cap).
    public static let tolerance = 1e-12

    // Per-link scratch, indexed by link ID; only the entries of the component being solved are touched.
    private var remaining: [Double] = []
    private var weightSum: [Double] = []
    private var activeCount: [Int32] = []
    private var saturated: [Bool] = []
    // Per-solve worklists.
    private var active: [Int32] = []
    private var live: [Int32] = []
    /// Filling rounds (distinct rate levels) of the last `solveComponent` call.
    public private(set) var lastRounds = 0

    /// Creates a solver with scratch space for `linkCount` links (it grows on demand).
    public init(linkCount: Int = 0) { reserve(linkCount: linkCount) }

    private mutating func reserve(linkCount: Int) {
        guard linkCount > remaining.count else { return }
        let extra = linkCount - remaining.count
        remaining.append(contentsOf: repeatElement(0, count: extra))
        weightSum.append(contentsOf: repeatElement(0, count: extra))
        activeCount.append(contentsOf: repeatElement(0, count: extra))
        saturated.append(contentsOf: repeatElement(false, count: extra))
    }

    /// Solves one connected component of flows by progressive filling; `rates[i]` receives the rate of `flows[i]`.
    ///
    /// - Parameters:
    ///   - flows: the component's flow indices (into `paths`, `weights`, `caps`), ascending.
    ///   - links: every link index any of those flows crosses, ascending, each once.
    ///   - capacities: capacity of every link, by link index.
    ///   - paths, weights, caps: per-flow data, by flow index (caps `.infinity` when uncapped).
    /// A flow with an empty path gets its cap (`.infinity` when uncapped).
    /// - Complexity: O(R·(L + Σ|P|)) for L links and Σ|P| total path length in the component, where
    ///   R ≤ min(L + capped flows, flows) is the number of distinct rate levels (filling rounds). Each round scans the
    ///   live links and the active flows' paths; frozen flows' weights leave their links once. A heap of link shares
    ///   would bring this to O((L + Σ|P|)·log L) (§1.2) if components grow large.
    public mutating func solveComponent(
        flows: [Int32], links: [Int32], capacities: [Double], paths: [[LinkID]], weights: [Double], caps: [Double],
        rates: inout [Double]
    ) {
        rates.removeAll(keepingCapacity: true)
        rates.append(contentsOf: repeatElement(0, count: flows.count))
        if let top = links.last { reserve(linkCount: Int(top) + 1) }
        for l in links {
            let i = Int(l)
            remaining[i] = capacities[i]
            weightSum[i] = 0
            activeCount[i] = 0
            saturated[i] = false
        }
        active.removeAll(keepingCapacity: true)
        for (p, f) in flows.enumerated() {
            let fi = Int(f)
            if paths[fi].isEmpty {
                rates[p] = caps[fi]
                continue
            }
            active.append(Int32(p))
            for l in paths[fi] {
                weightSum[l.index] += weights[fi]
                activeCount[l.index] += 1
            }
        }
        live.removeAll(keepingCapacity: true)
        live.append(contentsOf: links)
        var level = 0.0
        var rounds = 0
        let tol = MaxMinSolver.tolerance
        while !active.isEmpty {
            rounds += 1
            // The next increment of the level: the smallest fair share left on a live link or the smallest
            // headroom to a cap. Ties keep the first (lowest ID); the argmin is forced to freeze, so every round
            // makes progress even under rounding.
            var delta = Double.infinity
            var argLink: Int32 = -1
            var argFlow: Int32 = -1
            for l in live {
                let i = Int(l)
                let share = remaining[i] / weightSum[i]
                if share < delta {
                    delta = share
                    argLink = l
                }
            }
            for p in active {
                let f = Int(flows[Int(p)])
                let cap = caps[f]
                if cap.isFinite {
                    let headroom = cap / weights[f] - level
                    if headroom < delta {
                        delta = headroom
                        argFlow = p
                        argLink = -1
                    }
                }
            }
            guard delta.isFinite else { break }  // unreachable: every active flow crosses a live link
            delta = max(delta, 0)
            level += delta
            // Spend delta on every live link; mark those that ran out.
            for l in live {
                let i = Int(l)
                let r = remaining[i] - delta * weightSum[i]
                if l == argLink || r <= tol * capacities[i] {
                    remaining[i] = 0
                    saturated[i] = true
                } else {
                    remaining[i] = r
                }
            }
            // Freeze the flows that reached their cap or cross a saturated link.
            var kept = 0
            for k in 0..<active.count {
                let p = active[k]
                let f = Int(flows[Int(p)])
                let cap = caps[f]
                var rate = weights[f] * level
                var freeze = false
                if cap.isFinite && (p == argFlow || cap - rate <= tol * cap) {
                    rate = cap
                    freeze = true
                } else {
                    for l in paths[f] where saturated[l.index] {
                        freeze = true
                        break
                    }
                }
                if freeze {
                    rates[Int(p)] = rate
                    for l in paths[f] {
                        weightSum[l.index] -= weights[f]
                        activeCount[l.index] -= 1
                    }
                } else {
                    active[kept] = p
                    kept += 1
                }
            }
            active.removeLast(active.count - kept)
            // Drop links that are saturated or carry no active flow any more.
            var keptLinks = 0
            for k in 0..<live.count {
                let i = Int(live[k])
                if !saturated[i] && activeCount[i] > 0 {
                    live[keptLinks] = live[k]
                    keptLinks += 1
                }
            }
            live.removeLast(live.count - keptLinks)
        }
        lastRounds = rounds
    }

    /// One-shot weighted max-min fair rates of `flows` over links of the given capacities, by flow position.
    ///
    /// Solves each connected component independently, exactly as `FlowNetwork` does, so results agree bit for bit
    /// with an incremental network holding the same flows under the same IDs.
    /// - Complexity: O(Σ|P| + L) to build the flow–link adjacency, plus `solveComponent` per component.
    public static func rates(capacities: [Double], flows: [FlowDemand]) -> [Double] {
        var network = FlowNetwork(capacities: capacities)
        let update = network.add(flows)
        return update.added.map { network.rate(of: $0) }
    }
}
