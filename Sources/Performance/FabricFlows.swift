import ClusterModel
import Network
import SimKernel

/// The shared fabric's flows: which belong to which attached job, and their current rates.
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
        init(_ model: Interconnect) {
            graph = model.graph
            collectives = model.collectives
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

    init(model: Interconnect, jobCount: Int) {
        self.fabric = Fabric(model)
        self.flows = FlowNetwork(graph: model.graph)
        self.plans = Array(repeating: nil, count: jobCount)
        self.jobFlows = Array(repeating: [], count: jobCount)
        self.duty = Array(repeating: 1, count: jobCount)
    }

    /// Registers `job`'s all-reduce on `gpus`; returns the other running jobs whose rates changed (none when
    /// `deferResolve`: the re-solve waits for `resolvePending()`).
    /// - Complexity: the size of the connected components the new flows join.
    /// With `burst` (the job's compute seconds per iteration and its overlap γ), its flows are active only for its
    /// duty cycle (`DutyCycle`): they enter the network with weight d, each capped at d × its solo rate.
    mutating func start(
        _ job: JobID, on gpus: [GPUID], bytes: Double, burst: (compute: Double, gamma: Double)? = nil, deferResolve: Bool = false
    ) -> [JobID] {
        // One rank has nothing to all-reduce: no plan (its time is that of an empty one), which spares most jobs of a
        // trace building and freeing one at every start.
        guard gpus.count > 1 else { return [] }
        let plan = fabric.plan(gpus, bytes: bytes)
        plans[job.index] = plan
        duty[job.index] = 1
        guard plan.flowCount > 0 else { return [] }
        let update: FlowUpdate
        if let burst {
            let solo = DutyCycle.soloRates(of: plan, capacities: fabric.graph.capacities, rateCaps: plan.rateCaps)
            let alone = plan.time(rate: { solo[$0] }, bottleneck: { _ in nil }).total
            let d = DutyCycle.share(compute: burst.compute, communication: alone, gamma: burst.gamma)
            duty[job.index] = d
            update = flows.add(pathLinks: plan.pathLinks, pathStart: plan.pathStart, weight: d, caps: solo.map { $0 * d },
                               deferResolve: deferResolve)
        } else {
            update = flows.add(
                pathLinks: plan.pathLinks, pathStart: plan.pathStart, rateCaps: plan.rateCaps, deferResolve: deferResolve)
        }
        jobFlows[job.index] = update.added
        for f in update.added {
            if f.index >= flowOwner.count { flowOwner += Array(repeating: -1, count: f.index - flowOwner.count + 1) }
            flowOwner[f.index] = job.raw
        }
        return Self.owners(of: update.changed, except: job, flowOwner: flowOwner)
    }

    /// Removes `job`'s flows; returns the running jobs whose rates changed (none when `deferResolve`).
    mutating func stop(_ job: JobID, deferResolve: Bool = false) -> [JobID] {
        plans[job.index] = nil
        let ids = jobFlows[job.index]
        jobFlows[job.index] = []
        guard !ids.isEmpty else { return [] }
        for f in ids { flowOwner[f.index] = -1 }
        // NOTE: the removal is its own statement: as an argument of `owners` (a method on self) it would run while
        // a copy of self is held, and copy every flow array of the fabric.
        let update = flows.remove(ids, deferResolve: deferResolve)
        return Self.owners(of: update.changed, except: job, flowOwner: flowOwner)
    }

    /// Re-solves what deferred starts and stops touched; returns the attached jobs whose rates changed, ascending.
    mutating func resolvePending() -> [JobID] {
        let update = flows.resolvePending()
        return Self.owners(of: update.changed, except: JobID(-1), flowOwner: flowOwner)
    }

    /// The all-reduce time of a running job at the current rates.
    mutating func collectiveTime(of job: JobID) -> CollectiveTime {
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

    /// `collectiveTime(of:).total` without the per-phase breakdown (the re-rate hot path).
    mutating func collectiveSeconds(of job: JobID) -> Double {
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
        all.removeAll(keepingCapacity: true)
        for l in 0..<capacities.count where capacities[l] > 0 {
            let u = loads[l] / capacities[l]
            if u > 0 { all.append((LinkID(l), u)) }
        }
        all.sort { $0.utilization != $1.utilization ? $0.utilization > $1.utilization : $0.link < $1.link }
        return Array(all.prefix(count))
    }

    // NOTE: static, given the owner table: as a method, called from the mutating ones, it got a bitwise copy of the
    // whole struct (384 bytes) at every start, stop and re-solve.
    private static func owners(of changed: [FlowID], except job: JobID, flowOwner: [Int32]) -> [JobID] {
        var owners: [Int32] = []
        // A job's flows take neighbouring IDs, so runs of one owner are common: each run enters once (the sort and the
        // de-duplication below give the same list with or without the repeats, on a third of the entries).
        for f in changed where flowOwner[f.index] >= 0 && flowOwner[f.index] != job.raw && owners.last != flowOwner[f.index] {
            owners.append(flowOwner[f.index])
        }
        owners.sort()
        var out: [JobID] = []
        for o in owners where out.last?.raw != o { out.append(JobID(Int(o))) }
        return out
    }
}
