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
    /// How many connected components were re-solved: components of the flows and the tight links (see
    /// `FlowNetwork`), a flow that crosses only slack links counting as one of its own.
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
/// **Slack links** (`prunesSlackLinks`, on by default) are left out of the graph. Each flow has an upper bound
/// bᶠ = min(its cap, min over its path of Cₗ / (times it crosses l)): no feasible rate exceeds it. A link whose
/// capacity is at least Σ bᶠ over its flows (once per appearance), or at least that sum with the flows that share a
/// smaller feeder link counted at most that link's capacity (`computeTight`), can never be over capacity, whatever
/// the rates; such a link is *slack*, the others *tight*. The components are those of the flows and the tight links
/// only, and each flow's slack links enter its solve as a cap, min(cap, min over its slack links of Cₗ / multiplicity).
/// Why the rates do not change: let r be the max-min fair allocation of the reduced problem (tight links, those
/// caps). It is feasible for the full problem: rᶠ ≤ bᶠ for every flow (its tight links are respected, its slack
/// ones are in its cap), so every slack link carries at most Σ bᶠ ≤ Cₗ. Every flow has a bottleneck in the full
/// problem: one at its reduced cap either is at its own cap, or fills a slack link l alone (mult·rᶠ = Cₗ means the
/// other flows on l are at 0, so l is saturated and rᶠ/wᶠ is its largest); one bottlenecked at a tight link keeps
/// that bottleneck, the link and its flows being the same. A feasible allocation in which every flow has a
/// bottleneck is the unique max-min fair one (Bertsekas and Gallager, "Data Networks", 2nd ed., §6.5.2; with
/// weights, on rᶠ/wᶠ), so r is it. Rates therefore agree with an unpruned solve up to floating-point rounding.
/// What it buys: on a fabric where each flow's NIC (or any single-flow link) binds before a shared uplink could, the
/// uplink no longer joins every job crossing it into one component, so a job's start or stop re-solves that job
/// alone; a link with a single flow becomes that flow's cap; a flow whose links are all slack gets bᶠ with no solve.
/// Tightness is recomputed, from the link's current flows in ascending ID order, for every link a change touches; a
/// link that turns tight merges components (it seeds the re-solve), one that turns slack splits its component (its
/// flows seed the re-solve). So the components are always those of the current flows, a function of the state.
///
/// **Lone flows** (`tracksLoneFlows`, on by default with pruning): a flow that, when added, is the only flow on every
/// link of its path and crosses no link twice (an all-reduce ring inside one node: each GPU's own up and down links)
/// is slack on all of them, so it is a component of its own at its bound bᶠ. Such a flow's bound is left out of its
/// links' kept sums and its links are not re-classified when it comes or goes: they are slack before and after, and
/// no other flow crosses them, so nothing else can change. When another flow joins one of its links, the lone flow's
/// bound is added to its links' sums first (it is then a flow like any other, in the state it would have had all
/// along; the sums are exact or re-summed, so their order does not matter), and the joining flow touches the link as
/// usual. The lone flow is still listed on its links (loads and bottlenecks read it) and still reported in `changed`
/// when added. Its rate is the one the full path gives, bit for bit; a seeded test checks this against a network that
/// tracks no lone flows.
///
/// Rates that move by no more than `changeTolerance` (relative) keep their old value and are not reported, so a
/// caller that reschedules only the reported flows stays consistent with `rate(of:)`; such differences are
/// floating-point rounding (frozen loads summed in another order when a component's other flows change), not the
/// model.
///
/// Remaining bytes are not tracked here: the caller keeps, per flow, the bytes left and the time of its last rate
/// change, and brings them up to date only for the flows listed in `changed` (SimGrid's lazy action update).
///
/// Storage is struct-of-arrays indexed by `FlowID` and `LinkID`, paths in one flat array with a fixed stride; each
/// link's flow list is kept in ascending ID order.
/// Determinism: a component's rates depend only on its flows, links and capacities (see `MaxMinSolver`), never on
/// the order components are found in or on hashing; `changed` is sorted.
public struct FlowNetwork: Sendable {
    /// Relative rate change below which a re-solved flow keeps its old rate and is not reported (1e-12).
    public static let changeTolerance = 1e-12

    /// Capacity of every link, bytes per second, by `LinkID`.
    public private(set) var capacities: [Double]
    /// Whether links that can never saturate are left out of component searches and solves (see the type's notes).
    public let prunesSlackLinks: Bool
    /// Whether flows alone on all their links skip the kept sums and re-classification (see the type's notes).
    public let tracksLoneFlows: Bool
    /// Each flow slot's weight, by `FlowID`.
    public private(set) var weights: [Double] = []
    /// Each flow slot's rate cap (`.infinity` when uncapped), by `FlowID`.
    public private(set) var caps: [Double] = []
    /// Each flow slot's current rate (0 for free slots), by `FlowID`.
    public private(set) var rates: [Double] = []
    /// Whether each flow slot holds an active flow, by `FlowID`.
    public private(set) var isActive: [Bool] = []
    // Whether each active flow slot is lone (see the type's notes): its bound is in no link's kept sum.
    private var lone: [Bool] = []
    // Whether each flow slot is reserved (see `reserve(_:into:)`): neither free nor active.
    private var reserved: [Bool] = []
    // Paths, flat: slot f's links are pathLinks[f·pathStride ..< f·pathStride + pathLength[f]] (0 for free slots).
    private var pathStride = 0
    private var pathLinks: [Int32] = []
    private var pathLength: [Int32] = []
    // Each flow slot's upper bound bᶠ (see the type's notes), by FlowID; per link, the sum of its flows' bounds and
    // how many of them are not whole numbers small enough to sum exactly (see `computeTight`).
    private var bounds: [Double] = []
    private var boundSum: [Double]
    private var inexactBounds: [Int32]
    // Each flow slot's feeder (see `computeTight`): the link of least capacity on its path, ties to the lowest ID.
    private var feeder: [Int32] = []
    // Scratch of the feeder-grouped bound, by feeder `LinkID`: a stamp per use (so nothing needs clearing), the sum of
    // the group's bounds, and the most times one of its flows crosses the link being classified; plus the groups met.
    private var groupStamp: [UInt32]
    private var groupSum: [Double]
    private var groupMultiplicity: [Int32]
    private var groupsMet: [Int32] = []
    private var groupGeneration: UInt32 = 0
    // The active flows on each link, ascending (a flow appears once per appearance of the link in its path).
    private var linkFlows: LinkFlowLists
    // Whether each link is tight (can saturate); slack links are in no component. Always tight with flows, unpruned.
    private var tight: [Bool]
    private var freeSlots: [Int32] = []
    private var active = 0
    // Visit stamps for component searches (one generation per search, so nothing needs clearing), and the local
    // index a stamped link or flow has in the component being built.
    private var linkStamp: [UInt32]
    private var flowStamp: [UInt32] = []
    private var linkLocal: [Int32]
    private var flowLocal: [Int32] = []
    private var generation: UInt32 = 0
    /// Links touched, and flows added, by deferred changes since the last re-solve.
    private var pendingTouched: [Int32] = []
    private var pendingFlows: [Int32] = []
    private var solver: MaxMinSolver
    // Reused buffers.
    private var component = MaxMinComponent()
    private var componentRates: [Double] = []
    private var linkSeeds: [Int32] = []
    private var flowSeeds: [Int32] = []

    /// Creates an empty network over links of the given capacities (bytes per second, by `LinkID`); with
    /// `pruneSlackLinks` false every link with flows takes part in the solves (the plain algorithm, as a reference);
    /// with `trackLoneFlows` false (or without pruning) lone flows take the full path (a reference for tests).
    public init(capacities: [Double], pruneSlackLinks: Bool = true, trackLoneFlows: Bool = true) {
        precondition(capacities.allSatisfy { $0 >= 0 }, "link capacities must be non-negative")
        self.capacities = capacities
        self.prunesSlackLinks = pruneSlackLinks
        self.tracksLoneFlows = pruneSlackLinks && trackLoneFlows
        self.linkFlows = LinkFlowLists(linkCount: capacities.count)
        self.tight = Array(repeating: false, count: capacities.count)
        self.boundSum = Array(repeating: 0, count: capacities.count)
        self.inexactBounds = Array(repeating: 0, count: capacities.count)
        self.groupStamp = Array(repeating: 0, count: capacities.count)
        self.groupSum = Array(repeating: 0, count: capacities.count)
        self.groupMultiplicity = Array(repeating: 0, count: capacities.count)
        self.linkStamp = Array(repeating: 0, count: capacities.count)
        self.linkLocal = Array(repeating: 0, count: capacities.count)
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

    /// The links flow slot `id` crosses, in path order (empty for a free slot).
    public func path(of id: FlowID) -> [LinkID] {
        let base = id.index * pathStride
        return (0..<Int(pathLength[id.index])).map { LinkID(Int(pathLinks[base + $0])) }
    }

    /// Each flow slot's path (empty for free slots), by `FlowID`.
    /// - Complexity: O(slots + Σ|P|): it builds the arrays; use `path(of:)` for one flow.
    public var paths: [[LinkID]] { (0..<pathLength.count).map { path(of: FlowID($0)) } }

    /// Whether `link` can saturate with the flows it carries now (always, for a link with flows, when not pruning).
    public func isTight(_ link: LinkID) -> Bool { tight[link.index] }

    /// The active flows crossing `link`, ascending.
    /// - Complexity: O(k) for k flows on the link.
    public func flows(on link: LinkID) -> [FlowID] { linkFlows.list(link.index).map { FlowID(Int($0)) } }

    /// How many active flows cross `link` (once per appearance in a path): `flows(on:).count` without the list.
    /// - Complexity: O(1).
    @inlinable public func flowCount(on link: LinkID) -> Int { linkFlowCount(link.index) }

    /// `flowCount(on:)` by link index (the link lists are not visible to inlinable code).
    @usableFromInline func linkFlowCount(_ link: Int) -> Int { linkFlows.count(link) }

    /// The bytes per second in use on `link`: Σ rate of the flows crossing it (once per appearance in a path).
    /// - Complexity: O(k) for k flows on the link.
    public func load(on link: LinkID) -> Double {
        var sum = 0.0
        // A flow is listed once per appearance of the link in its path, so multiplicity is counted.
        linkFlows.forEach(link.index) { sum += rates[Int($0)] }
        return sum
    }

    /// The load of every link (as `load(on:)`), by `LinkID`, in one pass: for utilization samples.
    /// - Complexity: O(links + Σ|P| over active flows).
    public func loads() -> [Double] {
        var out: [Double] = []
        loads(into: &out)
        return out
    }

    /// `loads()` written into `out` (resized to the link count), whose storage a caller can keep across calls.
    public func loads(into out: inout [Double]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: repeatElement(0, count: capacities.count))
        for l in 0..<capacities.count { linkFlows.forEach(l) { out[l] += rates[Int($0)] } }
    }

    /// The link that limits flow `id`: a saturated link on its path where its rate/weight is the largest, or nil
    /// when the flow is at its cap (or crosses no link). Ties go to the lowest link ID.
    /// - Complexity: O(Σ k) over the flows k on the flow's links.
    public func bottleneck(of id: FlowID) -> LinkID? {
        let f = id.index
        let share = rates[f] / weights[f]
        for l in path(of: id).sorted() {
            let cap = capacities[l.index]
            guard load(on: l) >= cap * (1 - 1e-9) else { continue }
            var largest = true
            linkFlows.forEach(l.index) { if rates[Int($0)] / weights[Int($0)] > share * (1 + 1e-9) { largest = false } }
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
        for d in demands { added.append(insert(path: d.path, weight: d.weight, cap: d.rateCap, touched: &touched)) }
        return finishAdding(added, touched: touched, deferResolve: deferResolve)
    }

    /// Adds flows of weight 1 without caps given in flat form: flow i crosses
    /// `pathLinks[pathStart[i] ..< pathStart[i + 1]]` (as `FlatAllReducePlan` lists them); otherwise as
    /// `add(_:deferResolve:)`. It spares the caller an array per flow.
    public mutating func add(pathLinks links: [LinkID], pathStart: [Int32], deferResolve: Bool) -> FlowUpdate {
        add(pathLinks: links, pathStart: pathStart, rateCaps: [], deferResolve: deferResolve)
    }

    /// As `add(pathLinks:pathStart:deferResolve:)`, flow i capped at `rateCaps[i]` (`.infinity`: uncapped); an empty
    /// `rateCaps` leaves every flow uncapped (`FlatAllReducePlan.rateCaps`).
    public mutating func add(pathLinks links: [LinkID], pathStart: [Int32], rateCaps: [Double], deferResolve: Bool) -> FlowUpdate {
        precondition(rateCaps.isEmpty || rateCaps.count == pathStart.count - 1, "one rate cap per flow, or none")
        return add(pathLinks: links, pathStart: pathStart, weight: 1, caps: rateCaps.isEmpty ? nil : rateCaps, deferResolve: deferResolve)
    }

    /// Adds flows in flat form (as `add(pathLinks:pathStart:deferResolve:)`), each of weight `weight` and, when
    /// `caps` is given, flow i capped at `caps[i]` bytes per second.
    public mutating func add(
        pathLinks links: [LinkID], pathStart: [Int32], weight: Double, caps: [Double]?, deferResolve: Bool
    ) -> FlowUpdate {
        let count = max(0, pathStart.count - 1)
        precondition(caps == nil || caps!.count == count, "one cap per flow")
        var added: [FlowID] = []
        added.reserveCapacity(count)
        var touched: [Int32] = []
        touched.reserveCapacity(links.count)
        for i in 0..<count {
            added.append(insert(path: links[Int(pathStart[i])..<Int(pathStart[i + 1])], weight: weight,
                                cap: caps?[i] ?? .infinity, touched: &touched))
        }
        return finishAdding(added, touched: touched, deferResolve: deferResolve)
    }

    /// Stores one new flow in a free slot, or in the reserved slot `slot` (its rate NaN until re-solved), and lists
    /// it on its links, which are appended to `touched`.
    private mutating func insert<Path: Collection<LinkID>>(
        path: Path, weight: Double, cap: Double, touched: inout [Int32], slot: Int32? = nil
    ) -> FlowID {
        precondition(weight > 0, "a flow's weight must be positive")
        precondition(cap >= 0, "a rate cap must be non-negative")
        for l in path { precondition(l.index >= 0 && l.index < capacities.count, "unknown link \(l)") }
        if path.count > pathStride { widenPaths(to: path.count) }
        let f: Int32
        if let slot {
            precondition(slot >= 0 && Int(slot) < reserved.count && reserved[Int(slot)], "flow\(slot) is not reserved")
            reserved[Int(slot)] = false
            f = slot
        } else {
            f = takeSlot()
        }
        weights[Int(f)] = weight
        caps[Int(f)] = cap
        rates[Int(f)] = .nan
        isActive[Int(f)] = true
        lone[Int(f)] = false
        var j = Int(f) * pathStride
        for l in path {
            pathLinks[j] = l.raw
            j += 1
        }
        pathLength[Int(f)] = Int32(path.count)
        let b = bound(of: Int(f))
        bounds[Int(f)] = b
        feeder[Int(f)] = feederLink(of: Int(f))
        // Lone when every link is empty before it (a repeated link is not: its second appearance finds the first). A
        // lone flow met on a link becomes an ordinary one before this flow joins it.
        var isLone = tracksLoneFlows
        for l in path {
            let li = l.index
            let onLink = linkFlows.count(li)
            if onLink > 0 {
                isLone = false
                if onLink == 1 && lone[Int(linkFlows.first(li))] { joinSums(linkFlows.first(li)) }
            }
            linkFlows.insert(f, on: li)
        }
        lone[Int(f)] = isLone
        if !isLone {
            for l in path {
                addToBoundSum(b, l.index, sign: 1)
                touched.append(l.raw)
            }
        }
        active += 1
        return FlowID(Int(f))
    }

    /// The slot the next new flow gets: the last freed one, else a new one (in the free state: inactive, on no link).
    private mutating func takeSlot() -> Int32 {
        if let slot = freeSlots.popLast() { return slot }
        let f = Int32(weights.count)
        weights.append(1)
        caps.append(.infinity)
        rates.append(0)
        isActive.append(false)
        lone.append(false)
        reserved.append(false)
        bounds.append(0)
        feeder.append(-1)
        flowStamp.append(0)
        flowLocal.append(0)
        pathLength.append(0)
        pathLinks.append(contentsOf: repeatElement(0, count: pathStride))
        return f
    }

    /// Makes lone flow `f` an ordinary one: its bound enters its links' kept sums, as if it had been there since it
    /// was added. Its links need no re-classification: each stays slack with `f` alone on it, and the link a joining
    /// flow shares with it is touched by that flow.
    private mutating func joinSums(_ f: Int32) {
        let fi = Int(f)
        lone[fi] = false
        let base = fi * pathStride
        for j in 0..<Int(pathLength[fi]) { addToBoundSum(bounds[fi], Int(pathLinks[base + j]), sign: 1) }
    }

    /// Records or re-solves what an addition touched.
    private mutating func finishAdding(_ added: [FlowID], touched: [Int32], deferResolve: Bool) -> FlowUpdate {
        if deferResolve {
            pendingTouched += touched
            for f in added { pendingFlows.append(f.raw) }
            return FlowUpdate(added: added, changed: [], resolvedFlows: 0, resolvedComponents: 0)
        }
        var update = resolve(touched: touched, newFlows: added.map(\.raw))
        update.added = added
        return update
    }

    /// Adds one flow; see `add(_:)`.
    public mutating func add(_ demand: FlowDemand) -> FlowUpdate { add([demand]) }

    // MARK: Reserved slots

    /// Takes the slots the next `count` new flows would get, in the order `add` would hand them out, and appends their
    /// IDs to `ids`; no flow is added: the slots stay inactive and on no link until `addLone(into:…)` fills them or
    /// `release(_:)` frees them.
    ///
    /// For a caller that keeps a group of lone flows out of the network (a lone flow's rate is its bound whatever the
    /// rest of the network does, see the type's notes) and must still give every other flow the ID it would have had:
    /// rates do not depend on IDs, but sums over a link's flows run in ID order, so equal IDs keep every later result
    /// bit for bit. Reserved slots count as neither free nor active (`activeFlowCount`).
    /// - Complexity: O(count).
    public mutating func reserve(_ count: Int, into ids: inout [FlowID]) {
        for _ in 0..<count {
            let f = takeSlot()
            reserved[Int(f)] = true
            ids.append(FlowID(Int(f)))
        }
    }

    /// Frees reserved slots that were never filled, in the given order, as `remove(_:)` frees the slots of removed
    /// flows (so the IDs handed out next are those a removal of the same flows would have left).
    /// - Complexity: O(ids).
    public mutating func release(_ ids: [FlowID]) {
        for id in ids {
            precondition(id.index >= 0 && id.index < reserved.count && reserved[id.index], "\(id) is not reserved")
            reserved[id.index] = false
            freeSlots.append(id.raw)
        }
    }

    /// Adds flows into the reserved slots `ids` (flow i in `ids[i]`, crossing `pathLinks[pathStart[i] ..<
    /// pathStart[i + 1]]`, of weight `weight` and capped at `caps[i]` when given, as `add(pathLinks:pathStart:weight:
    /// caps:deferResolve:)`); every flow must be lone when added (alone on each of its links, crossing none twice) and
    /// the network must track lone flows.
    ///
    /// With `settled`, each flow takes its rate at once: its bound, the rate the re-solve after its addition gives a
    /// lone flow (no tight link on its path), and the rate it keeps while it stays lone. Without, it waits for
    /// `resolvePending()` as a deferred addition does. Either way the network ends in the state it would be in had the
    /// flows been added (and, when `settled`, re-solved) when their slots were reserved, the rest of the network having
    /// changed as it did: lone flows leave no trace in the kept sums or link classes, and are reported by no later
    /// re-solve until a flow joins one of their links.
    /// - Complexity: O(Σ|P| of the flows).
    public mutating func addLone(
        into ids: [FlowID], pathLinks links: [LinkID], pathStart: [Int32], weight: Double, caps: [Double]?, settled: Bool
    ) {
        precondition(tracksLoneFlows, "a network that does not track lone flows has none to add")
        precondition(ids.count == max(0, pathStart.count - 1), "one reserved slot per flow")
        precondition(caps == nil || caps!.count == ids.count, "one cap per flow")
        var touched: [Int32] = []
        for (i, id) in ids.enumerated() {
            let f = insert(path: links[Int(pathStart[i])..<Int(pathStart[i + 1])], weight: weight,
                           cap: caps?[i] ?? .infinity, touched: &touched, slot: id.raw)
            precondition(lone[f.index], "\(f) is not alone on its links")
            #if SIM_INTERNAL_CHECKS
            // An empty link is slack once the removals that emptied it are re-solved; `settled` flows were added
            // before the last re-solve, and their links have carried nothing else since.
            if settled { for l in path(of: f) { assert(!tight[l.index], "\(f) would cross tight link \(l)") } }
            #endif
            if settled { rates[f.index] = bounds[f.index] } else { pendingFlows.append(f.raw) }
        }
    }

    /// Re-lays the flat path storage out with a stride of `stride` links per slot.
    private mutating func widenPaths(to stride: Int) {
        var wider = [Int32](repeating: 0, count: pathLength.count * stride)
        for f in 0..<pathLength.count {
            for j in 0..<Int(pathLength[f]) { wider[f * stride + j] = pathLinks[f * pathStride + j] }
        }
        pathLinks = wider
        pathStride = stride
    }

    /// Times link `l` appears in the path of flow slot `f`.
    @inline(__always) private func multiplicity(of l: Int32, in f: Int) -> Int {
        let base = f * pathStride
        var n = 0
        for j in 0..<Int(pathLength[f]) where pathLinks[base + j] == l { n += 1 }
        return n
    }

    /// The upper bound bᶠ of flow slot `f`: min(its cap, min over its path of Cₗ / multiplicity).
    // NOTE: inlined, as `computeTight` is: called from a mutating method, a non-mutating one got a bitwise copy of the
    // whole network (344 bytes) per call, which `insert` made per flow and `resolve` per touched link.
    @inline(__always) private func bound(of f: Int) -> Double {
        var b = caps[f]
        let base = f * pathStride
        for j in 0..<Int(pathLength[f]) {
            let l = pathLinks[base + j]
            b = min(b, capacities[Int(l)] / Double(multiplicity(of: l, in: f)))
        }
        return b
    }

    /// The link of least capacity on flow slot `f`'s path (ties to the lowest `LinkID`), or −1 for an empty path.
    @inline(__always) private func feederLink(of f: Int) -> Int32 {
        var g: Int32 = -1
        let base = f * pathStride
        for j in 0..<Int(pathLength[f]) {
            let l = pathLinks[base + j]
            if g < 0 || capacities[Int(l)] < capacities[Int(g)] || (capacities[Int(l)] == capacities[Int(g)] && l < g) { g = l }
        }
        return g
    }

    /// Whether `link` can saturate with its current flows; with pruning off, whether it carries any flow.
    ///
    /// Two upper bounds on the link's load are tried; the link is slack when either is at most its capacity.
    /// 1. Σ bᶠ over its flows (ascending, once per appearance). The sum is kept per link as flows come and go while
    ///    every bound on the link is a whole number of at most 2⁴⁰ and the link has fewer than 2¹³ entries (as on
    ///    fabrics given in bytes per second): such sums stay below 2⁵³, so every partial sum is exact in any order
    ///    and the kept sum is the ascending one bit for bit. Otherwise it is summed afresh. (Re-summing the long flow
    ///    lists of oversubscribed uplinks at every start and stop was a visible share of a run.)
    /// 2. Only when the first fails: the flows grouped by their *feeder* g (the least-capacity link of the path),
    ///    where C_g < C_link. Every flow of a group crosses g, so together they carry at most C_g, and a group adds
    ///    min(Σ over its entries of bᶠ, M·C_g) (M: the most times one of its flows crosses `link`); the other flows add
    ///    their bᶠ as in 1. On an oversubscribed ToR uplink many flows come out of few NICs (several jobs, or packed
    ///    jobs, per NIC): Σ bᶠ counts each NIC many times over, the grouped bound once. (With Gandiva on the ITP
    ///    replay, 70% of the uplink re-classifications that found Σ bᶠ above capacity find this bound below it, and
    ///    the flows re-solved fell from 3.6 M to 1.3 M.)
    /// Why the rates stay those of an unpruned solve (see the type's notes): the reduced solution must still respect
    /// a slack link. A group's feeder g is either tight, and then in the flows' component, where the solve enforces
    /// C_g; or slack by bound 1 (its flows are within their bᶠ); or slack by bound 2 through feeders of capacity
    /// smaller still, and so on down to one of the first two cases (capacities strictly decrease along the chain).
    /// Either way the group's flows carry at most C_g, so the link carries at most the bound. The rest of the
    /// argument (every flow keeps a bottleneck) does not depend on how slackness was shown.
    /// Both bounds are functions of the link's flows (their bounds, paths and capacities), summed in ascending flow
    /// order, so a link's class is a function of the current flows and capacities, not of the history.
    @inline(__always) private mutating func computeTight(_ link: Int) -> Bool {
        guard prunesSlackLinks else { return linkFlows.count(link) > 0 }
        let capacity = capacities[link]
        if inexactBounds[link] == 0 && linkFlows.count(link) < 1 << 13 {
            #if SIM_INTERNAL_CHECKS
            var check = 0.0
            linkFlows.forEach(link) { if !lone[Int($0)] { check += bounds[Int($0)] } }
            assert(check == boundSum[link], "link \(link): kept bound sum \(boundSum[link]) ≠ \(check)")
            #endif
            if boundSum[link] <= capacity { return false }
        } else {
            var sum = 0.0
            linkFlows.forEach(link) { sum += bounds[Int($0)] }
            if sum <= capacity { return false }
        }
        return feederGroupedBound(link) > capacity
    }

    /// Bound 2 of `computeTight`: the load `link` can carry at most, its flows grouped by feeder.
    @inline(__always) private mutating func feederGroupedBound(_ link: Int) -> Double {
        groupGeneration &+= 1
        if groupGeneration == 0 {  // wrapped: clear the stamps so an old use cannot look current
            for i in groupStamp.indices { groupStamp[i] = 0 }
            groupGeneration = 1
        }
        let stamp = groupGeneration
        let capacity = capacities[link]
        groupsMet.removeAll(keepingCapacity: true)
        var ungrouped = 0.0
        var previous: Int32 = -1
        var run: Int32 = 0
        // Entries are in ascending flow order, a flow's repeated appearances next to each other.
        linkFlows.forEach(link) { f in
            run = f == previous ? run + 1 : 1
            previous = f
            let fi = Int(f)
            let g = Int(feeder[fi])
            guard g >= 0 && capacities[g] < capacity else {
                ungrouped += bounds[fi]
                return
            }
            if groupStamp[g] != stamp {
                groupStamp[g] = stamp
                groupSum[g] = 0
                groupMultiplicity[g] = 0
                groupsMet.append(Int32(g))
            }
            groupSum[g] += bounds[fi]
            groupMultiplicity[g] = max(groupMultiplicity[g], run)
        }
        var total = ungrouped
        for g in groupsMet { total += min(groupSum[Int(g)], Double(groupMultiplicity[Int(g)]) * capacities[Int(g)]) }
        return total
    }

    /// Adds (`sign` 1) or takes back (−1) bound `b` in link `l`'s kept sum, or counts it as inexact.
    @inline(__always) private mutating func addToBoundSum(_ b: Double, _ l: Int, sign: Double) {
        if b == b.rounded() && abs(b) <= 0x1p40 {
            boundSum[l] += sign * b
        } else {
            inexactBounds[l] += Int32(sign)
        }
    }

    /// Removes active flows and re-solves the components they leave; returns every remaining rate that changed.
    /// - Complexity: O(Σ k) over the flows k on the removed flows' links, plus the re-solves.
    public mutating func remove(_ ids: [FlowID]) -> FlowUpdate { remove(ids, deferResolve: false) }

    /// Removes active flows; with `deferResolve`, only records the links they leave for a later `resolvePending()`.
    public mutating func remove(_ ids: [FlowID], deferResolve: Bool) -> FlowUpdate {
        var touched: [Int32] = []
        for id in ids {
            let f = id.raw
            precondition(id.index < isActive.count && isActive[id.index], "\(id) is not active")
            let base = id.index * pathStride
            // A lone flow leaves links that stay slack and carry no other flow: nothing to re-classify.
            let isLone = lone[id.index]
            lone[id.index] = false
            for j in 0..<Int(pathLength[id.index]) {
                let l = Int(pathLinks[base + j])
                linkFlows.remove(f, from: l)
                if !isLone {
                    addToBoundSum(bounds[id.index], l, sign: -1)
                    touched.append(Int32(l))
                }
            }
            pathLength[id.index] = 0
            rates[id.index] = 0
            isActive[id.index] = false
            active -= 1
            freeSlots.append(f)
        }
        if deferResolve {
            pendingTouched += touched
            return FlowUpdate(added: [], changed: [], resolvedFlows: 0, resolvedComponents: 0)
        }
        return resolve(touched: touched, newFlows: [])
    }

    /// Whether deferred additions or removals wait for `resolvePending()`.
    public var hasPendingChanges: Bool { !pendingTouched.isEmpty || !pendingFlows.isEmpty }

    /// Re-solves once every component that deferred additions and removals touched, and returns every rate that
    /// changed (new flows included): a batch of changes costs one solve per component instead of one per change.
    public mutating func resolvePending() -> FlowUpdate {
        guard hasPendingChanges else { return FlowUpdate(added: [], changed: [], resolvedFlows: 0, resolvedComponents: 0) }
        let touched = pendingTouched
        let newFlows = pendingFlows
        pendingTouched.removeAll(keepingCapacity: true)
        pendingFlows.removeAll(keepingCapacity: true)
        return resolve(touched: touched, newFlows: newFlows)
    }

    /// Changes the capacity of `link` (e.g. a degraded cable) and re-solves its component.
    ///
    /// The bounds of the link's flows change with it, and with them the tightness of every link those flows cross,
    /// so all of those links count as touched, and the flows are re-solved whatever their links' tightness.
    public mutating func setCapacity(_ capacity: Double, of link: LinkID) -> FlowUpdate {
        precondition(capacity >= 0, "link capacities must be non-negative")
        capacities[link.index] = capacity
        var touched: [Int32] = [link.raw]
        let affected = linkFlows.list(link.index)
        // Their bounds change: a lone flow's moves into its links' sums first, so that the update below applies to it.
        for f in affected where lone[Int(f)] { joinSums(f) }
        for f in affected {
            let old = bounds[Int(f)]
            let new = bound(of: Int(f))
            bounds[Int(f)] = new
            feeder[Int(f)] = feederLink(of: Int(f))
            let base = Int(f) * pathStride
            for j in 0..<Int(pathLength[Int(f)]) {
                let l = pathLinks[base + j]
                addToBoundSum(old, Int(l), sign: -1)
                addToBoundSum(new, Int(l), sign: 1)
                touched.append(l)
            }
        }
        // Seeded as flows too: on a link that stays slack, their new bound is their new rate, and no link seeds it.
        return resolve(touched: touched, newFlows: affected)
    }

    /// Re-solves every component from scratch (the reference an incremental sequence must agree with).
    public mutating func resolveAll() -> FlowUpdate {
        let all = (0..<Int32(weights.count)).filter { isActive[Int($0)] }
        return resolve(touched: (0..<Int32(capacities.count)).map { $0 }, newFlows: all)
    }

    // MARK: Selective re-solve

    /// Starts a new visit generation (stamps of older ones no longer match).
    private mutating func nextGeneration() -> UInt32 {
        generation &+= 1
        if generation == 0 {  // wrapped: clear stamps so old generations cannot collide
            for i in linkStamp.indices { linkStamp[i] = 0 }
            for i in flowStamp.indices { flowStamp[i] = 0 }
            generation = 1
        }
        return generation
    }

    /// Re-solves the components containing any of the links in `touched` (link indices, any order, repeats allowed)
    /// or any of `newFlows` (flow slots added since the last re-solve; inactive ones are skipped).
    private mutating func resolve(touched: [Int32], newFlows: [Int32]) -> FlowUpdate {
        // 1. Re-classify every touched link. One that stays or turns tight seeds a search; one that turns slack leaves
        //    its component, whose remaining parts are reached from its flows.
        let classified = nextGeneration()
        linkSeeds.removeAll(keepingCapacity: true)
        flowSeeds.removeAll(keepingCapacity: true)
        flowSeeds += newFlows
        for l in touched where linkStamp[Int(l)] != classified {
            linkStamp[Int(l)] = classified
            let now = computeTight(Int(l))
            if tight[Int(l)] && !now { flowSeeds += linkFlows.list(Int(l)) }
            tight[Int(l)] = now
            if now { linkSeeds.append(l) }
        }
        // 2. One component search and solve from every seed not yet covered.
        let gen = nextGeneration()
        var changed: [FlowID] = []
        var resolvedFlows = 0
        var components = 0
        for seed in linkSeeds where linkStamp[Int(seed)] != gen {
            solveComponent(from: seed, generation: gen, changed: &changed)
            components += 1
            resolvedFlows += component.flowCount
        }
        for f in flowSeeds where isActive[Int(f)] && flowStamp[Int(f)] != gen {
            let fi = Int(f)
            let base = fi * pathStride
            var seed: Int32 = -1
            for j in 0..<Int(pathLength[fi]) where tight[Int(pathLinks[base + j])] {
                seed = pathLinks[base + j]
                break
            }
            if seed >= 0 {
                solveComponent(from: seed, generation: gen, changed: &changed)
                resolvedFlows += component.flowCount
            } else {
                // No tight link: the flow is a component of its own, at its bound.
                flowStamp[fi] = gen
                settle(f, at: bounds[fi], changed: &changed)
                resolvedFlows += 1
            }
            components += 1
        }
        changed.sort()
        return FlowUpdate(added: [], changed: changed, resolvedFlows: resolvedFlows, resolvedComponents: components)
    }

    /// Gives flow `f` its re-solved rate, keeping the old one (and not reporting it) when they differ by no more
    /// than `changeTolerance`.
    @inline(__always) private mutating func settle(_ f: Int32, at new: Double, changed: inout [FlowID]) {
        let old = rates[Int(f)]
        if old.isNaN || abs(new - old) > FlowNetwork.changeTolerance * max(abs(new), abs(old)) {
            rates[Int(f)] = new
            changed.append(FlowID(Int(f)))
        }
    }

    /// Finds the component of the tight link `seed` (breadth-first over flows and tight links), builds it in flat
    /// form as it goes, and solves it.
    private mutating func solveComponent(from seed: Int32, generation gen: UInt32, changed: inout [FlowID]) {
        component.removeAll()
        linkStamp[Int(seed)] = gen
        linkLocal[Int(seed)] = 0
        component.linkIDs.append(seed)
        component.capacities.append(capacities[Int(seed)])
        // The links found so far double as the queue: local link index = visit order, so each link's flow list is
        // appended in local index order.
        var head = 0
        while head < component.linkCount {
            let l = Int(component.linkIDs[head])
            head += 1
            // A tight link has flows. NOTE: no closure over `self` here: `discover` mutates it.
            visit(linkFlows.first(l), generation: gen)
            if linkFlows.count(l) > 1 { for f in linkFlows.rest(l) { visit(f, generation: gen) } }
            component.linkStart.append(Int32(component.linkFlows.count))
        }
        solver.solve(component, rates: &componentRates)
        for p in 0..<component.flowCount { settle(component.flowIDs[p], at: componentRates[p], changed: &changed) }
    }

    /// Lists flow `f` on the link being visited, adding it to the component first if it is new.
    @inline(__always) private mutating func visit(_ f: Int32, generation gen: UInt32) {
        let fi = Int(f)
        if flowStamp[fi] != gen { discover(fi, generation: gen) }
        component.linkFlows.append(flowLocal[fi])
    }

    /// Adds flow slot `f` to the component being built: its tight links (new ones are queued) and its cap, which
    /// carries the constraints of its slack links.
    @inline(__always) private mutating func discover(_ f: Int, generation gen: UInt32) {
        flowStamp[f] = gen
        flowLocal[f] = Int32(component.flowCount)
        var cap = caps[f]
        let base = f * pathStride
        for j in 0..<Int(pathLength[f]) {
            let m = pathLinks[base + j]
            let mi = Int(m)
            if tight[mi] {
                if linkStamp[mi] != gen {
                    linkStamp[mi] = gen
                    linkLocal[mi] = Int32(component.linkCount)
                    component.linkIDs.append(m)
                    component.capacities.append(capacities[mi])
                }
                component.flowLinks.append(linkLocal[mi])
            } else {
                cap = min(cap, capacities[mi] / Double(multiplicity(of: m, in: f)))
            }
        }
        component.flowIDs.append(Int32(f))
        component.weights.append(weights[f])
        component.caps.append(cap)
        component.flowStart.append(Int32(component.flowLinks.count))
    }
}
