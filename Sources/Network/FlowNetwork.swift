// MARK: - Flow identity and update results

/// A flow held by a `FlowNetwork`; IDs of removed flows are reused (last freed, first reused).
public struct FlowID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The index.
    public var raw: Int32
    /// Creates an ID from an index.
    @inlinable public init(_ raw: Int) { self.raw = Int32(raw) }
    /// The index as `Int`.
    @inlinable public var index: Int { Int(raw) }
    @inlinable public static func < (a: FlowID, b: FlowID) -> Bool { a.raw < b.raw }
    public var description: String { "flow\(raw)" }
}

/// What one change to a `FlowNetwork` did.
public struct FlowUpdate: Sendable, Equatable {
    /// IDs given to the flows added by this change, in the order of the demands (empty for removals).
    public var added: [FlowID]
    /// Flows whose rate changed (by more than `FlowNetwork.changeTolerance`, relative), ascending; includes every
    /// flow added by this change, never a removed one.
    public var changed: [FlowID]
    /// How many flows were re-solved (the flows of the touched connected components).
    public var resolvedFlows: Int
    /// How many connected components were re-solved.
    public var resolvedComponents: Int

    /// Creates an update record.
    public init(added: [FlowID], changed: [FlowID], resolvedFlows: Int, resolvedComponents: Int) {
        self.added = added
        self.changed = changed
        self.resolvedFlows = resolvedFlows
        self.resolvedComponents = resolvedComponents
    }
}

// MARK: - Incremental max-min network

/// The active flows of a fabric and their max-min fair rates, re-solved incrementally.
///
/// On every change (flows added or removed, a capacity changed) only the connected components of the flow–link
/// bipartite graph that contain a touched link are re-solved: SimGrid's "selective update" (Donassolo, Casanova,
/// Legrand, Velho, LSAP 2010; simgrid src/surf/network.c "improved management"). Flows in
/// other components cannot change rate, because max-min rates depend only on the flow's own component.
///
/// Rates that move by no more than `changeTolerance` (relative) keep their old value and are not reported, so a
/// caller that reschedules only the reported flows stays consistent with `rate(of:)`; such differences are
/// floating-point rounding (frozen loads summed in another order when a component's other flows change), not the
/// model.
///
/// Remaining bytes are not tracked here: the caller keeps, per flow, the bytes left and the time of its last rate
/// change, and brings them up to date only for the flows listed in `changed` (SimGrid's lazy action update).
///
/// Storage is struct-of-arrays indexed by `FlowID` and `LinkID`; each link's flow list is kept in ascending ID order.
/// Determinism: a component's rates depend only on its flows, links and capacities (see `MaxMinSolver`), never on
/// the order components are found in or on hashing; `changed` is sorted.
public struct FlowNetwork: Sendable {
    /// Relative rate change below which a re-solved flow keeps its old rate and is not reported (1e-12).
    public static let changeTolerance = 1e-12

    /// Capacity of every link, bytes per second, by `LinkID`.
    public private(set) var capacities: [Double]
    /// Each flow slot's path (empty for free slots), by `FlowID`.
    public private(set) var paths: [[LinkID]] = []
    /// Each flow slot's weight, by `FlowID`.
    public private(set) var weights: [Double] = []
    /// Each flow slot's rate cap (`.infinity` when uncapped), by `FlowID`.
    public private(set) var caps: [Double] = []
    /// Each flow slot's current rate (0 for free slots), by `FlowID`.
    public private(set) var rates: [Double] = []
    /// Whether each flow slot holds an active flow, by `FlowID`.
    public private(set) var isActive: [Bool] = []
    // The active flows on each link, ascending (a flow appears once per appearance of the link in its path).
    private var linkFlows: [[Int32]]
    private var freeSlots: [Int32] = []
    private var active = 0
    // Visit stamps for component searches (one generation per search, so nothing needs clearing).
    private var linkStamp: [UInt32]
    private var flowStamp: [UInt32] = []
    private var generation: UInt32 = 0
    /// Links touched by deferred changes since the last re-solve.
    private var pendingTouched: [Int32] = []
    private var solver: MaxMinSolver
    // Reused buffers.
    private var queue: [Int32] = []
    private var componentFlows: [Int32] = []
    private var componentLinks: [Int32] = []
    private var componentRates: [Double] = []

    /// Creates an empty network over links of the given capacities (bytes per second, by `LinkID`).
    public init(capacities: [Double]) {
        precondition(capacities.allSatisfy { $0 >= 0 }, "link capacities must be non-negative")
        self.capacities = capacities
        self.linkFlows = Array(repeating: [], count: capacities.count)
        self.linkStamp = Array(repeating: 0, count: capacities.count)
        self.solver = MaxMinSolver(linkCount: capacities.count)
    }

    /// Creates an empty network over `graph`'s links.
    public init(graph: LinkGraph) { self.init(capacities: graph.capacities) }

    // MARK: Queries

    /// Number of active flows.
    public var activeFlowCount: Int { active }
    /// Number of links.
    public var linkCount: Int { capacities.count }

    /// The current rate of flow `id`, bytes per second.
    @inlinable public func rate(of id: FlowID) -> Double { rates[id.index] }

    /// The active flows crossing `link`, ascending.
    /// - Complexity: O(k) for k flows on the link.
    public func flows(on link: LinkID) -> [FlowID] { linkFlows[link.index].map { FlowID(Int($0)) } }

    /// The bytes per second in use on `link`: Σ rate of the flows crossing it (once per appearance in a path).
    /// - Complexity: O(k) for k flows on the link.
    public func load(on link: LinkID) -> Double {
        var sum = 0.0
        // A flow is listed once per appearance of the link in its path, so multiplicity is counted.
        for f in linkFlows[link.index] { sum += rates[Int(f)] }
        return sum
    }

    /// The load of every link (as `load(on:)`), by `LinkID`, in one pass: for utilization samples.
    /// - Complexity: O(links + Σ|P| over active flows).
    public func loads() -> [Double] {
        var out = [Double](repeating: 0, count: capacities.count)
        for l in 0..<capacities.count { for f in linkFlows[l] { out[l] += rates[Int(f)] } }
        return out
    }

    /// The link that limits flow `id`: a saturated link on its path where its rate/weight is the largest, or nil
    /// when the flow is at its cap (or crosses no link). Ties go to the lowest link ID.
    /// - Complexity: O(Σ k) over the flows k on the flow's links.
    public func bottleneck(of id: FlowID) -> LinkID? {
        let f = id.index
        let share = rates[f] / weights[f]
        for l in paths[f].sorted() {
            let cap = capacities[l.index]
            guard load(on: l) >= cap * (1 - 1e-9) else { continue }
            let largest = linkFlows[l.index].allSatisfy { rates[Int($0)] / weights[Int($0)] <= share * (1 + 1e-9) }
            if largest { return l }
        }
        return nil
    }

    // MARK: Changes

    /// Adds flows and re-solves the components they join; returns their IDs and every rate that changed.
    /// - Complexity: O(Σ|P| of the new flows) plus one re-solve of each touched component (`MaxMinSolver`).
    public mutating func add(_ demands: [FlowDemand]) -> FlowUpdate { add(demands, deferResolve: false) }

    /// Adds flows; with `deferResolve`, only records the links they touch for a later `resolvePending()` (their
    /// rates are NaN until then, and the update reports no changes).
    public mutating func add(_ demands: [FlowDemand], deferResolve: Bool) -> FlowUpdate {
        var added: [FlowID] = []
        added.reserveCapacity(demands.count)
        var touched: [Int32] = []
        var newFlows: [Int32] = []
        for d in demands {
            precondition(d.rateCap >= 0, "a rate cap must be non-negative")
            for l in d.path { precondition(l.index >= 0 && l.index < capacities.count, "unknown link \(l)") }
            let f: Int32
            if let slot = freeSlots.popLast() {
                f = slot
                paths[Int(f)] = d.path
                weights[Int(f)] = d.weight
                caps[Int(f)] = d.rateCap
                rates[Int(f)] = .nan
                isActive[Int(f)] = true
            } else {
                f = Int32(paths.count)
                paths.append(d.path)
                weights.append(d.weight)
                caps.append(d.rateCap)
                rates.append(.nan)
                isActive.append(true)
                flowStamp.append(0)
            }
            active += 1
            for l in d.path {
                // NOTE: new IDs are usually the largest, so this is an append; a reused slot shifts the tail.
                let at = Self.insertionPoint(linkFlows[l.index], f)  // computed before the mutation: no second reference
                linkFlows[l.index].insert(f, at: at)
                touched.append(l.raw)
            }
            if d.path.isEmpty { rates[Int(f)] = d.rateCap }
            added.append(FlowID(Int(f)))
            newFlows.append(f)
        }
        if deferResolve {
            pendingTouched += touched
            return FlowUpdate(added: added, changed: [], resolvedFlows: 0, resolvedComponents: 0)
        }
        var update = resolve(touched: touched)
        update.added = added
        // Flows with no links are in no component; report them as changed with the rest of the new flows.
        let emptyNew = newFlows.filter { paths[Int($0)].isEmpty }.map { FlowID(Int($0)) }
        if !emptyNew.isEmpty { update.changed = (update.changed + emptyNew).sorted() }
        return update
    }

    /// Adds one flow; see `add(_:)`.
    public mutating func add(_ demand: FlowDemand) -> FlowUpdate { add([demand]) }

    /// Removes active flows and re-solves the components they leave; returns every remaining rate that changed.
    /// - Complexity: O(Σ k) over the flows k on the removed flows' links, plus the re-solves.
    /// Where `f` goes in an ascending flow list: the end when it is the largest (the usual case), else a binary search.
    private static func insertionPoint(_ list: [Int32], _ f: Int32) -> Int {
        if let last = list.last, last > f { return lowerBound(list, f) }
        return list.count
    }

    public mutating func remove(_ ids: [FlowID]) -> FlowUpdate { remove(ids, deferResolve: false) }

    /// Removes active flows; with `deferResolve`, only records the links they leave for a later `resolvePending()`.
    public mutating func remove(_ ids: [FlowID], deferResolve: Bool) -> FlowUpdate {
        var touched: [Int32] = []
        for id in ids {
            let f = id.raw
            precondition(id.index < isActive.count && isActive[id.index], "\(id) is not active")
            for l in paths[id.index] {
                // NOTE: the position is computed first: reading `linkFlows` inside the mutating call's arguments
                // would keep a second reference to the outer array and copy all of it (every link) per removal.
                let at = Self.lowerBound(linkFlows[l.index], f)
                linkFlows[l.index].remove(at: at)
                touched.append(l.raw)
            }
            paths[id.index] = []
            rates[id.index] = 0
            isActive[id.index] = false
            active -= 1
            freeSlots.append(f)
        }
        if deferResolve {
            pendingTouched += touched
            return FlowUpdate(added: [], changed: [], resolvedFlows: 0, resolvedComponents: 0)
        }
        return resolve(touched: touched)
    }

    /// Whether deferred additions or removals wait for `resolvePending()`.
    public var hasPendingChanges: Bool { !pendingTouched.isEmpty }

    /// Re-solves once every component that deferred additions and removals touched, and returns every rate that
    /// changed (new flows included): a batch of changes costs one solve per component instead of one per change.
    public mutating func resolvePending() -> FlowUpdate {
        guard !pendingTouched.isEmpty else { return FlowUpdate(added: [], changed: [], resolvedFlows: 0, resolvedComponents: 0) }
        let touched = pendingTouched
        pendingTouched.removeAll(keepingCapacity: true)
        return resolve(touched: touched)
    }

    /// Changes the capacity of `link` (e.g. a degraded cable) and re-solves its component.
    public mutating func setCapacity(_ capacity: Double, of link: LinkID) -> FlowUpdate {
        precondition(capacity >= 0, "link capacities must be non-negative")
        capacities[link.index] = capacity
        return resolve(touched: [link.raw])
    }

    /// Re-solves every component from scratch (the reference an incremental sequence must agree with).
    public mutating func resolveAll() -> FlowUpdate {
        resolve(touched: (0..<Int32(capacities.count)).map { $0 })
    }

    /// The first index of `list` (ascending) whose element is not below `x`.
    private static func lowerBound(_ list: [Int32], _ x: Int32) -> Int {
        var lo = 0
        var hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: Selective re-solve

    /// Re-solves the connected components containing any of `touched` (link indices, any order, repeats allowed).
    private mutating func resolve(touched: [Int32]) -> FlowUpdate {
        let seeds = touched  // any order: components are disjoint and each solve is order-independent
        generation &+= 1
        if generation == 0 {  // wrapped: clear stamps so old generations cannot collide
            for i in linkStamp.indices { linkStamp[i] = 0 }
            for i in flowStamp.indices { flowStamp[i] = 0 }
            generation = 1
        }
        let gen = generation
        var changed: [FlowID] = []
        var resolvedFlows = 0
        var components = 0
        for seed in seeds where linkStamp[Int(seed)] != gen {
            linkStamp[Int(seed)] = gen
            guard !linkFlows[Int(seed)].isEmpty else { continue }
            // Breadth-first search over the flow–link bipartite graph: one connected component.
            queue.removeAll(keepingCapacity: true)
            componentFlows.removeAll(keepingCapacity: true)
            componentLinks.removeAll(keepingCapacity: true)
            queue.append(seed)
            componentLinks.append(seed)
            var head = 0
            while head < queue.count {
                let l = Int(queue[head])
                head += 1
                for f in linkFlows[l] where flowStamp[Int(f)] != gen {
                    flowStamp[Int(f)] = gen
                    componentFlows.append(f)
                    for next in paths[Int(f)] where linkStamp[next.index] != gen {
                        linkStamp[next.index] = gen
                        componentLinks.append(next.raw)
                        queue.append(next.raw)
                    }
                }
            }
            solver.solveComponent(
                flows: componentFlows, links: componentLinks, linkFlows: linkFlows, capacities: capacities, paths: paths,
                weights: weights, caps: caps, rates: &componentRates)
            components += 1
            resolvedFlows += componentFlows.count
            for (p, f) in componentFlows.enumerated() {
                let old = rates[Int(f)]
                let new = componentRates[p]
                if old.isNaN || abs(new - old) > FlowNetwork.changeTolerance * max(abs(new), abs(old)) {
                    rates[Int(f)] = new
                    changed.append(FlowID(Int(f)))
                }
            }
        }
        changed.sort()
        return FlowUpdate(added: [], changed: changed, resolvedFlows: resolvedFlows, resolvedComponents: components)
    }
}
