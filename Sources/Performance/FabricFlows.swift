import ClusterModel
import Network
import SimKernel

/// The shared fabric's flows: which belong to which attached job, and their current rates.
///
/// **Isolated jobs** (with `isolatesJobs`, the default) skip the network. A job is isolated when every link of its
/// all-reduce is private to one of its own GPUs (`LinkGraph.privateLinkGPUs`: the GPU↔switch links of a job on one
/// node; also the NIC links where each GPU has its own NIC, so a job over several nodes of one rack) and no flow,
/// network or isolated, crosses any of them: then each of its flows would be lone in the network, at a rate fixed by
/// capacities alone (`IsolatedCollective`). Its time is computed once at its start, without the network and, on one
/// node, without building its plan; it reserves the flow IDs it would have had (`FlowNetwork.reserve`), so every other
/// flow keeps its ID and every sum over a link its order. When a later start puts a flow on one of its links (a job
/// sharing one of its GPUs: that is the only way, the links being private), its flows first enter the network as
/// they would be there (`FlowNetwork.addLone`), and the newcomer joins them as it would have: from then on the job is
/// an ordinary one, and stays one until it stops. Results are the same, bit for bit, with or without isolation; a
/// seeded test compares both on random starts, stops and shared GPUs.
///
/// **Time-sliced groups** share one flow set. Jobs that time-slice the same GPUs (`SharingMode.timeSliced`) take turns:
/// in each slice one of them computes and all-reduces, the others are suspended (Gandiva, Xiao et al., OSDI'18, §4), so
/// at any moment the group puts one job's traffic on its links, not one per member. A job that starts time-slicing
/// exactly the GPUs (same list, same order) of an attached job whose flows are always active (no duty cycle), with
/// the same all-reduce flows (paths and caps; only the bytes differ), is a *rider* of that job, its *carrier*: it adds
/// no flows, and its collective time is its own plan's (its own bytes and latency terms) at the carrier's flow rates.
/// The fluid slice model (`GPUSharingModel`) already gives each member 1/k of the time; adding k sets of flows as
/// well would charge the group's communication twice, once in time and once in bandwidth. When the carrier stops, its
/// flows (IDs, rates, isolation) pass unchanged to its lowest-ID rider, which carries the others: nothing in the network
/// changes. A job that time-slices GPUs it does not share exactly (a partial overlap), or whose flows have a duty
/// cycle, keeps flows of its own (an upper bound on the group's contention).
///
/// NOTE: `FlowThroughput`, a class, holds this struct; calling a non-mutating method on a class's stored struct
/// copies the struct first (a retain and a release of every array of the network, at every job's re-rating). So
/// the methods it calls per event are `mutating` even where they only read.
struct FabricFlows {
    /// The link graph and collective options, behind a reference: reading a `let` of a class needs no copy, where
    /// handing a struct field of `self` to `AllReducePlan` from a mutating method copied the whole interconnect.
    private final class Fabric: Sendable {
        let graph: LinkGraph
        let collectives: CollectiveOptions
        /// Whether each link is private to one GPU (`LinkGraph.privateLinkGPUs`), by `LinkID`.
        let isPrivate: [Bool]
        init(_ model: Interconnect) {
            graph = model.graph
            collectives = model.collectives
            isPrivate = model.graph.privateLinkGPUs().map { $0 >= 0 }
        }

        /// The one phase of `gpus`' all-reduce when they are two or more on one node, their flows' links appended to
        /// `links` (`FlatAllReducePlan.oneNodeRing`); nil otherwise.
        func oneNodeRing(_ gpus: [GPUID], bytes: Double, links: inout [LinkID]) -> FlatCollectivePhase? {
            FlatAllReducePlan.oneNodeRing(gpus: gpus, bytes: bytes, graph: graph, options: collectives, appendingPathsTo: &links)
        }

        /// The all-reduce plan of `bytes` per rank over `gpus`.
        // NOTE: built here, where `graph` is a field of the borrowed `self`: `fabric.graph` handed over from a mutating
        // method of `FabricFlows` was copied (every array of the graph retained and released) at every start.
        func plan(_ gpus: [GPUID], bytes: Double) -> FlatAllReducePlan {
            FlatAllReducePlan(gpus: gpus, bytes: bytes, graph: graph, options: collectives)
        }
    }

    private let fabric: Fabric
    private(set) var flows: FlowNetwork
    private var plans: [FlatAllReducePlan?]
    private var jobFlows: [[FlowID]]
    /// Each job's duty cycle (1: flows always active; see `DutyCycle`), by JobID.
    private var duty: [Double]
    private var flowOwner: [Int32] = []
    /// Buffers `busiestLinks` reuses: every link's load, and the loaded links with their utilization.
    private var sampleLoads: [Double] = []
    private var sampleLinks: [(link: LinkID, utilization: Double)] = []

    /// Whether isolated jobs skip the network (see the type's notes); false: every job's flows go through it.
    let isolatesJobs: Bool
    /// Each isolated job's collective, by JobID (nil: not started, started in the network, or stopped).
    private var isolated: [IsolatedCollective?]
    /// Each isolated job's collective seconds, by JobID (NaN: not isolated): the re-rate hot path reads only this.
    private var isolatedSeconds: [Double]
    /// By `LinkID`: the isolated job whose flow crosses the link (−1: none), and that flow's rate (its load).
    private var linkIsolatedJob: [Int32]
    private var linkIsolatedLoad: [Double]
    /// Jobs isolated since the last re-solve (some may have stopped or joined the network since).
    private var isolatedSinceSolve: [Int32] = []
    /// Buffer for a one-node ring's links.
    private var ringLinks: [LinkID] = []
    /// Each started job's placement, by JobID (empty: not started, or on one GPU): a time-sliced newcomer rides a job
    /// only on exactly its GPUs.
    private var placement: [[GPUID]]
    /// Each started job's bytes per all-reduce, by JobID (a carrier's heir takes over its isolation with its own).
    private var startedBytes: [Double]
    /// Each rider's carrier, by JobID (−1: not a rider; see the type's notes).
    private var carrierOf: [Int32]
    /// Each carrier's riders, ascending, by JobID (empty for every job that carries none).
    private var riders: [[Int32]]

    init(model: Interconnect, jobCount: Int, isolatesJobs: Bool = true) {
        self.fabric = Fabric(model)
        self.flows = FlowNetwork(graph: model.graph)
        self.plans = Array(repeating: nil, count: jobCount)
        self.jobFlows = Array(repeating: [], count: jobCount)
        self.duty = Array(repeating: 1, count: jobCount)
        // The network's lone flows are what isolation stands in for: without them (never, for a graph's network)
        // there is nothing to stand in for.
        self.isolatesJobs = isolatesJobs && flows.tracksLoneFlows
        self.isolated = Array(repeating: nil, count: jobCount)
        self.isolatedSeconds = Array(repeating: .nan, count: jobCount)
        self.linkIsolatedJob = Array(repeating: -1, count: model.graph.linkCount)
        self.linkIsolatedLoad = Array(repeating: 0, count: model.graph.linkCount)
        self.placement = Array(repeating: [], count: jobCount)
        self.startedBytes = Array(repeating: 0, count: jobCount)
        self.carrierOf = Array(repeating: -1, count: jobCount)
        self.riders = Array(repeating: [], count: jobCount)
    }

    /// The carrier whose flows `job` rides (see the type's notes), or nil.
    func carrier(of job: JobID) -> JobID? { carrierOf[job.index] >= 0 ? JobID(Int(carrierOf[job.index])) : nil }

    /// Whether `job` is isolated now: started, its flows out of the network (see the type's notes).
    func isIsolated(_ job: JobID) -> Bool { !isolatedSeconds[job.index].isNaN }

    /// Registers `job`'s all-reduce on `gpus`; returns the other running jobs whose rates changed (none when
    /// `deferResolve`: the re-solve waits for `resolvePending()`).
    /// - Complexity: the size of the connected components the new flows join.
    /// With `burst` (the job's compute seconds per iteration and its overlap), its flows are active only for its
    /// duty cycle (`DutyCycle`): they enter the network with weight d, each capped at d × its solo rate.
    /// `sliceMates`: the other jobs holding `gpus` when the job time-slices them (ascending); the first started one on
    /// exactly these GPUs with matching flows becomes its carrier (see the type's notes).
    mutating func start(
        _ job: JobID, on gpus: [GPUID], bytes: Double, burst: (compute: Double, overlap: OverlapModel)? = nil, deferResolve: Bool = false,
        sliceMates: [JobID] = []
    ) -> [JobID] {
        // One rank has nothing to all-reduce: no plan (its time is that of an empty one), which spares most jobs of a
        // trace building and freeing one at every start.
        guard gpus.count > 1 else { return [] }
        precondition(isolatedSeconds[job.index].isNaN && jobFlows[job.index].isEmpty && carrierOf[job.index] < 0,
                     "\(job) is already started")
        duty[job.index] = 1
        placement[job.index] = gpus
        startedBytes[job.index] = bytes
        if burst == nil && !sliceMates.isEmpty && ride(job, on: gpus, bytes: bytes, sliceMates: sliceMates) { return [] }
        // An always-active ring on one node: isolated without building its plan when its links are free.
        if isolatesJobs && burst == nil {
            var links = ringLinks
            ringLinks = []
            defer { ringLinks = links }
            links.removeAll(keepingCapacity: true)
            if let phase = fabric.oneNodeRing(gpus, bytes: bytes, links: &links), claimIfIsolated(links, for: job) {
                let capacities = fabric.graph.capacities
                // Flow i crosses links 2i and 2i + 1; its rate in the network would be its bound (then / d, d = 1).
                let d = duty[job.index]
                let seconds = FlatAllReducePlan.totalSeconds(of: CollectionOfOne(phase)) { i in
                    IsolatedCollective.loneRate(cap: .infinity, path: links[(2 * i)..<(2 * i + 2)], capacities: capacities) / d
                }
                for i in 0..<(links.count / 2) {
                    let rate = IsolatedCollective.loneRate(cap: .infinity, path: links[(2 * i)..<(2 * i + 2)], capacities: capacities)
                    linkIsolatedLoad[links[2 * i].index] = rate
                    linkIsolatedLoad[links[2 * i + 1].index] = rate
                }
                isolate(job, IsolatedCollective(gpus: gpus, bytes: bytes, plan: nil, weight: 1, caps: nil, awaitingSolve: deferResolve),
                        flowCount: gpus.count, seconds: seconds)
                #if SIM_INTERNAL_CHECKS
                // The plan the network path builds has these links, and gives these seconds.
                let plan = fabric.plan(gpus, bytes: bytes)
                assert(plan.pathLinks == links, "\(job): one-node ring links differ from its plan's")
                let planned = plan.totalSeconds { i in
                    IsolatedCollective.loneRate(cap: .infinity, path: plan.path(i), capacities: capacities) / d
                }
                assert(planned.bitPattern == seconds.bitPattern, "\(job): isolated time \(seconds) ≠ \(planned) from its plan")
                #endif
                return []
            }
        }
        let plan = fabric.plan(gpus, bytes: bytes)
        guard plan.flowCount > 0 else {
            plans[job.index] = plan
            return []
        }
        var weight = 1.0
        var caps: [Double]? = plan.rateCaps.isEmpty ? nil : plan.rateCaps
        if let burst {
            let solo = DutyCycle.soloRates(of: plan, capacities: fabric.graph.capacities, rateCaps: plan.rateCaps)
            let alone = plan.time(rate: { solo[$0] }, bottleneck: { _ in nil }).total
            let d = DutyCycle.share(compute: burst.compute, communication: alone, overlap: burst.overlap)
            duty[job.index] = d
            weight = d
            caps = solo.map { $0 * d }
        }
        if isolatesJobs {
            if claimIfIsolated(plan.pathLinks, for: job) {
                let capacities = fabric.graph.capacities
                let d = duty[job.index]
                var rates: [Double] = []
                rates.reserveCapacity(plan.flowCount)
                for i in 0..<plan.flowCount {
                    let rate = IsolatedCollective.loneRate(cap: caps?[i] ?? .infinity, path: plan.path(i), capacities: capacities)
                    rates.append(rate)
                    for l in plan.path(i) { linkIsolatedLoad[l.index] = rate }
                }
                // The network's time-averaged rate / d, as `collectiveSeconds` reads it.
                let seconds = plan.totalSeconds { rates[$0] / d }
                isolate(job, IsolatedCollective(gpus: gpus, bytes: bytes, plan: plan, weight: weight, caps: caps, awaitingSolve: deferResolve),
                        flowCount: plan.flowCount, seconds: seconds)
                return []
            }
            // Isolated jobs on these links enter the network first, as they would be there, for these flows to join.
            for l in plan.pathLinks where linkIsolatedJob[l.index] >= 0 { join(JobID(Int(linkIsolatedJob[l.index]))) }
        }
        plans[job.index] = plan
        let update = flows.add(pathLinks: plan.pathLinks, pathStart: plan.pathStart, weight: weight, caps: caps,
                               deferResolve: deferResolve)
        jobFlows[job.index] = update.added
        for f in update.added {
            if f.index >= flowOwner.count { flowOwner += Array(repeating: -1, count: f.index - flowOwner.count + 1) }
            flowOwner[f.index] = job.raw
        }
        return Self.owners(of: update.changed, except: job, flowOwner: flowOwner, riders: riders)
    }

    /// Makes `job` a rider of the first of `sliceMates` that can carry it: started on exactly `gpus`, not itself a
    /// rider, flows always active, and an all-reduce with the same flows as `job`'s (paths and caps). Returns false,
    /// changing nothing, when none can.
    private mutating func ride(_ job: JobID, on gpus: [GPUID], bytes: Double, sliceMates: [JobID]) -> Bool {
        for mate in sliceMates {
            let m = mate.index
            guard carrierOf[m] < 0, duty[m] == 1, placement[m] == gpus else { continue }
            let carried: FlatAllReducePlan
            if let collective = isolated[m] {
                carried = collective.plan ?? fabric.plan(gpus, bytes: collective.bytes)
            } else if let plan = plans[m], !jobFlows[m].isEmpty {
                carried = plan
            } else {
                continue
            }
            let plan = fabric.plan(gpus, bytes: bytes)
            guard plan.flowCount > 0, plan.pathLinks == carried.pathLinks, plan.pathStart == carried.pathStart,
                  plan.rateCaps == carried.rateCaps else { continue }
            plans[job.index] = plan
            carrierOf[job.index] = mate.raw
            riders[m].append(job.raw)
            riders[m].sort()
            return true
        }
        return false
    }

    /// Hands carrier `job`'s flows, unchanged, to its lowest-ID rider, which carries the others from now on (the
    /// carrier is stopping). Rates do not change: the flows stay where they are.
    private mutating func passFlows(of job: JobID) {
        let group = riders[job.index]
        riders[job.index] = []
        let heir = Int(group[0])
        carrierOf[heir] = -1
        riders[heir] = Array(group.dropFirst())
        for r in riders[heir] { carrierOf[Int(r)] = Int32(heir) }
        let ids = jobFlows[job.index]
        jobFlows[job.index] = []
        jobFlows[heir] = ids
        for f in ids { flowOwner[f.index] = Int32(heir) }
        plans[job.index] = nil
        if let collective = isolated[job.index] {
            // Still isolated, on the same links, at the same lone rates; only the bytes (so the seconds) are the heir's.
            let plan = plans[heir]!
            isolated[job.index] = nil
            isolatedSeconds[job.index] = .nan
            for l in plan.pathLinks { linkIsolatedJob[l.index] = Int32(heir) }
            isolated[heir] = IsolatedCollective(gpus: collective.gpus, bytes: startedBytes[heir], plan: plan,
                                                weight: collective.weight, caps: collective.caps, awaitingSolve: collective.awaitingSolve)
            isolatedSeconds[heir] = loneSeconds(plan, caps: collective.caps)
            if collective.awaitingSolve { isolatedSinceSolve.append(Int32(heir)) }
        }
    }

    /// The collective seconds of `plan` with every flow alone at its lone rate (caps `caps`), always active: as
    /// `start` computes an isolated job's time, and as the network would give it.
    private func loneSeconds(_ plan: FlatAllReducePlan, caps: [Double]?) -> Double {
        let capacities = fabric.graph.capacities
        return plan.totalSeconds { i in IsolatedCollective.loneRate(cap: caps?[i] ?? .infinity, path: plan.path(i), capacities: capacities) }
    }

    /// Whether a job whose flows cross `links` (flow after flow) is isolated: every link private to a GPU, crossed
    /// by no network flow, no isolated job's flow and no other of its own flows (each would then be lone). If so, the
    /// links are marked as `job`'s; if not, nothing changes.
    private mutating func claimIfIsolated(_ links: [LinkID], for job: JobID) -> Bool {
        let isPrivate = fabric.isPrivate
        for l in links where !isPrivate[l.index] { return false }
        // NOTE: the network is read through a pointer: a non-mutating call on `flows` from this mutating method copied
        // the whole network (see `collectiveTime`).
        let empty = withUnsafeMutablePointer(to: &flows) { net in links.allSatisfy { net.pointee.flowCount(on: $0) == 0 } }
        guard empty else { return false }
        var claimed = 0
        for l in links {
            guard linkIsolatedJob[l.index] < 0 else { break }
            linkIsolatedJob[l.index] = job.raw
            claimed += 1
        }
        guard claimed < links.count else { return true }
        // A link taken twice by the job itself was marked on its first appearance: only the links before the one that
        // failed are unmarked, and those are all this job's marks.
        for l in links[..<claimed] { linkIsolatedJob[l.index] = -1 }
        return false
    }

    /// Records `job` as isolated (its links already claimed): reserves the flow IDs its flows would have had.
    private mutating func isolate(_ job: JobID, _ collective: IsolatedCollective, flowCount: Int, seconds: Double) {
        var ids: [FlowID] = []
        ids.reserveCapacity(flowCount)
        flows.reserve(flowCount, into: &ids)
        for f in ids {
            if f.index >= flowOwner.count { flowOwner += Array(repeating: -1, count: f.index - flowOwner.count + 1) }
            flowOwner[f.index] = job.raw
        }
        jobFlows[job.index] = ids
        isolated[job.index] = collective
        isolatedSeconds[job.index] = seconds
        if collective.awaitingSolve { isolatedSinceSolve.append(job.raw) }
    }

    /// Moves isolated `job`'s flows into the network, into the IDs reserved for them, in the state they would have
    /// there (`FlowNetwork.addLone`): a flow is about to join one of its links.
    private mutating func join(_ job: JobID) {
        guard let collective = isolated[job.index] else { return }
        isolated[job.index] = nil
        isolatedSeconds[job.index] = .nan
        let plan = collective.plan ?? fabric.plan(collective.gpus, bytes: collective.bytes)
        for l in plan.pathLinks { linkIsolatedJob[l.index] = -1 }
        flows.addLone(into: jobFlows[job.index], pathLinks: plan.pathLinks, pathStart: plan.pathStart,
                      weight: collective.weight, caps: collective.caps, settled: !collective.awaitingSolve)
        plans[job.index] = plan
        #if SIM_INTERNAL_CHECKS
        if !collective.awaitingSolve {
            for (i, f) in jobFlows[job.index].enumerated() {
                for l in plan.path(i) {
                    assert(flows.rate(of: f).bitPattern == linkIsolatedLoad[l.index].bitPattern, "\(job): \(f) joined at another rate")
                }
            }
        }
        #endif
    }

    /// Removes `job`'s flows; returns the running jobs whose rates changed (none when `deferResolve`).
    mutating func stop(_ job: JobID, deferResolve: Bool = false) -> [JobID] {
        placement[job.index] = []
        if carrierOf[job.index] >= 0 {
            // A rider has no flows: leaving its group changes no rate.
            let c = Int(carrierOf[job.index])
            carrierOf[job.index] = -1
            riders[c].removeAll { $0 == job.raw }
            plans[job.index] = nil
            return []
        }
        if !riders[job.index].isEmpty {
            passFlows(of: job)
            return []
        }
        plans[job.index] = nil
        let ids = jobFlows[job.index]
        jobFlows[job.index] = []
        guard !ids.isEmpty else { return [] }
        for f in ids { flowOwner[f.index] = -1 }
        if let collective = isolated[job.index] {
            // Its flows were lone: in the network their removal would change no other rate.
            isolated[job.index] = nil
            isolatedSeconds[job.index] = .nan
            if let plan = collective.plan {
                for l in plan.pathLinks { linkIsolatedJob[l.index] = -1 }
            } else {
                // The one-node ring crosses each of its GPUs' up and down links.
                for g in collective.gpus {
                    linkIsolatedJob[fabric.graph.gpuUpLink[g.index].index] = -1
                    linkIsolatedJob[fabric.graph.gpuDownLink[g.index].index] = -1
                }
            }
            flows.release(ids)
            return []
        }
        // NOTE: the removal is its own statement: as an argument of `owners` (a method on self) it would run while
        // a copy of self is held, and copy every flow array of the fabric.
        let update = flows.remove(ids, deferResolve: deferResolve)
        return Self.owners(of: update.changed, except: job, flowOwner: flowOwner, riders: riders)
    }

    /// Re-solves what deferred starts and stops touched; returns the attached jobs whose rates changed, ascending.
    mutating func resolvePending() -> [JobID] {
        let update = flows.resolvePending()
        // Jobs isolated since the last re-solve are reported as their new flows would be; those that joined the
        // network since are among the network's changes, those that stopped are not reported.
        var isolatedNow: [Int32] = []
        for j in isolatedSinceSolve where isolated[Int(j)]?.awaitingSolve == true {
            isolated[Int(j)]!.awaitingSolve = false
            isolatedNow.append(j)
        }
        isolatedSinceSolve.removeAll(keepingCapacity: true)
        return Self.owners(of: update.changed, except: JobID(-1), flowOwner: flowOwner, riders: riders, and: isolatedNow)
    }

    /// The all-reduce time of a running job at the current rates.
    mutating func collectiveTime(of job: JobID) -> CollectiveTime {
        if carrierOf[job.index] >= 0 { return riderTime(job) }
        if let collective = isolated[job.index] { return isolatedTime(collective, d: duty[job.index]) }
        guard let plan = plans[job.index] else { return CollectiveTime(phases: []) }
        let ids = jobFlows[job.index]
        // The network holds time-averaged rates (d × the rate while active, see `DutyCycle`); d is 1 without bursts.
        let d = duty[job.index]
        // NOTE: the network is read through a pointer: a non-mutating call on `flows` from this mutating method
        // copied the whole network (a retain and a release of each of its arrays) per phase of every re-rated job.
        return withUnsafeMutablePointer(to: &flows) { net in
            plan.time(rate: { net.pointee.rate(of: ids[$0]) / d }, bottleneck: { net.pointee.bottleneck(of: ids[$0]) })
        }
    }

    /// The `collectiveTime(of:)` of an isolated job: rates and bottlenecks as the network would give its lone flows.
    private func isolatedTime(_ collective: IsolatedCollective, d: Double) -> CollectiveTime {
        let plan = collective.plan ?? fabric.plan(collective.gpus, bytes: collective.bytes)
        let capacities = fabric.graph.capacities
        func rate(_ i: Int) -> Double {
            IsolatedCollective.loneRate(cap: collective.caps?[i] ?? .infinity, path: plan.path(i), capacities: capacities)
        }
        // `FlowNetwork.bottleneck`: the lowest link of the path that the flow, alone on it, fills (to within 1e-9).
        return plan.time(rate: { rate($0) / d }, bottleneck: { i in
            let r = rate(i)
            return plan.path(i).sorted().first { r >= capacities[$0.index] * (1 - 1e-9) }
        })
    }

    /// `collectiveTime(of:)` of a rider: its own plan (its bytes) at its carrier's rates (see the type's notes).
    private mutating func riderTime(_ job: JobID) -> CollectiveTime {
        let c = Int(carrierOf[job.index])
        let plan = plans[job.index]!
        if let collective = isolated[c] {
            // The carrier's flows are lone, on the rider's paths: the rider's own plan with the carrier's caps.
            return isolatedTime(IsolatedCollective(gpus: collective.gpus, bytes: startedBytes[job.index], plan: plan,
                                                   weight: collective.weight, caps: collective.caps, awaitingSolve: false), d: 1)
        }
        let ids = jobFlows[c]
        return withUnsafeMutablePointer(to: &flows) { net in
            plan.time(rate: { net.pointee.rate(of: ids[$0]) }, bottleneck: { net.pointee.bottleneck(of: ids[$0]) })
        }
    }

    /// `collectiveTime(of:).total` without the per-phase breakdown (the re-rate hot path).
    mutating func collectiveSeconds(of job: JobID) -> Double {
        let isolatedSeconds = isolatedSeconds[job.index]
        if !isolatedSeconds.isNaN { return isolatedSeconds }
        if carrierOf[job.index] >= 0 {
            // A rider: its own plan at its carrier's rates (the carrier's flows are always active, d = 1).
            let c = Int(carrierOf[job.index])
            let plan = plans[job.index]!
            if let collective = isolated[c] { return loneSeconds(plan, caps: collective.caps) }
            let ids = jobFlows[c]
            return withUnsafeMutablePointer(to: &flows) { net in plan.totalSeconds(rate: { net.pointee.rate(of: ids[$0]) }) }
        }
        guard let plan = plans[job.index] else { return 0 }
        let ids = jobFlows[job.index]
        // Time-averaged rates / d = the rate while active (see `collectiveTime`); d is 1 without bursts.
        let d = duty[job.index]
        return withUnsafeMutablePointer(to: &flows) { net in plan.totalSeconds(rate: { net.pointee.rate(of: ids[$0]) / d }) }
    }

    /// The all-reduce time of `gpus` if the job ran alone on the fabric (its reference speed).
    mutating func uncontendedTime(on gpus: [GPUID], bytes: Double) -> CollectiveTime {
        AllReducePlan(gpus: gpus, bytes: bytes, graph: fabric.graph, options: fabric.collectives)
            .uncontendedTime(on: fabric.graph)
    }

    /// The duty cycle of `job`'s flows (1 when always active or not started).
    func dutyCycle(of job: JobID) -> Double { duty[job.index] }

    /// The `count` most utilised links (time-averaged load / capacity), busiest first, ties by link ID; links without load left out.
    mutating func busiestLinks(_ count: Int) -> [(link: LinkID, utilization: Double)] {
        // One pass over the network for every link's load (the same sums as `load(on:)`), read through a pointer:
        // a call per link on `flows` from this mutating method copied the whole network per link. Both buffers are
        // kept across samples: built afresh they were large enough (a few thousand links) for the allocator to map new
        // pages at every sample, and the page faults cost more than the sums.
        var loads = sampleLoads
        var all = sampleLinks
        sampleLoads = []
        sampleLinks = []
        defer {
            sampleLoads = loads
            sampleLinks = all
        }
        let capacities = withUnsafeMutablePointer(to: &flows) { net in
            net.pointee.loads(into: &loads)
            return net.pointee.capacities
        }
        // The `count` busiest are kept in order as the links are visited (a sort of every loaded link per sample
        // showed in profiles of long flow-model runs; `count` is small). Links come in ascending ID order, so a link
        // enters only when strictly busier than the last kept one: on a tie the kept one, of lower ID, comes first.
        all.removeAll(keepingCapacity: true)
        guard count > 0 else { return [] }
        for l in 0..<capacities.count where capacities[l] > 0 {
            // An isolated job's flow is alone on its links: the network would sum 0 + its rate there, which is what
            // this adds to the network's 0.
            if linkIsolatedJob[l] >= 0 { loads[l] += linkIsolatedLoad[l] }
            let u = loads[l] / capacities[l]
            guard u > 0, all.count < count || u > all[all.count - 1].utilization else { continue }
            var at = all.count
            while at > 0 && all[at - 1].utilization < u { at -= 1 }
            if all.count == count { all.removeLast() }
            all.insert((LinkID(l), u), at: min(at, all.count))
        }
        #if SIM_INTERNAL_CHECKS
        var every: [(link: LinkID, utilization: Double)] = []
        for l in 0..<capacities.count where capacities[l] > 0 && loads[l] / capacities[l] > 0 {
            every.append((LinkID(l), loads[l] / capacities[l]))
        }
        every.sort { $0.utilization != $1.utilization ? $0.utilization > $1.utilization : $0.link < $1.link }
        assert(every.prefix(count).map(\.link) == all.map(\.link), "the busiest links differ from a full sort's")
        #endif
        return all
    }

    // NOTE: static, given the owner table: as a method, called from the mutating ones, it got a bitwise copy of the
    // whole struct (384 bytes) at every start, stop and re-solve.
    // Riders of a listed job are listed too: their time follows their carrier's rates.
    private static func owners(
        of changed: [FlowID], except job: JobID, flowOwner: [Int32], riders: [[Int32]], and more: [Int32] = []
    ) -> [JobID] {
        var owners = more
        // A job's flows take neighbouring IDs, so runs of one owner are common: each run enters once (the sort and the
        // de-duplication below give the same list with or without the repeats, on a third of the entries).
        for f in changed where flowOwner[f.index] >= 0 && flowOwner[f.index] != job.raw && owners.last != flowOwner[f.index] {
            owners.append(flowOwner[f.index])
        }
        for o in owners.indices where !riders[Int(owners[o])].isEmpty {
            for r in riders[Int(owners[o])] where r != job.raw { owners.append(r) }
        }
        owners.sort()
        var out: [JobID] = []
        for o in owners where out.last?.raw != o { out.append(JobID(Int(o))) }
        return out
    }
}
