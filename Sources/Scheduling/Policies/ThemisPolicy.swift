import ClusterModel
import Foundation
import SimKernel
import Workload

/// Finish-time fairness with leases (Mahajan et al., "Themis: Fair and Efficient GPU Cluster Scheduling",
/// NSDI 2020), without the paper's partial-allocation auction.
///
/// A job's finish-time fairness is ρ = T_shared / T_ideal: T_shared is its elapsed time since submission plus its
/// estimated remaining time (at its current speed if running, else at its reference speed); T_ideal is its run
/// time on a dedicated 1/N share of the cluster, N the jobs now waiting or running: its isolated run time at its
/// requested size, stretched by g·N/C when its g GPUs exceed the share C/N of the C GPUs (a rigid job cannot use
/// more than it asks for, so a larger share does not speed it up). ρ > 1 means the job fares worse than under an
/// equal split.
///
/// GPUs are leased, and leases are auctioned in rounds: in Themis the arbiter runs its auctions in rounds, offering the
/// resources whose leases have expired to the jobs that pass its fairness filter (Mahajan et al., NSDI 2020, the
/// arbiter's multi-round auctions), rather than one job's GPUs at a time. Aligning the rounds on a grid is SchedLab's
/// choice: the paper gives the lease duration, not when a lease granted between rounds ends. With `lease_alignment: grid` (the default) every lease ends on a grid of
/// multiples of `lease_s` counted from the simulation's start: a lease granted at t ends at the first grid point at or
/// after t + `lease_s`, so it lasts between `lease_s` and 2·`lease_s` (a job started mid-interval keeps its GPUs until
/// that grid point, and is never preempted moments after it started, which ending at the next grid point after t
/// would allow), and a lease granted or renewed on a grid point lasts exactly `lease_s`. All leases that end together
/// are offered in one round. `lease_alignment: job` ends each lease `lease_s` after its grant instead (a round per
/// expiry, SchedLab's behaviour before grid rounds). Arrivals and completions run rounds too, so free GPUs never idle
/// while a job waits.
///
/// At every round the candidates are the waiting jobs and the running jobs whose lease has expired; the
/// `fairness_knob` fraction f of them with the worst ρ (at least one) take part, as in Themis' filter. In order of
/// decreasing ρ, a waiting participant starts on free GPUs, or on GPUs taken back from expired-lease jobs with a lower
/// ρ (lowest first); expired-lease jobs that keep their GPUs renew their lease. Then, so that no GPU idles while a job
/// could use it, the other waiting jobs start in order of decreasing ρ where they fit, without preempting anyone. The
/// policy wakes up at the next lease expiry (with grid leases, the next grid point at which a lease ends).
///
/// Choices the paper leaves open here: no auction (the worst-ρ participants simply take GPUs, which is Themis with
/// every bid at its full-allocation value); the grid's origin is the simulation's start and its spacing `lease_s`; a
/// job holding GPUs without running (restoring from a checkpoint) when its lease ends is offered at the first round
/// after it runs again; N counts waiting and running jobs (jobs in a timed transition are not counted); ties in ρ go
/// to the earlier submission; a job's isolated time is its `estimatedDuration`.
/// The waiting jobs and what ρ reads of them are kept across rounds (`ThemisWaitingJobs`), and a round computes ρ only
/// for the candidates whose cheap bounds reach the top of its order (`bounds(_:nowSeconds:share:)`); both give the
/// decisions of a round that reads every job's status and computes every ρ, which a test checks.
/// - Complexity: O(K + T log K + E log R + A) per round for K candidates of which T are taken in order before the
///   round has nothing left to give, E expired leases, R running jobs and A arrivals (plus a pass over the queue when
///   jobs re-queue unannounced: a checkpoint ended, a failure); O(1) for a round with no free GPU and no expiry. The
///   O(K) part is a pass over one compact array with multiplications only.
public struct ThemisPolicy: SchedulingPolicy {
    public static let name = "themis"

    /// When a lease granted at time t ends.
    public enum LeaseAlignment: String, Sendable, Equatable, CaseIterable {
        /// At the first multiple of `lease_s` (counted from the simulation's start) at or after t + `lease_s`: leases
        /// that end together are auctioned together in one round, as Themis' rounds do (the default).
        case grid
        /// At t + `lease_s`: each job's lease ends on its own, a round per expiry (SchedLab's earlier behaviour).
        case job
    }

    /// Scenario parameters of `themis`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Seconds a job keeps GPUs it was given before they can be offered to others.
        public var leaseSeconds: Double = 600
        /// Share of the candidates, worst ρ first, that may take GPUs (Themis' fairness knob f).
        public var fairnessKnob: Double = 0.8
        /// Whether leases end on the round grid (multiples of `lease_s`) or `lease_s` after each grant.
        public var leaseAlignment: LeaseAlignment = .grid

        static let documentation = [
            "lease_s: seconds a job keeps its GPUs before they are offered again, 1 to 3.2e7 (600)",
            "fairness_knob: share of candidates, worst finish-time fairness first, that may take GPUs, in (0, 1] (0.8)",
            "lease_alignment: grid (a lease ends at the first multiple of lease_s at or after its grant + lease_s, so "
                + "expiries are auctioned together) or job (lease_s after its grant) (grid)",
        ]

        /// Default parameters.
        public init(leaseSeconds: Double = 600, fairnessKnob: Double = 0.8, leaseAlignment: LeaseAlignment = .grid) {
            self.leaseSeconds = leaseSeconds
            self.fairnessKnob = fairnessKnob
            self.leaseAlignment = leaseAlignment
        }

        private enum CodingKeys: String, CodingKey { case lease_s, fairness_knob, lease_alignment }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["lease_s", "fairness_knob", "lease_alignment"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let name = try c.decodeIfPresent(String.self, forKey: .lease_alignment) {
                guard let a = LeaseAlignment(rawValue: name) else {
                    throw c.invalid(
                        .lease_alignment,
                        "expected one of: \(LeaseAlignment.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'")
                }
                leaseAlignment = a
            }
            // Longer than a year is no lease at all.
            leaseSeconds = try PolicyPeriod.decode(c, .lease_s, default: 600, maximum: 3.2e7)
            fairnessKnob = try c.decodeIfPresent(Double.self, forKey: .fairness_knob) ?? 0.8
            guard fairnessKnob.isFinite && fairnessKnob > 0 && fairnessKnob <= 1 else {
                throw c.invalid(.fairness_knob, "expected a share in (0, 1], got \(fairnessKnob)")
            }
        }
    }

    /// The parameters in force.
    public let parameters: Parameters
    /// When each job's lease ends (by JobID; `.never` for jobs without GPUs).
    private var leaseEnd: [SimTime] = []
    /// Every lease end set, earliest first: finds the expired leases and the next expiry without scanning every
    /// running job each round (a scan per round dominated: a round runs at every expiry). An entry is stale once its
    /// job's lease end differs (renewed, or taken back) or the job holds no GPUs (finished, failed); stale entries are
    /// dropped when they reach the top.
    private var leases = MinHeap<LeaseEnd>()
    // Round scratch, kept to reuse storage: the candidates (a heap, worst ρ first), and per JobID index the round
    // that preempted or started the job (marks instead of sets: no hashing per job per round).
    private var candidates: [Candidate] = []
    private var expired: [JobID] = []
    /// More round scratch, moved out for the round and back after it (an allocation per array per round showed in
    /// profiles of the ITP replay: a round runs at every lease expiry).
    private var scratchReleasable: [Victim] = []
    private var scratchLeases: [Candidate] = []
    private var scratchHits: [StepOneOrder.Hit] = []
    private var scratchOffered: [Candidate] = []
    private var scratchRanked: [Candidate] = []
    private var scratchStarted: [JobID] = []
    private var preemptedIn: [UInt32] = []
    /// Per JobID index, the round in which an expired lease won its GPUs back (it stays in the victims' heap, skipped
    /// when it reaches the top: removing it from the middle cost a pass over every expired lease per winner).
    private var keptIn: [UInt32] = []
    private var startedIn: [UInt32] = []
    private var round: UInt32 = 0
    /// The waiting jobs and what ρ reads of them (fixed while they wait), kept across rounds.
    private var waiting = ThemisWaitingJobs()
    /// Whether `waiting` is kept across rounds (false: rebuilt from the queue every round, the reference the kept set
    /// is tested against).
    let keepsWaitingJobs: Bool
    /// Whether step 1 builds its candidate array at once (the reference `StepOneOrder`'s first scans without the
    /// array are tested against).
    let buildsCandidates: Bool

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.init(parameters, keepsWaitingJobs: true) }

    /// Creates the policy, keeping its waiting set across rounds or rebuilding it every round, and taking step 1's
    /// first candidates without or with building their array (for tests: all must decide the same).
    init(_ parameters: Parameters, keepsWaitingJobs: Bool, buildsCandidates: Bool = false) {
        self.parameters = parameters
        self.keepsWaitingJobs = keepsWaitingJobs
        self.buildsCandidates = buildsCandidates
    }

    /// Finish-time fairness ρ of `id` now, with `active` jobs sharing the cluster.
    public static func rho(of id: JobID, in s: ClusterSnapshot, active: Int) -> Double {
        rho(of: id, in: s, share: Double(s.topology.gpuCount) / Double(max(1, active)))
    }

    /// ρ of `id` given the equal share C/N of the cluster's GPUs.
    @inline(__always) private static func rho(of id: JobID, in s: ClusterSnapshot, share: Double) -> Double {
        // NOTE: fields are read one by one; binding `s[id]` to a local would copy the whole status (and retain its
        // strings) for every candidate of every round.
        let i = id.index
        let isolated = s.jobs[i].estimatedDuration.seconds
        let ideal = isolated * max(1, Double(s.jobs[i].spec.gpuCount) / share)
        let shared = (s.now - s.jobs[i].spec.submitTime).seconds + s.estimatedRemainingTime(of: id)
        return ideal > 0 ? shared / ideal : 1
    }

    /// A job offered GPUs this round, with its ρ and its request (read once, not from its status per check).
    ///
    /// A waiting job's ρ is computed only when the round's order needs it (`exact`); until then `lo...hi` bounds it
    /// (see `bounds`). Three divisions per waiting job per round were most of the round's time, and a round takes one
    /// or two jobs from the top of the order.
    private struct Candidate: HeapOrdered {
        var rho: Double
        var lo: Double
        var hi: Double
        var exact: Bool
        var id: JobID
        var running: Bool
        var gpuCount: Int32
        var types: GPUTypeMask
        /// The job's position in the waiting set (waiting candidates), whose values give its exact ρ.
        var slot: Int32

        /// The round's order: worst (largest) ρ first, ties to the earlier submission (lower JobID).
        @inline(__always) static func before(_ a: Candidate, _ b: Candidate) -> Bool {
            a.rho != b.rho ? a.rho > b.rho : a.id < b.id
        }
        /// `before`, as `MinHeap` orders its entries (the heap holds the candidates left after the first scans).
        @inline(__always) static func precedes(_ a: Candidate, _ b: Candidate) -> Bool { before(a, b) }
    }

    /// An expired lease that may be taken back, in the order victims are taken: lowest ρ first, ties to the later
    /// submission (the reverse of the round's order). A heap: a round on the lease grid has every lease that ended
    /// together, hundreds on a large cluster, and takes back few of them (sorting them all showed in profiles).
    private struct Victim: HeapOrdered {
        var candidate: Candidate

        @inline(__always) static func precedes(_ a: Victim, _ b: Victim) -> Bool { Candidate.before(b.candidate, a.candidate) }
    }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        if leaseEnd.count < s.jobs.count {
            let extra = s.jobs.count - leaseEnd.count
            leaseEnd += repeatElement(.never, count: extra)
            preemptedIn += repeatElement(0, count: extra)
            keptIn += repeatElement(0, count: extra)
            startedIn += repeatElement(0, count: extra)
        }
        let now = s.now
        // Every lease granted or renewed in this round ends at the same time (see `endOfLease`).
        let granted = Self.endOfLease(
            grantedAt: now, length: SimTime.seconds(parameters.leaseSeconds), alignment: parameters.leaseAlignment)
        // Running jobs whose lease expired, and the earliest lease end among the other running jobs. Jobs holding
        // GPUs without running (restoring) keep their entry for when they run, but take no part now.
        expired.removeAll(keepingCapacity: true)
        var nextRunning = SimTime.never
        var setAside: [LeaseEnd] = []
        while let top = leases.first {
            let i = Int(top.job)
            let state = s.jobs[i].state
            guard leaseEnd[i] == top.end, state.holdsGPUs else {
                leases.removeFirst()  // stale
                continue
            }
            if state != .running {
                setAside.append(leases.removeFirst())
                continue
            }
            if top.end > now {
                nextRunning = top.end
                break
            }
            expired.append(JobID(i))
            leases.removeFirst()
        }
        for e in setAside { leases.insert(e) }
        #if SIM_INTERNAL_CHECKS
        assert(expired.sorted() == s.running.filter { leaseEnd[$0.index] <= now }.sorted(), "Themis' lease heap lost an expiry")
        assert(nextRunning == s.running.map { leaseEnd[$0.index] }.filter { $0 > now }.min() ?? .never,
               "Themis' lease heap lost a lease")
        #endif
        // Nothing to offer: no free GPU and no expired lease. The round cannot change anything (the wake-up already
        // requested still stands), so it skips ranking every waiting job, which dominated busy clusters.
        if planner.cluster.freeGPUs == 0 && expired.isEmpty { return [] }
        round &+= 1
        if round == 0 {  // wrapped: clear the marks so an old round cannot look current
            for i in preemptedIn.indices { preemptedIn[i] = 0; startedIn[i] = 0; keptIn[i] = 0 }
            round = 1
        }
        let stamp = round
        let share = Double(s.topology.gpuCount) / Double(max(1, s.queue.count + s.running.count))
        // What ρ reads of a waiting job is fixed while it waits (its remaining time too: it makes no progress): it is
        // read from its status once per waiting spell, into a compact set kept across rounds (see ThemisWaitingJobs).
        waiting.sync(s, rebuild: !keepsWaitingJobs)
        let jobs = waiting.jobs
        let nowSeconds = now.seconds
        /// The waiting job at `slot` as a candidate, its ρ bounded, not computed.
        func waitingCandidate(_ slot: Int) -> Candidate {
            Self.waitingCandidate(jobs[slot], slot: slot, nowSeconds: nowSeconds, share: share)
        }
        /// Computes the ρ of waiting candidate `c` (as `rho(of:in:active:)`, from the kept values).
        func resolve(_ c: inout Candidate) {
            guard !c.exact else { return }
            let w = jobs[Int(c.slot)]
            let ideal = w.isolated * max(1, w.gpus / share)
            let shared = (now - w.submit).seconds + w.remaining
            c.rho = ideal > 0 ? shared / ideal : 1
            c.exact = true
            #if SIM_INTERNAL_CHECKS
            assert(c.rho == Self.rho(of: w.id, in: s, share: share) || (c.rho.isNaN && Self.rho(of: w.id, in: s, share: share).isNaN),
                   "stale waiting values of \(w.id)")
            assert(!w.boundable || (c.lo <= c.rho && c.rho <= c.hi), "ρ \(c.rho) of \(w.id) outside its bounds \(c.lo)...\(c.hi)")
            #endif
        }
        // The expired leases, as step 1's candidates (in expiry order), and as the heap of the jobs that may lose their
        // GPUs, lowest ρ first (ties: the later submission first).
        var leasesAtStart = Self.reuse(&scratchLeases)
        for id in expired {
            let rho = Self.rho(of: id, in: s, share: share)
            leasesAtStart.append(Candidate(
                rho: rho, lo: rho, hi: rho, exact: true, id: id, running: true,
                gpuCount: Int32(s.jobs[id.index].spec.gpuCount), types: s.jobs[id.index].eligibleTypes, slot: -1))
        }
        var releasable = Self.reuse(&scratchReleasable)
        for c in leasesAtStart { releasable.append(Victim(candidate: c)) }
        MinHeap<Victim>.heapify(&releasable)
        /// The releasable lease with the lowest ρ, dropping from the heap those that won their GPUs back.
        func firstVictim() -> Candidate? {
            while let top = releasable.first, keptIn[top.candidate.id.index] == stamp { _ = MinHeap<Victim>.popFirst(&releasable) }
            return releasable.first?.candidate
        }
        let candidateCount = s.queue.count + expired.count
        let participants = Int((parameters.fairnessKnob * Double(candidateCount)).rounded(.up))
        var decisions: [SchedulingDecision] = []
        var started = Self.reuse(&scratchStarted)
        /// Starts `c` if the planner places it.
        func offer(_ c: Candidate, _ planner: inout PlacementPlanner) {
            let i = c.id.index
            if let gpus = planner.place(c.id, count: Int(c.gpuCount), types: c.types) {
                decisions.append(.start(c.id, gpus: gpus))
                startedIn[i] = stamp
                started.append(c.id)
                leaseEnd[i] = granted
            }
        }
        /// Whether waiting candidate `c` could pass the planner's first check (enough free GPUs of its types) now.
        func fits(_ c: Candidate, _ planner: PlacementPlanner) -> Bool {
            Int(c.gpuCount) <= planner.freeGPUs(in: c.types)
        }

        // The candidates are taken in order (worst ρ first, ties to the lower JobID): the first `participants` may
        // take GPUs back from expired leases, then everyone may start on free GPUs (work conservation), the
        // participants that were not placed first. Sorting every candidate every round dominated, so:
        // 1. while a lease can still be taken back, the candidates come off a heap one at a time;
        // 2. once none can, no GPU is released any more and free GPUs only decrease, so a waiting job needing more
        //    than its types have free now can never pass the planner's first check: only the jobs that fit are
        //    ranked, again lazily, and the round stops when no GPU is left. Which of them are participants matters
        //    only for the order of second attempts (a job the placement strategy refused although enough GPUs were
        //    free, or a participant that found GPUs short before a lease was taken back); the rank of the last
        //    participant is found by selection only when such a second attempt is pending.
        // Step 1's candidates are the waiting jobs, then the expired leases; `order` stands for the array of them
        // without building it until a round needs more than its first few (see StepOneOrder).
        candidates.removeAll(keepingCapacity: true)
        var offered = Self.reuse(&scratchOffered)  // waiting participants taken in step 1, in order
        var taken = 0
        var exhausted = false
        let stepOne = !releasable.isEmpty
        // Waiting candidates not taken yet in step 1: once none is left, the rest are expired leases, which would only
        // win their own GPUs back (renewed below anyway), and step 2 has no waiting job to rank: its second attempts
        // are the same whether or not they were taken (on the lease grid, most of a round's candidates are such
        // leases).
        var waitingLeft = jobs.count
        var order = StepOneOrder(
            waiting: jobs, nowSeconds: nowSeconds, share: share, leases: leasesAtStart,
            spillAt: buildsCandidates ? 0 : LazyOrder.scans)
        if stepOne {
            while taken < participants && waitingLeft > 0 && firstVictim() != nil,
                  let c = order.popFirst(spillingInto: &candidates, scratch: &scratchHits, resolve) {
                taken += 1
                // With no GPU free and no releasable lease worse off than this candidate, no later one (ρ no larger)
                // can take or free GPUs: the rest of the round, work conservation included, would change nothing.
                if planner.cluster.freeGPUs == 0 && !(firstVictim().map { $0.rho < c.rho } ?? false) {
                    exhausted = true
                    break
                }
                if c.running {
                    keptIn[c.id.index] = stamp  // it won its GPUs back
                    continue
                }
                waitingLeft -= 1
                offered.append(c)
                let i = c.id.index
                var gpus = planner.place(c.id, count: Int(c.gpuCount), types: c.types)
                while gpus == nil, let victim = firstVictim(), victim.rho < c.rho {
                    _ = MinHeap<Victim>.popFirst(&releasable)
                    decisions.append(.preempt(victim.id))
                    preemptedIn[victim.id.index] = stamp
                    // A job that checkpoints keeps its GPUs until the checkpoint ends: this job waits for that round.
                    guard s.preemptionFreesGPUsAtOnce(victim.id) else { continue }
                    planner.release(s.jobs[victim.id.index].allocation.gpus, of: victim.id)
                    gpus = planner.place(c.id, count: Int(c.gpuCount), types: c.types)
                }
                if let gpus {
                    decisions.append(.start(c.id, gpus: gpus))
                    startedIn[i] = stamp
                    started.append(c.id)
                    leaseEnd[i] = granted
                }
            }
        }
        if !exhausted {
            // Step 2. The candidates not taken yet are `order`'s when step 1 ran, else the queue.
            let rest = stepOne ? order.remaining(candidates) : waiting.jobs.count
            let more = participants - taken  // participants among them
            var ranked = Self.reuse(&scratchRanked)
            if stepOne {
                // The planner does not change in this pass: the free GPUs of the last mask seen are asked once.
                var mask: UInt64? = nil
                var free = 0
                if order.spilled {
                    for c in candidates where !c.running {
                        if c.types.bits != mask {
                            mask = c.types.bits
                            free = planner.freeGPUs(in: c.types)
                        }
                        if Int(c.gpuCount) <= free { ranked.append(c) }
                    }
                } else {
                    // The same candidates in the same order, read from the waiting set: only those that fit are built.
                    order.forEachRemaining { source in
                        guard source < jobs.count else { return }  // an expired lease: running
                        if jobs[source].types.bits != mask {
                            mask = jobs[source].types.bits
                            free = planner.freeGPUs(in: jobs[source].types)
                        }
                        if Int(jobs[source].gpuCount) <= free { ranked.append(waitingCandidate(source)) }
                    }
                }
            } else {
                for k in jobs.indices where Int(jobs[k].gpuCount) <= planner.freeGPUs(in: jobs[k].types) {
                    ranked.append(waitingCandidate(k))
                }
            }
            // A job asking for no GPU passes the planner's check even with none free: then no early stop.
            let mayStop = !ranked.contains { $0.gpuCount <= 0 }
            var rankedOrder = LazyOrder()
            // Second attempts, in order: step 1's participants that were not placed and fit now, then refused ones.
            var retry = offered.filter { startedIn[$0.id.index] != stamp && fits($0, planner) }
            var lastParticipant: Candidate??  // unknown until needed; .some(nil): every remaining one participates
            func participates(_ c: Candidate) -> Bool {
                guard more > 0 else { return false }
                if lastParticipant == nil {
                    if more >= rest {
                        lastParticipant = .some(nil)
                    } else {
                        var all: [Candidate] = []
                        if stepOne {
                            all = order.spilled ? candidates : order.materialized()
                        } else {
                            for k in jobs.indices { all.append(waitingCandidate(k)) }
                        }
                        for k in all.indices { resolve(&all[k]) }
                        lastParticipant = .some(Self.element(ofRank: more - 1, in: all))
                    }
                }
                guard let last = lastParticipant! else { return true }
                return c.id == last.id || Candidate.before(c, last)
            }
            var pastParticipants = more <= 0
            /// Second attempts (work conservation begins): false when no GPU is left, which ends the round.
            func secondAttempts(_ planner: inout PlacementPlanner) -> Bool {
                for c in retry {
                    if planner.cluster.freeGPUs == 0 { return false }
                    offer(c, &planner)
                }
                retry.removeAll()
                return true
            }
            // The fewest GPUs any ranked job not taken yet asks for (a lower bound once jobs are taken, tightened after
            // every start): when more than are free, none of them can start, and the ranking stops there.
            func smallestRequest() -> Int { ranked.reduce(Int.max) { min($0, Int($1.gpuCount)) } }
            var smallest = smallestRequest()
            conservation: do {
                if pastParticipants && !secondAttempts(&planner) { break conservation }
                while !(mayStop && smallest > planner.cluster.freeGPUs), let c = rankedOrder.popFirst(&ranked, resolve) {
                    if mayStop && planner.cluster.freeGPUs == 0 { break conservation }
                    if !pastParticipants && !retry.isEmpty && !participates(c) {
                        pastParticipants = true
                        if !secondAttempts(&planner) { break conservation }
                        if mayStop && planner.cluster.freeGPUs == 0 { break conservation }
                    }
                    guard fits(c, planner) else { continue }
                    let i = c.id.index
                    if let gpus = planner.place(c.id, count: Int(c.gpuCount), types: c.types) {
                        decisions.append(.start(c.id, gpus: gpus))
                        startedIn[i] = stamp
                        started.append(c.id)
                        leaseEnd[i] = granted
                        smallest = smallestRequest()
                    } else if !pastParticipants && participates(c) {
                        retry.append(c)
                    }
                }
                if !pastParticipants { _ = secondAttempts(&planner) }
            }
            scratchRanked = ranked
        }
        // Every expired lease that was not taken back is renewed; the next round is at the earliest expiry.
        var next = nextRunning
        for id in expired {
            if preemptedIn[id.index] == stamp {
                leaseEnd[id.index] = .never
                waiting.preempted(id)
                continue
            }
            leaseEnd[id.index] = granted
            leases.insert(LeaseEnd(end: granted, job: id.raw))
            next = min(next, granted)
        }
        for id in started {
            waiting.started(id)
            leases.insert(LeaseEnd(end: leaseEnd[id.index], job: id.raw))
            next = min(next, leaseEnd[id.index])
        }
        if next != .never && next > now { decisions.append(.wakeUp(at: next)) }
        scratchReleasable = releasable
        scratchLeases = leasesAtStart
        scratchOffered = offered
        scratchStarted = started
        return decisions
    }

    /// When a lease of `length` granted at `now` ends: `now` + `length` (`job`), or the first multiple of `length` at
    /// or after that (`grid`), so that a lease lasts at least `length` (what a lease promises: a job is not preempted
    /// right after it started, which a lease ending at the next grid point would do to a job started just before it),
    /// and a lease granted or renewed on a grid point lasts exactly `length`.
    static func endOfLease(grantedAt now: SimTime, length: SimTime, alignment: LeaseAlignment) -> SimTime {
        // Saturating at `.never`: a lease that would end beyond the clock's range never ends (no trap on overflow).
        let (sum, over) = now.nanoseconds.addingReportingOverflow(length.nanoseconds)
        guard !over else { return .never }
        let end = SimTime(nanoseconds: sum)
        guard alignment == .grid else { return end }
        // Integer nanoseconds: no rounding, and every job's lease that ends in the same grid interval ends at the same
        // instant. `now` is never negative (the clock starts at zero).
        let l = length.nanoseconds
        let (q, r) = end.nanoseconds.quotientAndRemainder(dividingBy: l)
        guard r != 0 else { return end }
        let (next, overNext) = (q + 1).multipliedReportingOverflow(by: l)
        return overNext ? .never : SimTime(nanoseconds: next)
    }

    /// `array`'s storage, emptied, leaving `array` empty: a round's scratch array without an allocation.
    @inline(__always) private static func reuse<T>(_ array: inout [T]) -> [T] {
        var taken: [T] = []
        swap(&taken, &array)
        taken.removeAll(keepingCapacity: true)
        return taken
    }

    /// Waiting job `w` (at `slot` of the waiting set) as a candidate, its ρ bounded, not computed.
    @inline(__always) private static func waitingCandidate(
        _ w: ThemisWaitingJobs.Job, slot: Int, nowSeconds: Double, share: Double
    ) -> Candidate {
        var c = Candidate(
            rho: .nan, lo: -.infinity, hi: .infinity, exact: false, id: w.id, running: false, gpuCount: w.gpuCount,
            types: w.types, slot: Int32(slot))
        if w.boundable { (c.lo, c.hi) = bounds(w, nowSeconds: nowSeconds, share: share) }
        return c
    }

    /// Bounds on the ρ of waiting job `w` now (`nowSeconds`), with each job's equal share `share` GPUs, from
    /// multiplications only: ρ = (now − submit + remaining) / (isolated · max(1, gpus / share)) is
    /// (now − submit + remaining) · (1 / isolated) · min(1, share · (1 / gpus)). The seconds in floating point carry
    /// rounding errors of a few ulps of `now`, the submission and the remaining time (1e-13 of their sum covers
    /// them), the products a few ulps (1e-12 of the result covers them and the exact ρ's own rounding).
    @inline(__always) private static func bounds(
        _ w: ThemisWaitingJobs.Job, nowSeconds: Double, share: Double
    ) -> (Double, Double) {
        let shared = nowSeconds - w.submitSeconds + w.remaining
        let slack = 1e-13 * (abs(nowSeconds) + abs(w.submitSeconds) + w.remaining)
        let scale = w.inverseIsolated * min(1, share * w.inverseGPUs)
        let lo = (shared - slack) * scale
        let hi = (shared + slack) * scale
        return (lo < 0 ? lo * (1 + 1e-12) : lo * (1 - 1e-12), hi * (1 + 1e-12))
    }

    /// The candidate of rank `rank` (0 = first) in the round's order among `all`: quickselect on a copy, O(n)
    /// expected. Keys are unique (ties break on JobID), so the answer does not depend on the pivots.
    private static func element(ofRank rank: Int, in all: [Candidate]) -> Candidate {
        var a = all
        var lo = 0
        var hi = a.count - 1
        while lo < hi {
            let pivot = a[(lo + hi) / 2]
            var i = lo
            var j = hi
            while i <= j {
                while Candidate.before(a[i], pivot) { i += 1 }
                while Candidate.before(pivot, a[j]) { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j { hi = j } else if rank >= i { lo = i } else { return a[rank] }
        }
        return a[rank]
    }

    // MARK: Candidates in order, lazily

    /// Step 1's candidates: the round's waiting jobs (positions 0..<`waitingCount` of the waiting set), then the expired
    /// leases, taken in the round's order as `LazyOrder` takes them from an array holding them in that arrangement,
    /// without building the array for the first `LazyOrder.scans` (most rounds end there: building a candidate per
    /// waiting job at every lease expiry, to take one or two, was most of a round's own time).
    ///
    /// The array it stands for is the one a round would build and then shrink by `LazyOrder`'s swap-with-last removals:
    /// position i holds source i (a waiting-set position, or `waitingCount` + an expired lease's index) unless a removal
    /// moved another source there (at most one per removal, kept in `movedTo`/`movedFrom`, ascending by position). It
    /// is visited in that order, so even an order among candidates that does not depend on arrangement only by the
    /// uniqueness of keys (NaN ρ) comes out as the array's would. After the scans it is built (`spilled`) and
    /// `LazyOrder` takes over.
    private struct StepOneOrder {
        /// The waiting set's jobs, and what their bounds on ρ read.
        private let waiting: [ThemisWaitingJobs.Job]
        private let nowSeconds: Double
        private let share: Double
        private let leases: [Candidate]
        /// Candidates not taken yet (while not spilled).
        private(set) var count: Int
        /// Positions whose source a removal replaced, ascending, and their sources (at most `LazyOrder.scans`).
        private var movedTo = SIMD4<Int>(repeating: 0)
        private var movedFrom = SIMD4<Int>(repeating: 0)
        private var moved = 0
        private var pops = 0
        /// Pops taken before the array is built (`LazyOrder.scans` at most: `movedTo` holds that many).
        private let spillAt: Int
        /// Whether the candidates are in the caller's array now (after the scans), ordered by `selector`.
        private(set) var spilled = false
        private var selector = LazyOrder()
        /// The greatest lower bounds on ρ (greatest first) and their sources, from the first pop's pass, less the
        /// candidates taken since.
        private var topLo = SIMD4<Double>(repeating: -.infinity)
        private var topSource = SIMD4<Int>(repeating: -1)
        private var topCount = 0

        /// A candidate a scan may have to resolve: its position, source and upper bound.
        struct Hit {
            var position: Int
            var source: Int
            var hi: Double
        }

        init(waiting: [ThemisWaitingJobs.Job], nowSeconds: Double, share: Double, leases: [Candidate], spillAt: Int) {
            precondition(spillAt <= LazyOrder.scans && LazyOrder.scans == 4, "more removals than StepOneOrder keeps")
            self.waiting = waiting
            self.nowSeconds = nowSeconds
            self.share = share
            self.leases = leases
            self.spillAt = spillAt
            count = waiting.count + leases.count
        }

        /// Candidates not taken yet; `items` is the caller's array, which holds them once spilled.
        func remaining(_ items: [Candidate]) -> Int { spilled ? items.count : count }

        /// The source at each position not taken yet, in position order (not spilled).
        @inline(__always) func forEachRemaining(_ body: (Int) -> Void) {
            // The next moved position is kept in a scalar: indexing a SIMD vector by a variable goes through memory.
            var next = 0
            var nextAt = moved > 0 ? movedTo[0] : Int.max
            for i in 0..<count {
                if i == nextAt {
                    body(movedFrom[next])
                    next += 1
                    nextAt = next < moved ? movedTo[next] : Int.max
                } else {
                    body(i)
                }
            }
        }

        /// The candidate of source `source`.
        @inline(__always) private func candidate(_ source: Int) -> Candidate {
            source < waiting.count
                ? ThemisPolicy.waitingCandidate(waiting[source], slot: source, nowSeconds: nowSeconds, share: share)
                : leases[source - waiting.count]
        }

        /// The array the round would hold now (not spilled).
        func materialized() -> [Candidate] {
            var items: [Candidate] = []
            items.reserveCapacity(count)
            forEachRemaining { items.append(candidate($0)) }
            return items
        }

        /// Removes and returns the first candidate in the round's order (as `LazyOrder.popFirst` on the array), nil
        /// when none is left; `resolve` computes a candidate's ρ; `hits` is scratch.
        mutating func popFirst(
            spillingInto items: inout [Candidate], scratch hits: inout [Hit], _ resolve: (inout Candidate) -> Void
        ) -> Candidate? {
            if !spilled && pops == spillAt {
                items.removeAll(keepingCapacity: true)
                items.reserveCapacity(count)
                forEachRemaining { items.append(candidate($0)) }
                spilled = true
                selector = LazyOrder(taken: pops)
            }
            if spilled { return selector.popFirst(&items, resolve) }
            guard count > 0 else { return nil }
            #if SIM_INTERNAL_CHECKS
            // The array this stands for, and what LazyOrder takes from it: the same candidate, the same array after.
            var reference = materialized()
            var referenceOrder = LazyOrder(taken: pops)
            let expected = referenceOrder.popFirst(&reference, resolve)
            defer {
                let after = materialized()
                assert(after.map(\.id) == reference.map(\.id), "StepOneOrder's arrangement differs from the array's")
            }
            #endif
            // LazyOrder's scan: the greatest lower bound among the candidates left, then the best of those whose upper
            // bound reaches it, in position order. One pass over every candidate, at the first pop, keeps the
            // `LazyOrder.scans` greatest lower bounds (`topLo`) and every candidate whose upper bound reaches the
            // least of them so far (`hits`; the least of them only grows, so none is missed): at the p-th pop at most
            // p − 1 of those greatest bounds were taken, so the greatest left is the greatest lower bound of all left,
            // and it is at least the least of them, so the candidates that reach it are among `hits`.
            if pops == 0 { firstPass(&hits) }
            pops += 1
            var floor = -Double.infinity
            if topCount > 0 { floor = topLo[0] }
            var best = -1
            var bestHit = -1
            var first = leases.isEmpty ? candidate(0) : leases[0]
            for k in hits.indices where hits[k].hi >= floor {
                var c = candidate(hits[k].source)
                resolve(&c)
                if best < 0 || Candidate.before(c, first) {
                    best = hits[k].position
                    bestHit = k
                    first = c
                }
            }
            // Take it out of the kept bounds and hits, and follow the swap-with-last in the hits' positions.
            let taken = hits[bestHit].source
            let lastPosition = count - 1
            let lastSource = source(at: lastPosition)
            hits.remove(at: bestHit)
            for k in 0..<topCount where topSource[k] == taken {
                for j in k..<(topCount - 1) {
                    topLo[j] = topLo[j + 1]
                    topSource[j] = topSource[j + 1]
                }
                topCount -= 1
                break
            }
            remove(at: best)
            if best != lastPosition, let k = hits.firstIndex(where: { $0.source == lastSource }) {
                // It moves from the end to `best`: back into position order.
                var hit = hits.remove(at: k)
                hit.position = best
                let at = hits.firstIndex { $0.position > best } ?? hits.count
                hits.insert(hit, at: at)
            }
            #if SIM_INTERNAL_CHECKS
            assert(expected?.id == first.id, "StepOneOrder took \(first.id), the array's order \(String(describing: expected?.id))")
            #endif
            return first
        }

        /// The first pop's pass over every candidate: the greatest lower bounds, and the candidates whose upper bound
        /// reaches the least of them so far, in position order.
        private mutating func firstPass(_ hits: inout [Hit]) {
            hits.removeAll(keepingCapacity: true)
            var position = 0
            let w = waiting.count
            var tops = 0
            // Four slots in plain memory (a SIMD vector indexed by a variable went through the stack at every step).
            var lows = (-Double.infinity, -Double.infinity, -Double.infinity, -Double.infinity)
            var sources = (-1, -1, -1, -1)
            withUnsafeMutableBytes(of: &lows) { lowBytes in
                withUnsafeMutableBytes(of: &sources) { sourceBytes in
                    let low = lowBytes.bindMemory(to: Double.self)
                    let src = sourceBytes.bindMemory(to: Int.self)
                    waiting.withUnsafeBufferPointer { jobs in
                        forEachRemaining { source in
                            var lo = -Double.infinity
                            var hi = Double.infinity
                            if source < w {
                                if jobs[source].boundable {
                                    (lo, hi) = ThemisPolicy.bounds(jobs[source], nowSeconds: nowSeconds, share: share)
                                }
                            } else {
                                lo = leases[source - w].lo
                                hi = leases[source - w].hi
                            }
                            if tops < 4 || lo > low[3] {
                                // Insert, greatest first (after equal ones), dropping the least when full.
                                var k = min(tops, 3)
                                while k > 0 && low[k - 1] < lo {
                                    low[k] = low[k - 1]
                                    src[k] = src[k - 1]
                                    k -= 1
                                }
                                low[k] = lo
                                src[k] = source
                                tops = min(tops + 1, 4)
                            }
                            if tops < 4 || hi >= low[3] { hits.append(Hit(position: position, source: source, hi: hi)) }
                            position += 1
                        }
                    }
                }
            }
            topLo = SIMD4(lows.0, lows.1, lows.2, lows.3)
            topSource = SIMD4(sources.0, sources.1, sources.2, sources.3)
            topCount = tops
        }

        /// The source at `position` (not spilled).
        private func source(at position: Int) -> Int {
            for k in 0..<moved where movedTo[k] == position { return movedFrom[k] }
            return position
        }

        /// The swap-with-last removal of the candidate at `position`.
        private mutating func remove(at position: Int) {
            let last = count - 1
            var lastSource = last
            if moved > 0 && movedTo[moved - 1] == last {  // positions ascend: only the last entry can be `last`
                lastSource = movedFrom[moved - 1]
                moved -= 1
            }
            count -= 1
            guard position != last else { return }
            for k in 0..<moved where movedTo[k] == position {
                movedFrom[k] = lastSource
                return
            }
            // Insert (position, lastSource) keeping positions ascending.
            var k = moved
            while k > 0 && movedTo[k - 1] > position {
                movedTo[k] = movedTo[k - 1]
                movedFrom[k] = movedFrom[k - 1]
                k -= 1
            }
            movedTo[k] = position
            movedFrom[k] = lastSource
            moved += 1
        }
    }

    /// Takes candidates out of an array in the round's order: the first few by a linear scan for the best (a round
    /// usually needs one or two: a heap or a sort of every waiting job at every lease expiry dominated), then, if
    /// more are wanted, from a heap built of the rest. Keys are unique (ties break on JobID), so the order taken does
    /// not depend on how the array is arranged.
    private struct LazyOrder {
        private var taken = 0
        private var isHeap = false

        /// Candidates taken by linear scans before the rest are heaped.
        static let scans = 4

        /// An order that starts where one that already took `taken` candidates by scans stands.
        init(taken: Int = 0) { self.taken = taken }

        /// Removes and returns the first candidate of `items` in the round's order, nil when empty; `resolve`
        /// computes a candidate's exact ρ. A scan computes it only for the candidates whose upper bound reaches the
        /// greatest lower bound: any other one is below that candidate, strictly (no tie to break either).
        mutating func popFirst(_ items: inout [Candidate], _ resolve: (inout Candidate) -> Void) -> Candidate? {
            guard !items.isEmpty else { return nil }
            taken += 1
            if !isHeap && taken <= Self.scans {
                var floor = -Double.infinity
                for c in items where c.lo > floor { floor = c.lo }
                var best = -1
                for i in items.indices where items[i].hi >= floor {
                    resolve(&items[i])
                    if best < 0 || Candidate.before(items[i], items[best]) { best = i }
                }
                let c = items[best]
                items.swapAt(best, items.count - 1)
                items.removeLast()
                return c
            }
            if !isHeap {
                for i in items.indices { resolve(&items[i]) }
                MinHeap<Candidate>.heapify(&items)
                isHeap = true
            }
            return MinHeap<Candidate>.popFirst(&items)
        }
    }
}

/// One job's lease end, ordered by (end, job).
private struct LeaseEnd: HeapOrdered {
    var end: SimTime
    var job: Int32

    static func precedes(_ a: LeaseEnd, _ b: LeaseEnd) -> Bool { a.end != b.end ? a.end < b.end : a.job < b.job }
}
