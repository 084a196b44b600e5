import ClusterModel
import Performance
import SimKernel
import Workload

/// Gandiva (Xiao et al., "Gandiva: Introspective Cluster Scheduling for Deep Learning", OSDI 2018): instead of
/// making jobs wait for exclusive GPUs, share GPUs when the cluster is oversubscribed (packing jobs that run well
/// together, time-slicing the rest) and migrate jobs to undo sharing and fragmentation when GPUs free up.
///
/// Variant implemented, and the choices the paper leaves open:
/// - **Order**: waiting jobs in submission order; a job that cannot be placed is skipped, not blocking the ones
///   behind it (Gandiva time-slices rather than queueing behind the head).
/// - **1. Exclusive start**: a waiting job that fits in free GPUs starts on them (the run's placement strategy).
/// - **2. Packing** (`packing`): otherwise it may join a running job with the same GPU count (Gandiva's affinity
///   rule: jobs share only with jobs of their own size, so GPU sets line up) that holds its GPUs alone, on exactly
///   that job's GPUs, in `packed` mode, when their memory fits together and the pair's combined normalized speed,
///   f(new | host) + f(host | new) from the run's co-location table (`GPUSharingModel`), is at least
///   1 + `min_packing_gain`. Gandiva measures that gain by introspection after packing and unpacks losers; with
///   the table known up front, SchedLab only makes the packings introspection would keep. The best-gaining host
///   wins, ties to the lowest JobID.
/// - **3. Time-slicing** (`time_slicing`): otherwise it joins, in `time-sliced` mode, the running same-size job
///   whose GPUs hold the fewest jobs (under the run's `sharing.max_jobs_per_gpu`), ties to the lowest JobID.
///   Suspend/resume round-robin within the group is the engine's fluid time-slice model: each of k jobs runs at
///   1/k speed less the switch overhead per slice (see `GPUSharingModel`).
/// - **4. Migration** (`migration`, at most `max_migrations_per_round` per round), with GPUs still free after
///   steps 1–3: (a) de-sharing: a job that is a guest on a shared GPU moves to free GPUs of its own (lowest JobID
///   first); (b) consolidation: a running job spread over several nodes moves onto one node that has enough free
///   GPUs (lowest JobID first). Each move is a `migrate` decision, charged by the run's `checkpoint:` costs.
/// - Jobs in a timed transition are neither hosts nor migrated. No preemption: a shared job keeps its share until
///   it finishes or migrates (Gandiva's grow-shrink is elasticity, left to the elastic policies).
/// - No timer: the fluid slice model needs no wake-ups; rounds run at arrivals, completions and transition ends.
/// - Complexity: O(Q + R) per round for Q waiting and R running jobs plus placements; the walk of the queue stops as
///   soon as no GPU is free and no host can take another job, and never reaches the jobs of a shape (GPU count, types)
///   that already failed in the round (free GPUs and hosts' room only shrink within it): it merges the engine's
///   per-shape lists of waiting jobs (`ClusterSnapshot.queuedShapes`) of the shapes still within reach. Hosts, guests and jobs spread over
///   nodes are indexes kept between rounds (`RunningJobChanges`), searched only when they could serve a waiting job.
public struct GandivaPolicy: SchedulingPolicy {
    public static let name = "gandiva"

    /// Scenario parameters of `gandiva`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Pack waiting jobs onto running ones when the pair gains.
        public var packing = true
        /// Smallest gain of a packed pair's combined normalized speed over 1.
        public var minPackingGain = 0.1
        /// Time-slice waiting jobs onto running ones when they cannot start or pack.
        public var timeSlicing = true
        /// Migrate to undo sharing and consolidate spread jobs when GPUs are free.
        public var migration = true
        /// Most migrations per round.
        public var maxMigrationsPerRound = 4

        static let documentation = [
            "packing: pack waiting jobs onto same-size running jobs when the pair's combined speed gains (true)",
            "min_packing_gain: least gain of a packed pair's combined normalized speed over 1, 0 to 1 (0.1)",
            "time_slicing: time-slice waiting jobs onto same-size running jobs when they cannot start or pack (true)",
            "migration: migrate guests of shared GPUs and jobs spread over nodes onto free GPUs (true)",
            "max_migrations_per_round: most migrations in one round, 0 to 1000 (4)",
        ]

        /// Default parameters.
        public init(packing: Bool = true, minPackingGain: Double = 0.1, timeSlicing: Bool = true, migration: Bool = true,
                    maxMigrationsPerRound: Int = 4) {
            self.packing = packing
            self.minPackingGain = minPackingGain
            self.timeSlicing = timeSlicing
            self.migration = migration
            self.maxMigrationsPerRound = maxMigrationsPerRound
        }

        private enum CodingKeys: String, CodingKey {
            case packing, min_packing_gain, time_slicing, migration, max_migrations_per_round
        }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["packing", "min_packing_gain", "time_slicing", "migration", "max_migrations_per_round"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            packing = try c.decodeIfPresent(Bool.self, forKey: .packing) ?? true
            minPackingGain = try c.decodeIfPresent(Double.self, forKey: .min_packing_gain) ?? 0.1
            guard minPackingGain.isFinite && (0...1).contains(minPackingGain) else {
                throw c.invalid(.min_packing_gain, "expected a gain in 0...1, got \(minPackingGain)")
            }
            timeSlicing = try c.decodeIfPresent(Bool.self, forKey: .time_slicing) ?? true
            migration = try c.decodeIfPresent(Bool.self, forKey: .migration) ?? true
            maxMigrationsPerRound = try c.decodeIfPresent(Int.self, forKey: .max_migrations_per_round) ?? 4
            guard (0...1000).contains(maxMigrationsPerRound) else {
                throw c.invalid(.max_migrations_per_round, "expected an integer in 0...1000, got \(maxMigrationsPerRound)")
            }
        }
    }

    /// The parameters in force.
    public let parameters: Parameters
    /// Tries every waiting job and guest in full, without the shortcuts that pass over those out of reach (unreachable
    /// shapes, sizes no host can have, guests bigger than the free GPUs): the plain reading of the rules, which tests
    /// run against the default to check that the shortcuts change no decision.
    var triesEveryJob = false

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    // Lists of running jobs kept between rounds, each refreshed from what changed since (`RunningJobChanges`).
    /// The hosts the last search found, as its keys (JobID << 32 | GPU count << 8 | holders), ascending.
    private var lastHostKeys: [UInt64] = []
    /// What changed since the last host search.
    private var hostChanges = RunningJobChanges()
    /// Running jobs that are guests on their first GPU (not its owner), ascending.
    private var guestJobs: [Int32] = []
    /// Running jobs on two or more GPUs over more than one node, ascending.
    private var spreadJobs: [Int32] = []
    /// What changed since the migration step's lists were last refreshed.
    private var migrationChanges = RunningJobChanges()

    /// Each job's zoo model index (−1: none), by JobID, filled at the first call.
    private var modelOf: [Int32] = []
    /// The next job of each shape's waiting list the round's walk of the queue has not taken (storage kept between
    /// rounds).
    private var nextOfShape: [Int] = []

    /// Where each GPU count's hosts began in the last host search's list (`hostStart` as that search left it: the hosts of
    /// n GPUs it found are `hostsAtLastSearch[n + 1] - hostsAtLastSearch[n]`; past the end: none), and whether there was one.
    /// A copy of `hostStart`, not a count per size: counts were an append per size up to the largest host, per search.
    private var hostsAtLastSearch: [Int] = []
    private var searchedHosts = false

    /// This round's hosts by GPU count, then JobID: those of n GPUs are `hostList[hostStart[n] ..< hostStart[n + 1]]`.
    /// Kept between rounds only for their storage (a round builds them afresh before reading them).
    private var hostList: [Host] = []
    private var hostStart: [Int] = []

    /// A running job that waiting jobs of its size may join (its GPUs are `s.jobs[id.index].gpus`).
    private struct Host {
        var id: JobID
        /// Jobs on its GPUs now (in the plan).
        var holders: Int
    }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        var decisions: [SchedulingDecision] = []
        let limit = s.cluster.maxJobsPerGPU
        let sharing = (parameters.packing || parameters.timeSlicing) && limit > 1
        // Hosts by GPU count, in JobID order (`hostList`, `hostStart`): running jobs whose GPUs all hold the same jobs
        // and have room, one per such group (the owner of its first GPU). Built only once a waiting job fails to start
        // exclusively (most rounds of an idle or a saturated cluster end before). One flat list over buckets by count, not a dictionary or an array per count:
        // it is rebuilt every such round, and hashing a count per waiting job, then allocating a list per count,
        // showed in profiles of the ITP replay.
        var hostCount = 0
        var hostsBuilt = !sharing
        // The holders of every GPU changed since the last round may have become, or stopped being, hosts, guests or
        // jobs spread over nodes.
        hostChanges.note(s)
        migrationChanges.note(s)
        func buildHosts() {
            hostsBuilt = true
            // Hosts found sorted by JobID as plain integers (a closure sort of records showed in profiles: this runs at
            // nearly every round of an overloaded cluster). Each is packed as JobID << 32 | GPU count << 8 | holders,
            // so the sort orders by JobID (unique) and the lists are built without reading the jobs again.
            var found: [UInt64] = []
            var largest = 0
            var fullScan = false
            var carried = 0  // with the change list: the keys carried over, ascending, followed by those rechecked, ascending
            // NOTE: the per-GPU arrays are read through buffers taken once (`holderCount(of:)` and `sharing(of:)` per
            // GPU of every running job re-checked bounds at each read); a GPU counts as `holderCount(of:)` does (up:
            // 1 + guests, with sharing on, as it is here) and as not packed as `sharing(of:) != .packed` does.
            let packed = SharingMode.packed.rawValue
            s.jobs.withUnsafeBufferPointer { jobs in
            s.states.withUnsafeBufferPointer { states in
            s.cluster.owner.withUnsafeBufferPointer { owner in
            s.cluster.guestCount.withUnsafeBufferPointer { guests in
            s.cluster.sharingMode.withUnsafeBufferPointer { mode in
                @inline(__always) func holders(_ g: GPUID) -> Int {
                    let o = owner[g.index]
                    return o >= 0 && o != ClusterState.downOwner ? 1 + Int(guests[g.index]) : 0
                }
                /// Adds running job `id` to `found` if it is a host.
                @inline(__always) func consider(_ id: JobID) {
                    let gpus = jobs[id.index].gpus
                    guard let first = gpus.first else { return }
                    let n = holders(first)
                    // One host per group of GPUs: its first GPU's owner. Listing every member of a time-sliced group let
                    // two of them take a newcomer each in one round past the per-GPU limit.
                    guard n < limit, owner[first.index] == id.raw else { return }
                    for g in gpus where holders(g) != n || mode[g.index] == packed { return }
                    guard Self.sameHolders(gpus, s.cluster) else { return }
                    found.append(UInt64(UInt32(bitPattern: id.raw)) << 32 | UInt64(gpus.count) << 8 | UInt64(n))
                    largest = max(largest, gpus.count)
                }
                let tracking = hostChanges.isTracking
                let recheck = hostChanges.beginRefresh()
                // One allocation, not a doubling series, for the list this runs at nearly every round to build.
                found.reserveCapacity(tracking ? lastHostKeys.count + recheck.count : s.running.count)
                if tracking {
                    // A host none of whose GPUs changed keeps its key (GPU count, holders) while it runs.
                    hostChanges.carryOver(lastHostKeys, job: { Int32(truncatingIfNeeded: $0 >> 32) }, recheck: recheck, states: states) { key in
                        found.append(key)
                        largest = max(largest, Int((key >> 8) & 0xFF_FFFF))
                    }
                    carried = found.count
                    for j in recheck where hostChanges.observe(j, states[Int(j)]) { consider(JobID(Int(j))) }
                } else {
                    for id in s.running { consider(id) }
                }
                fullScan = !tracking
            }}}}}
            if fullScan { found.sort() } else { found.mergeAscendingRuns(at: carried) }
            #if SIM_INTERNAL_CHECKS
            assert(found == Self.hostKeys(s, limit: limit), "the host index lost track of the cluster")
            #endif
            lastHostKeys = found
            hostChanges.finishRefresh(s, fullScan: fullScan)
            // A counting sort by GPU count, stable, so each bucket stays in JobID order. Through buffers: element by
            // element, each write checked the array's uniqueness.
            @inline(__always) func count(_ key: UInt64) -> Int { Int((key >> 8) & 0xFF_FFFF) }
            hostStart.removeAll(keepingCapacity: true)
            hostStart.append(contentsOf: repeatElement(0, count: largest + 2))
            hostList.removeAll(keepingCapacity: true)
            hostList.append(contentsOf: repeatElement(Host(id: JobID(0), holders: 0), count: found.count))
            hostStart.withUnsafeMutableBufferPointer { start in
            hostList.withUnsafeMutableBufferPointer { list in
                for key in found { start[count(key) + 1] += 1 }
                for n in 1..<start.count { start[n] += start[n - 1] }
                // start[c] is now bucket c's first slot; used as its cursor, it ends at bucket c's end, which is
                // bucket c + 1's first slot: shifted up by one afterwards, it is the bucket's start again.
                for key in found {
                    list[start[count(key)]] = Host(id: JobID(Int(UInt32(truncatingIfNeeded: key >> 32))), holders: Int(key & 0xFF))
                    start[count(key)] += 1
                }
                for n in stride(from: start.count - 1, to: 0, by: -1) { start[n] = start[n - 1] }
                start[0] = 0
            }}
            hostCount = found.count
            hostsAtLastSearch = hostStart
            searchedHosts = true
        }
        // Whether a search could find a host of `size` GPUs. None can when the last search found none of that size and
        // no job of that size is among those to look at again (`hostChanges`): a job becomes a host, or stays one, only
        // through a change of its GPUs' holders, which lists it there (see `RunningJobChanges`). Under overload most
        // rounds end with big jobs waiting that no running job matches, and a search per round only to learn that
        // was most of the policy's time on the ITP replay.
        var pendingSizes: [Int32]? = nil
        func mayFindHost(of size: Int) -> Bool {
            guard searchedHosts && hostChanges.isTracking && !triesEveryJob else { return true }
            if size + 1 < hostsAtLastSearch.count && hostsAtLastSearch[size + 1] > hostsAtLastSearch[size] { return true }
            if pendingSizes == nil {
                var sizes: [Int32] = []
                hostChanges.forEachPending { sizes.append(s.shapes[Int($0)].gpuCount) }
                sizes.sortAndRemoveDuplicates()
                pendingSizes = sizes
            }
            let sizes = pendingSizes!
            let i = sizes.lowerBound(of: Int32(clamping: size))
            return i < sizes.count && sizes[i] == Int32(clamping: size)
        }
        // Steps 1–3: start, pack or time-slice each waiting job, in submission order.
        // Shapes (GPU count, types) no later waiting job can start, pack or time-slice with in this round: exclusive
        // starts need more GPUs of its types than are free, and no host can take it. Within a round free GPUs and the
        // hosts' room only shrink (migrations come after), so such a shape stays out of reach, and the jobs of that
        // shape behind it cannot do better. The queue is therefore walked shape by shape: the engine lists the waiting
        // jobs of each shape in queue order (`ClusterSnapshot.queuedShapes`), and the walk merges the lists of the shapes
        // still within reach (`live`), taking the one whose next job comes first; a shape out of reach leaves the merge.
        // Under overload most of the queue is of such shapes, and trying each of their jobs' placement and hosts, then
        // reading each one's shape only to pass over it, was most of the policy's time on the ITP replay.
        if modelOf.count != s.jobs.count { modelOf = s.jobs.map { Int32(clamping: $0.spec.model ?? -1) } }
        // The plain reading (`triesEveryJob`) walks the queue itself, as one list, and marks no shape.
        let lists = triesEveryJob ? [s.queue] : s.queuedShapes.members
        nextOfShape.removeAll(keepingCapacity: true)
        nextOfShape.append(contentsOf: repeatElement(0, count: lists.count))
        var live: [Int] = []
        for k in lists.indices where !lists[k].isEmpty { live.append(k) }
        /// Takes shape `k` out of the walk for the rest of the round.
        func markUnreachable(_ k: Int) {
            if let i = live.firstIndex(of: k) { live.remove(at: i) }
        }
        let markable = !triesEveryJob
        while !live.isEmpty {
            if planner.cluster.freeGPUs == 0 && hostsBuilt && hostCount == 0 { break }
            // The live shape whose next job is first in the queue (which is in JobID order).
            var pick = 0
            for i in live.indices.dropFirst() where lists[live[i]][nextOfShape[live[i]]] < lists[live[pick]][nextOfShape[live[pick]]] {
                pick = i
            }
            let k = live[pick]
            let id = lists[k][nextOfShape[k]]
            nextOfShape[k] += 1
            if nextOfShape[k] == lists[k].count { live.remove(at: pick) }
            assert(s.states[id.index].isWaiting, "\(id) is in the queue but \(s.states[id.index])")
            let shape = s.shapes[id.index]
            let size = Int(shape.gpuCount), types = shape.eligibleTypes
            if let gpus = planner.place(id, count: size, types: types) {
                decisions.append(.start(id, gpus: gpus))
                continue
            }
            // Only a shortage of free GPUs is taken as lasting: the check placement itself makes first.
            let cannotStart = planner.freeGPUs(in: types) < size
            guard sharing else {
                if cannotStart && markable { markUnreachable(k) }
                continue
            }
            if !hostsBuilt {
                guard mayFindHost(of: size) else {
                    if cannotStart && markable { markUnreachable(k) }
                    continue
                }
                buildHosts()
            }
            // The size first: most waiting jobs of an overloaded cluster find no host of their size, and need no copy of
            // their status.
            guard size + 1 < hostStart.count, hostStart[size] < hostStart[size + 1] else {
                if cannotStart && markable { markUnreachable(k) }
                continue
            }
            let job = s[id]
            if let (k, mode) = chooseHost(for: job, in: hostList[hostStart[size] ..< hostStart[size + 1]], s) {
                let gpus = s.jobs[hostList[k].id.index].gpus
                planner.share(gpus, for: id, mode: mode)
                decisions.append(.share(id, gpus: gpus, mode: mode))
                // In place: a copy of the group per share was most of this loop's time under overload.
                hostList[k].holders += 1
                if hostList[k].holders >= limit || mode == .packed {
                    hostList.remove(at: k)
                    hostStart.withUnsafeMutableBufferPointer { start in
                        for n in (size + 1)..<start.count { start[n] -= 1 }
                    }
                    hostCount -= 1
                }
            } else if cannotStart && markable && parameters.timeSlicing {
                // With time-slicing on, no host means none of its size on its types has room (packing depends on the
                // job's model too, time-slicing only on the types).
                markUnreachable(k)
            }
        }
        // Step 4: migrations onto GPUs still free.
        if parameters.migration && parameters.maxMigrationsPerRound > 0 && planner.cluster.freeGPUs > 0 {
            migrate(s, planner: &planner, into: &decisions)
        }
        return decisions
    }

    /// Brings `guestJobs` and `spreadJobs` up to date: only the holders of GPUs changed since the last refresh, and the
    /// jobs then in a transition, are looked at again (as for the hosts, `buildHosts`); the rest keep their place
    /// while they run. Without a change list, every running job is looked at.
    private mutating func refreshMigrationIndex(_ s: ClusterSnapshot) {
        let topology = s.topology
        var fullScan = false
        s.jobs.withUnsafeBufferPointer { jobs in
        s.states.withUnsafeBufferPointer { states in
            /// Files running job j under the lists it belongs to.
            func file(_ j: Int32, guests: inout [Int32], spread: inout [Int32]) {
                let gpus = jobs[Int(j)].gpus
                guard let first = gpus.first else { return }
                if s.cluster.owner[first.index] != j { guests.append(j) }
                let node = topology.gpuNode[first.index]
                if gpus.count > 1 && gpus.contains(where: { topology.gpuNode[$0.index] != node }) { spread.append(j) }
            }
            var guests: [Int32] = []
            var spread: [Int32] = []
            let tracking = migrationChanges.isTracking
            let recheck = migrationChanges.beginRefresh()
            // One allocation each, not a doubling series per round.
            guests.reserveCapacity(tracking ? guestJobs.count + recheck.count : s.running.count)
            spread.reserveCapacity(tracking ? spreadJobs.count + recheck.count : s.running.count)
            if tracking {
                migrationChanges.carryOver(guestJobs, job: { $0 }, recheck: recheck, states: states) { guests.append($0) }
                migrationChanges.carryOver(spreadJobs, job: { $0 }, recheck: recheck, states: states) { spread.append($0) }
                let (carriedGuests, carriedSpread) = (guests.count, spread.count)
                for j in recheck where migrationChanges.observe(j, states[Int(j)]) { file(j, guests: &guests, spread: &spread) }
                // Both lists are their carried-over members, ascending, then the rechecked ones, ascending.
                guests.mergeAscendingRuns(at: carriedGuests)
                spread.mergeAscendingRuns(at: carriedSpread)
            } else {
                for id in s.running { file(id.raw, guests: &guests, spread: &spread) }
                guests.sort()
                spread.sort()
            }
            fullScan = !tracking
            guestJobs = guests
            spreadJobs = spread
        }}
        migrationChanges.finishRefresh(s, fullScan: fullScan)
    }

    #if SIM_INTERNAL_CHECKS
    /// The hosts' keys found the plain way, running job by running job (what the index must agree with).
    private static func hostKeys(_ s: ClusterSnapshot, limit: Int) -> [UInt64] {
        var keys: [UInt64] = []
        for id in s.running {
            let gpus = s.jobs[id.index].gpus
            guard let first = gpus.first else { continue }
            let n = s.cluster.holderCount(of: first)
            guard n < limit, s.cluster.holder(of: first) == id,
                  gpus.allSatisfy({ s.cluster.holderCount(of: $0) == n && s.cluster.sharing(of: $0) != .packed }),
                  sameHolders(gpus, s.cluster) else { continue }
            keys.append(UInt64(UInt32(bitPattern: id.raw)) << 32 | UInt64(gpus.count) << 8 | UInt64(n))
        }
        return keys.sorted()
    }
    #endif

    /// Whether every GPU of `gpus` is held by the same jobs (so a job joining all of them keeps the group aligned).
    private static func sameHolders(_ gpus: [GPUID], _ cluster: ClusterState) -> Bool {
        guard cluster.maxJobsPerGPU > 1, let first = gpus.first, cluster.holderCount(of: first) > 1 else { return true }
        return gpus.dropFirst().allSatisfy { cluster.sameHolders($0, first) }
    }

    /// The host `job` should join and how (its index in `group`'s base list): the best-gaining packable single-tenant
    /// host, else the host with the fewest jobs for time-slicing; nil when neither applies.
    private func chooseHost(for job: JobStatus, in group: ArraySlice<Host>, _ s: ClusterSnapshot) -> (Int, SharingMode)? {
        let topology = s.topology
        // NOTE: hosts are told apart without reading their statuses where that decides nothing (a status read per host
        // per waiting job missed the cache under overload): a job that may use every type can use any host, a host's
        // model comes from `modelOf`, and a pair that fits the smallest GPU memory of the cluster fits any host's GPUs.
        let anyType = (0..<topology.gpuTypes.count).allSatisfy { job.eligibleTypes.contains($0) }
        func usable(_ host: Host) -> Bool {
            anyType || s.jobs[host.id.index].gpus.allSatisfy { job.eligibleTypes.contains(Int(topology.gpuTypeIndex[$0.index])) }
        }
        if parameters.packing, let mine = GPUSharingModel.memoryGB(of: job.spec.model) {
            let smallestMemory = topology.gpuTypes.lazy.map(\.memoryGB).min() ?? 0
            // The pair's gain and whether it fits the smallest GPU depend only on the host's model: worked out once per
            // zoo model here, not per host (this runs for every host of the size, per waiting job, under overload).
            let models = s.sharing.modelCount
            var gainWith = [Double](repeating: 0, count: models)
            var fitsAnywhere = [Bool](repeating: false, count: models)
            for other in 0..<models {
                gainWith[other] = s.sharing.packedFactor(job.spec.model, with: other) + s.sharing.packedFactor(other, with: job.spec.model)
                fitsAnywhere[other] = mine + GPUSharingModel.memoryGB(of: other)! <= smallestMemory
            }
            let least = 1 + parameters.minPackingGain
            var best: (k: Int, gain: Double)?
            for k in group.indices where group[k].holders == 1 && usable(group[k]) {
                let host = group[k]
                let other = Int(modelOf[host.id.index])
                assert((other < 0 ? nil : other) == s[host.id].spec.model, "stale model of \(host.id)")
                guard other >= 0 else { continue }  // no zoo model: its memory is unknown, it cannot be packed
                let gain = gainWith[other]
                guard gain >= least && gain > (best?.gain ?? -1) else { continue }
                let theirs = GPUSharingModel.memoryGB(of: other)!
                guard fitsAnywhere[other] || s.jobs[host.id.index].gpus.allSatisfy({
                    mine + theirs <= topology.gpuTypes[Int(topology.gpuTypeIndex[$0.index])].memoryGB
                }) else { continue }
                best = (k, gain)
            }
            if let best { return (best.k, .packed) }
        }
        guard parameters.timeSlicing else { return nil }
        var best: Int?
        for k in group.indices where usable(group[k]) && group[k].holders < s.cluster.maxJobsPerGPU {
            if best == nil || group[k].holders < group[best!].holders { best = k }
        }
        return best.map { ($0, .timeSliced) }
    }

    /// Step 4: de-share guests onto free GPUs, then consolidate spread jobs onto one node.
    private mutating func migrate(_ s: ClusterSnapshot, planner: inout PlacementPlanner, into decisions: inout [SchedulingDecision]) {
        refreshMigrationIndex(s)
        var budget = parameters.maxMigrationsPerRound
        var moved: [JobID] = []
        // (a) Guests of shared GPUs (not their first holder) move to GPUs of their own, lowest JobID first. A running
        // job's first GPU has the same owner in the plan as in the snapshot (this round's starts take free GPUs, its
        // shares add guests), so the index's guests are the plan's.
        if s.cluster.sharedGPUs > 0 {
            let guests = guestJobs.map { JobID(Int($0)) }
            #if SIM_INTERNAL_CHECKS
            let reference = s.running.filter { id in
                guard let first = s.jobs[id.index].gpus.first else { return false }
                return planner.cluster.holderCount(of: first) > 1 && planner.cluster.holder(of: first) != id
            }.sorted()
            assert(guests == reference, "the migration index lost track of the guests")
            #endif
            for id in guests where budget > 0 && planner.cluster.freeGPUs > 0 {
                // Its shape first (a running job holds as many GPUs as its shape says: this policy never resizes): most
                // guests of an overloaded cluster need more GPUs than are free, and reading each one's status per round
                // missed the cache.
                let shape = s.shapes[id.index]
                guard triesEveryJob || planner.freeGPUs(in: shape.eligibleTypes) >= Int(shape.gpuCount) else { continue }
                let gpus = s.jobs[id.index].gpus
                assert(gpus.count == Int(shape.gpuCount), "\(id) holds \(gpus.count) GPUs, not its \(shape.gpuCount)")
                guard !decisions.contains(where: { Self.touches($0, gpus) }) else { continue }
                guard let target = planner.place(id, count: gpus.count, types: s.jobs[id.index].eligibleTypes) else { continue }
                planner.release(gpus, of: id)
                decisions.append(.migrate(id, gpus: target))
                moved.append(id)
                budget -= 1
            }
        }
        // (b) Jobs spread over several nodes move onto one node with enough free GPUs, lowest JobID first.
        let topology = s.topology
        var spread: [JobID] = []
        if budget > 0 {
            // The planner does not change in this scan: the most free GPUs on a node, once (not per running job).
            let mostFreeOnANode = Int(planner.cluster.freeOnNode.max() ?? 0)
            // The index's jobs over several nodes, alone on their first GPU in the plan (a guest that moved in (a)
            // may have left one alone).
            for j in spreadJobs {
                let id = JobID(Int(j))
                let gpus = s.jobs[id.index].gpus
                guard gpus.count <= mostFreeOnANode, planner.cluster.holderCount(of: gpus[0]) == 1, !moved.contains(id) else { continue }
                spread.append(id)
            }
            #if SIM_INTERNAL_CHECKS
            let reference = s.running.filter { id in
                let gpus = s.jobs[id.index].gpus
                guard !moved.contains(id), gpus.count > 1, gpus.count <= mostFreeOnANode, let first = gpus.first,
                      planner.cluster.holderCount(of: first) == 1 else { return false }
                return gpus.contains { topology.gpuNode[$0.index] != topology.gpuNode[first.index] }
            }.sorted()
            assert(spread == reference, "the migration index lost track of the jobs spread over nodes")
            #endif
        }
        for id in spread where budget > 0 {
            let gpus = s.jobs[id.index].gpus
            let types = s.jobs[id.index].eligibleTypes
            for n in 0..<topology.nodeCount where Int(planner.cluster.freeOnNode[n]) >= gpus.count {
                let free = topology.gpus(of: NodeID(n)).map(GPUID.init).filter {
                    planner.cluster.isFree($0) && types.contains(Int(topology.gpuTypeIndex[$0.index]))
                }
                guard free.count >= gpus.count else { continue }
                let target = Array(free.prefix(gpus.count))
                planner.release(gpus, of: id)
                planner.claim(target, for: id)
                decisions.append(.migrate(id, gpus: target))
                budget -= 1
                break
            }
        }
    }

    /// Whether a decision of this round involves any of `gpus` (a job that a waiting job just joined stays put).
    private static func touches(_ d: SchedulingDecision, _ gpus: [GPUID]) -> Bool {
        if case .share(_, let g, _) = d { return g.contains { gpus.contains($0) } }
        return false
    }
}
