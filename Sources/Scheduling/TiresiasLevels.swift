import ClusterModel
import SimKernel
import Workload

/// Tiresias' queues kept across rounds, for its rounds without starvation promotion: the running and the waiting
/// jobs of each queue in JobID order, updated by what changed since the last round instead of rebuilt from every
/// running and waiting job (which was a third of a run of the whole ITP trace).
///
/// The round it computes is the one `TiresiasPolicy` documents, decision for decision and wake-up for wake-up:
/// - A waiting job's queue is fixed for its wait (its service does not change), computed when it is first seen
///   waiting. Jobs enter the waiting lists as arrivals (the newest JobIDs, at the queue's tail), as this policy's
///   free preemptions of the last round, or, when the queue holds more jobs than that accounts for (a checkpoint
///   ended, a failure re-queued a job), by a full pass over the queue; they leave only when this policy starts them.
/// - A running job's queue is computed when it is first seen running, and again only from shortly before the moment
///   its service reaches its queue's upper threshold (`margin`): attained service only grows while it runs, so
///   until then it cannot leave its queue. Those moments are kept in a heap.
/// - The wake-up is the earliest moment a running job reaches its next threshold, computed afresh at this round's
///   clock (as the scanning round does, to the nanosecond) for the jobs whose kept moment is within `margin` of
///   the earliest kept one: a kept moment, computed at an earlier round's clock, differs from the fresh one only by
///   rounding (nanoseconds), so no other job can be the earliest.
/// - On a cluster of one GPU type the greedy admission walks the queues only as far as it must (see
///   `admitOneType`), listing only the running jobs it refuses and the waiting ones it admits; otherwise the full
///   order goes to `PriorityRunningSet.decisions`.
/// Debug builds check the lists, the running jobs' queues and the wake-up against a fresh computation every round.
struct TiresiasLevels {
    /// Queue thresholds and the service measured, as in the policy's parameters.
    let thresholds: [Double]
    let service: TiresiasPolicy.Service
    /// Running and waiting jobs of each queue, ascending JobID.
    private var running: [[JobID]]
    private var waiting: [[JobID]]
    /// Each job's queue while tracked as running / waiting, −1 otherwise, by JobID index.
    private var runningLevel: [Int32] = []
    private var waitingLevel: [Int32] = []
    /// Each running job's allocation interval (read from its status when first seen running), by index.
    private var held: [TiresiasPolicy.Interval] = []
    /// Each job's requested GPUs (−1 until read) and whether it may use GPU type 0, by index: both fixed.
    private var request: [Int32] = []
    private var usesTypeZero: [Bool] = []
    /// Bumped whenever a job's entry in `crossings` becomes stale (it stopped, or its moment was recomputed).
    private var generation: [UInt32] = []
    /// When each running job below the last queue reaches its queue's upper threshold, as computed at some round.
    private var crossings = MinHeap<Crossing>()
    private var runningCount = 0
    private var runningGPUs = 0
    private var waitingCount = 0
    /// GPUs held by the running jobs of each queue, and the requests of each queue's waiting jobs that may use GPU
    /// type 0 (how many ask for each count): the admission takes a queue's running jobs whole while they all fit, and
    /// skips a queue's waiting jobs when none asks for few enough GPUs.
    private var queueGPUs: [Int]
    private var queueRequests: [RequestCounts]
    /// The highest JobID index ever listed as waiting: queued jobs above it are arrivals.
    private var newestListed = -1
    /// Jobs this policy preempted in the last round: waiting now unless their checkpoint takes time.
    private var preemptedLast: [JobID] = []
    /// Jobs this policy started that were not running at the last round (just started, or restoring): the only jobs
    /// that can begin running (it never resizes or migrates).
    private var startedNotRunning: [JobID] = []
    /// Round marks by JobID index (marks instead of sets: no hashing per job per round): seen running, seen waiting.
    private var seenIn: [UInt32] = []
    private var queuedIn: [UInt32] = []
    private var round: UInt32 = 0
    /// Round scratch, kept to reuse storage.
    private var order: [PriorityRunningSet.Entry] = []
    private var keep: [Bool] = []
    private var newlyRunning: [JobID] = []
    /// The jobs `dropStopped` last found stopped (storage kept between rounds).
    private var stopped: [JobID] = []
    private var rechecked: [Int32] = []
    private var candidates: [Crossing] = []

    /// How long before its kept threshold moment a running job's queue is recomputed (1 ms: far beyond the rounding
    /// of the kept moments, nanoseconds, and beyond the threshold slack, 1 µs(GPU)·s, at one GPU or more).
    static let margin: Int64 = 1_000_000

    init(thresholds: [Double], service: TiresiasPolicy.Service) {
        self.thresholds = thresholds
        self.service = service
        running = Array(repeating: [], count: thresholds.count + 1)
        waiting = Array(repeating: [], count: thresholds.count + 1)
        queueGPUs = Array(repeating: 0, count: thresholds.count + 1)
        queueRequests = Array(repeating: RequestCounts(), count: thresholds.count + 1)
    }

    // NOTE: the helpers are static and take what they read: non-mutating instance methods called from the mutating
    // round made Swift copy the whole struct (a retain of every array) per call.

    /// Attained service measured as `service` says.
    @inline(__always) private static func measure(_ a: AttainedService, _ service: TiresiasPolicy.Service) -> Double {
        TiresiasPolicy.measure(a, service)
    }

    @inline(__always) private static func level(of x: Double, _ thresholds: [Double]) -> Int {
        TiresiasPolicy.queue(forService: x, thresholds: thresholds)
    }

    /// The moment a job in queue `q` with service `x` now, holding `gpus`, reaches the queue's upper threshold; nil in
    /// the last queue. The same arithmetic as the policy's wake-up.
    @inline(__always) private static func crossing(
        _ now: SimTime, service x: Double, level q: Int, gpus: Int, _ thresholds: [Double], _ service: TiresiasPolicy.Service
    ) -> SimTime? {
        guard q < thresholds.count, gpus > 0 else { return nil }
        let rate = service == .gpuTime ? Double(gpus) : 1
        return TiresiasPolicy.after(now, seconds: (thresholds[q] - x) / rate)
    }

    /// One round: the decisions, and the earliest moment a job running after them reaches its next threshold
    /// (`.never` if none).
    mutating func round(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> (decisions: [SchedulingDecision], next: SimTime) {
        let now = s.now
        grow(to: s.jobs.count)
        round &+= 1
        if round == 0 {  // wrapped: clear the marks so an old round cannot look current
            for i in seenIn.indices { seenIn[i] = 0; queuedIn[i] = 0 }
            round = 1
        }
        syncWaiting(s)
        syncRunning(s)
        recheckLevels(now)
        #if SIM_INTERNAL_CHECKS
        checkLists(s)
        #endif

        var preempted: [JobID] = []
        var decisions: [SchedulingDecision]
        if s.topology.gpuTypes.count == 1 {
            admitOneType(free: Int(planner.cluster.freeOfType[0]))
            #if SIM_INTERNAL_CHECKS
            checkAdmission(planner)
            #endif
            decisions = PriorityRunningSet.decisions(order: order, keep: keep, s, planner: &planner, preempted: &preempted)
        } else {
            fullOrder()
            decisions = PriorityRunningSet.decisions(order: order, s, planner: &planner, preempted: &preempted)
        }

        var next = SimTime.never
        for d in decisions {
            guard case .start(let id, let gpus) = d else { continue }
            removeWaiting(id)
            startedNotRunning.append(id)
            let x = Self.measure(s.attainedService(of: id), service)
            if let c = Self.crossing(now, service: x, level: Self.level(of: x, thresholds), gpus: gpus.count, thresholds, service) { next = min(next, c) }
        }
        for id in preempted { removeRunning(id) }
        preemptedLast = preempted
        next = min(next, earliestRunningCrossing(now))
        #if SIM_INTERNAL_CHECKS
        var fresh = SimTime.never
        for q in running.indices {
            for id in running[q] {
                let x = Self.measure(held[id.index].service(at: now), service)
                if let c = Self.crossing(now, service: x, level: Self.level(of: x, thresholds), gpus: held[id.index].gpus, thresholds, service) { fresh = min(fresh, c) }
            }
        }
        for case .start(let id, let gpus) in decisions {
            let x = Self.measure(s.attainedService(of: id), service)
            if let c = Self.crossing(now, service: x, level: Self.level(of: x, thresholds), gpus: gpus.count, thresholds, service) { fresh = min(fresh, c) }
        }
        assert(fresh == next, "Tiresias' kept threshold moments missed the earliest: \(next) instead of \(fresh)")
        #endif
        return (decisions, next)
    }

    private mutating func grow(to n: Int) {
        guard runningLevel.count < n else { return }
        let extra = n - runningLevel.count
        runningLevel.append(contentsOf: repeatElement(-1, count: extra))
        waitingLevel.append(contentsOf: repeatElement(-1, count: extra))
        held.append(contentsOf: repeatElement(TiresiasPolicy.Interval(), count: extra))
        request.append(contentsOf: repeatElement(-1, count: extra))
        usesTypeZero.append(contentsOf: repeatElement(false, count: extra))
        generation.append(contentsOf: repeatElement(0, count: extra))
        seenIn.append(contentsOf: repeatElement(0, count: extra))
        queuedIn.append(contentsOf: repeatElement(0, count: extra))
    }

    // MARK: Waiting jobs

    /// Brings the waiting lists level with `s.queue`.
    private mutating func syncWaiting(_ s: ClusterSnapshot) {
        for id in preemptedLast where s.jobs[id.index].state.isWaiting { addWaiting(id, s) }
        preemptedLast.removeAll(keepingCapacity: true)
        // Arrivals: JobIDs above every one listed so far, at the queue's tail (it is in JobID order).
        var first = s.queue.count
        while first > 0 && s.queue[first - 1].index > newestListed { first -= 1 }
        for k in first..<s.queue.count { addWaiting(s.queue[k], s) }
        if waitingCount != s.queue.count { resyncWaiting(s) }
    }

    /// Lists a job first seen waiting in the queue its service gives it now.
    private mutating func addWaiting(_ id: JobID, _ s: ClusterSnapshot) {
        let i = id.index
        if request[i] < 0 {
            request[i] = Int32(s.jobs[i].spec.gpuCount)
            usesTypeZero[i] = s.jobs[i].eligibleTypes.bits & 1 != 0
        }
        let q = Self.level(of: Self.measure(s.attainedService(of: id), service), thresholds)
        waiting[q].insert(id, at: Self.position(of: id, in: waiting[q]))
        countWaiting(i, in: q)
    }

    /// Counts job i as waiting in queue q (listed there by the caller).
    private mutating func countWaiting(_ i: Int, in q: Int) {
        waitingLevel[i] = Int32(q)
        waitingCount += 1
        newestListed = max(newestListed, i)
        if usesTypeZero[i] { queueRequests[q].add(request[i]) }
    }

    private mutating func removeWaiting(_ id: JobID) {
        let q = Int(waitingLevel[id.index])
        let p = Self.position(of: id, in: waiting[q])
        precondition(p < waiting[q].count && waiting[q][p] == id, "\(id) is not in Tiresias' waiting list of queue \(q)")
        waiting[q].remove(at: p)
        waitingLevel[id.index] = -1
        waitingCount -= 1
        if usesTypeZero[id.index] { queueRequests[q].remove(request[id.index]) }
    }

    /// Rebuilds the waiting lists from the queue, keeping the queue of every job already listed.
    private mutating func resyncWaiting(_ s: ClusterSnapshot) {
        let stamp = round
        for id in s.queue { queuedIn[id.index] = stamp }
        for q in waiting.indices {
            for id in waiting[q] where queuedIn[id.index] != stamp { waitingLevel[id.index] = -1 }
            waiting[q].removeAll(keepingCapacity: true)
            queueRequests[q] = RequestCounts()
        }
        waitingCount = 0
        for id in s.queue {
            let i = id.index
            if waitingLevel[i] < 0 {
                addWaiting(id, s)
            } else {
                let q = Int(waitingLevel[i])
                waiting[q].append(id)  // the queue is in JobID order
                countWaiting(i, in: q)
            }
        }
    }

    // MARK: Running jobs

    /// Brings the running lists level with `s.running`: drops the jobs that stopped, adds the ones that began running.
    ///
    /// Jobs begin running only when this policy starts them (at once, or after a restore), so when the running jobs
    /// number those listed plus those of its starts that run now, none stopped and nothing else changed: the running
    /// list is not scanned. Otherwise (a completion, a failure) it is, and whatever differs is fixed.
    private mutating func syncRunning(_ s: ClusterSnapshot) {
        let stamp = round
        newlyRunning.removeAll(keepingCapacity: true)
        var restoring = 0
        for id in startedNotRunning {
            let state = s.jobs[id.index].state
            if state == .running && runningLevel[id.index] < 0 {
                newlyRunning.append(id)
            } else if state == .restoring {
                startedNotRunning[restoring] = id
                restoring += 1
            }
        }
        startedNotRunning.removeLast(startedNotRunning.count - restoring)
        if s.running.count != runningCount + newlyRunning.count {
            // Some listed jobs stopped (a completion, a failure): dropped by reading their states, without the full
            // scan below (which marks every running job and rewrites every list: a quarter of a run on the ITP trace,
            // where completions come every few rounds).
            dropStopped(s)
        }
        var stillRunning = runningCount
        if s.running.count != runningCount + newlyRunning.count {
            // Something else changed (a job running that this policy did not start, or one listed twice): the full scan.
            stillRunning = 0
            newlyRunning.removeAll(keepingCapacity: true)
            for id in s.running {
                seenIn[id.index] = stamp
                if runningLevel[id.index] >= 0 { stillRunning += 1 } else { newlyRunning.append(id) }
            }
        }
        if stillRunning != runningCount {
            // Some stopped (completed, failed, or preempted by another path): dropped from their lists.
            for q in running.indices {
                var kept = 0
                for k in running[q].indices {
                    let id = running[q][k]
                    if seenIn[id.index] == stamp {
                        running[q][kept] = id
                        kept += 1
                    } else {
                        forgetRunning(id)
                    }
                }
                running[q].removeLast(running[q].count - kept)
            }
        }
        for id in newlyRunning {
            let i = id.index
            held[i] = TiresiasPolicy.Interval(s.jobs[i])
            let x = Self.measure(held[i].service(at: s.now), service)
            let q = Self.level(of: x, thresholds)
            runningLevel[i] = Int32(q)
            running[q].insert(id, at: Self.position(of: id, in: running[q]))
            runningCount += 1
            runningGPUs += held[i].gpus
            queueGPUs[q] += held[i].gpus
            keepCrossing(i, now: s.now, service: x, level: q)
        }
        #if SIM_INTERNAL_CHECKS
        // Whichever way the lists were brought level (dropping stopped jobs by state, or the full scan), they now hold
        // exactly the running jobs, each once.
        let listed = running.joined().sorted()
        assert(listed == s.running.sorted() && runningCount == listed.count, "Tiresias' running lists lost track of the running jobs")
        #endif
    }

    /// Drops the listed jobs that no longer run from the running lists (a listed job is running exactly when its state
    /// is: the policy lists a job once it runs and unlists it when it preempts it).
    private mutating func dropStopped(_ s: ClusterSnapshot) {
        stopped.removeAll(keepingCapacity: true)
        var gone = stopped
        stopped = []
        s.states.withUnsafeBufferPointer { states in
            for q in running.indices {
                let kept = running[q].withUnsafeMutableBufferPointer { list -> Int in
                    var kept = 0
                    for k in 0..<list.count {
                        let id = list[k]
                        if states[id.index] == .running {
                            list[kept] = id
                            kept += 1
                        } else {
                            gone.append(id)
                        }
                    }
                    return kept
                }
                running[q].removeLast(running[q].count - kept)
            }
        }
        for id in gone { forgetRunning(id) }
        stopped = gone
    }

    /// Forgets a running job's queue and GPUs (not its place in the lists).
    private mutating func forgetRunning(_ id: JobID) {
        let i = id.index
        queueGPUs[Int(runningLevel[i])] -= held[i].gpus
        runningLevel[i] = -1
        runningCount -= 1
        runningGPUs -= held[i].gpus
        held[i].known = false
        generation[i] &+= 1
    }

    private mutating func removeRunning(_ id: JobID) {
        let q = Int(runningLevel[id.index])
        let p = Self.position(of: id, in: running[q])
        precondition(p < running[q].count && running[q][p] == id, "\(id) is not in Tiresias' running list of queue \(q)")
        running[q].remove(at: p)
        forgetRunning(id)
    }

    /// Keeps the moment job `i` (running, service `x` now, in queue `q`) reaches its queue's upper threshold.
    private mutating func keepCrossing(_ i: Int, now: SimTime, service x: Double, level q: Int) {
        generation[i] &+= 1
        // A moment past the clock's range (`.never`) is never reached: the job keeps its queue, and asks no wake-up.
        guard let c = Self.crossing(now, service: x, level: q, gpus: held[i].gpus, thresholds, service), c != .never else {
            return
        }
        crossings.insert(.init(time: c.nanoseconds, job: Int32(i), generation: generation[i]))
    }

    /// Whether a kept moment is still that of a running job (not stopped since, not recomputed).
    @inline(__always) private static func isCurrent(_ e: Crossing, _ runningLevel: [Int32], _ generation: [UInt32]) -> Bool {
        runningLevel[Int(e.job)] >= 0 && generation[Int(e.job)] == e.generation
    }

    /// Recomputes the queue of every running job within `margin` of its kept threshold moment, moving it to the
    /// queue its service gives it now.
    private mutating func recheckLevels(_ now: SimTime) {
        rechecked.removeAll(keepingCapacity: true)
        while let top = crossings.first, top.time - Self.margin <= now.nanoseconds {
            crossings.removeFirst()
            if Self.isCurrent(top, runningLevel, generation) { rechecked.append(top.job) }
        }
        for j in rechecked {
            let i = Int(j)
            let x = Self.measure(held[i].service(at: now), service)
            let q = Self.level(of: x, thresholds)
            let old = Int(runningLevel[i])
            if q != old {
                let id = JobID(i)
                running[old].remove(at: Self.position(of: id, in: running[old]))
                running[q].insert(id, at: Self.position(of: id, in: running[q]))
                runningLevel[i] = Int32(q)
                queueGPUs[old] -= held[i].gpus
                queueGPUs[q] += held[i].gpus
            }
            keepCrossing(i, now: now, service: x, level: q)
        }
    }

    /// The earliest moment a job running now reaches its next threshold, computed at `now`.
    private mutating func earliestRunningCrossing(_ now: SimTime) -> SimTime {
        while let top = crossings.first, !Self.isCurrent(top, runningLevel, generation) { crossings.removeFirst() }
        guard let top = crossings.first else { return .never }
        let bound = top.time > Int64.max - Self.margin ? Int64.max : top.time + Self.margin
        crossings.collect(into: &candidates) { $0.time <= bound }
        var next = SimTime.never
        for e in candidates where Self.isCurrent(e, runningLevel, generation) {
            let i = Int(e.job)
            let x = Self.measure(held[i].service(at: now), service)
            if let c = Self.crossing(now, service: x, level: Self.level(of: x, thresholds), gpus: held[i].gpus, thresholds, service) { next = min(next, c) }
        }
        return next
    }

    // MARK: Admission

    /// The greedy admission on one GPU type over the queues (each: running jobs, then waiting ones, in JobID order),
    /// as `PriorityRunningSet.admitOneType` makes it, listing in `order` only what decides something: the running
    /// jobs it refuses (to be preempted) and the waiting jobs it admits (to be started), with `keep`.
    ///
    /// Why whole queues can be skipped: let slack = GPUs left − GPUs of the running jobs not reached yet (at first, the
    /// free GPUs). A running job that fits leaves it unchanged, one refused raises it, an admitted waiting job lowers
    /// it. While it is ≥ 0 the next running job fits (what is left covers every running job still to come), so a
    /// queue reached with slack ≥ 0 keeps all of its running jobs; only admitted waiting jobs can push it below 0 and
    /// make later running jobs be refused. A queue's waiting jobs are skipped when none asks for at most what is left.
    private mutating func admitOneType(free: Int) {
        order.removeAll(keepingCapacity: true)
        keep.removeAll(keepingCapacity: true)
        var left = free + runningGPUs
        var unreached = runningGPUs  // GPUs of the running jobs not reached yet
        for q in running.indices {
            if left == 0 && unreached == 0 { return }
            if left >= unreached {
                left -= queueGPUs[q]
                unreached -= queueGPUs[q]
            } else {
                for id in running[q] {
                    let gpus = held[id.index].gpus
                    unreached -= gpus
                    if gpus <= left {
                        left -= gpus
                    } else {
                        order.append(PriorityRunningSet.Entry(id: id, kind: .running, gpus: gpus, usesTypeZero: true))
                        keep.append(false)
                    }
                }
            }
            guard left > 0, let smallest = queueRequests[q].smallest, smallest <= left else { continue }
            for id in waiting[q] {
                let i = id.index
                let gpus = Int(request[i])
                guard usesTypeZero[i] && gpus <= left else { continue }
                left -= gpus
                order.append(PriorityRunningSet.Entry(id: id, kind: .waiting, gpus: gpus, usesTypeZero: true))
                keep.append(true)
                if left < smallest { break }  // no later one can fit
            }
        }
    }

    /// Every running and waiting job in the round's order, for the admission on several GPU types.
    private mutating func fullOrder() {
        order.removeAll(keepingCapacity: true)
        for q in running.indices {
            for id in running[q] {
                order.append(PriorityRunningSet.Entry(id: id, kind: .running, gpus: held[id.index].gpus, usesTypeZero: true))
            }
            for id in waiting[q] {
                order.append(PriorityRunningSet.Entry(
                    id: id, kind: .waiting, gpus: Int(request[id.index]), usesTypeZero: usesTypeZero[id.index]))
            }
        }
    }

    /// Where `id` is, or belongs, in an ascending list.
    private static func position(of id: JobID, in list: [JobID]) -> Int {
        // Arrivals and most re-listings go to the end: checked first.
        if let last = list.last, last < id { return list.count }
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: Debug checks

    #if SIM_INTERNAL_CHECKS
    /// The lists hold exactly the running and waiting jobs, in JobID order, each in the queue a fresh look gives it.
    private func checkLists(_ s: ClusterSnapshot) {
        let listedRunning = running.flatMap { $0 }
        let listedWaiting = waiting.flatMap { $0 }
        assert(listedRunning.sorted() == s.running.sorted(), "Tiresias' running lists are stale")
        assert(listedWaiting.sorted() == Array(s.queue), "Tiresias' waiting lists are stale")
        assert(runningCount == s.running.count && waitingCount == s.queue.count, "Tiresias' counts are stale")
        assert(runningGPUs == s.running.reduce(0) { $0 + s.jobs[$1.index].allocation.gpus.count }, "Tiresias' GPU count is stale")
        for q in running.indices {
            assert(queueGPUs[q] == running[q].reduce(0) { $0 + held[$1.index].gpus }, "Tiresias' GPUs of queue \(q) are stale")
            var requests = RequestCounts()
            for id in waiting[q] where usesTypeZero[id.index] { requests.add(request[id.index]) }
            assert(requests.smallest == queueRequests[q].smallest, "Tiresias' smallest request of queue \(q) is stale")
        }
        for (q, list) in running.enumerated() {
            assert(zip(list, list.dropFirst()).allSatisfy { $0 < $1 }, "Tiresias' running list \(q) is out of order")
            for id in list {
                assert(held[id.index].service(at: s.now) == s.attainedService(of: id), "stale interval of running \(id)")
                assert(held[id.index].gpus == s.jobs[id.index].allocation.gpus.count, "stale GPU count of running \(id)")
                assert(Self.level(of: Self.measure(s.attainedService(of: id), service), thresholds) == q, "running \(id) is listed in the wrong queue")
            }
        }
        for (q, list) in waiting.enumerated() {
            assert(zip(list, list.dropFirst()).allSatisfy { $0 < $1 }, "Tiresias' waiting list \(q) is out of order")
            for id in list { assert(Self.level(of: Self.measure(s.attainedService(of: id), service), thresholds) == q, "waiting \(id) is listed in the wrong queue") }
        }
    }

    /// The admission agrees with `PriorityRunningSet.admitOneType` over the full order.
    private mutating func checkAdmission(_ planner: PlacementPlanner) {
        let (o, k) = (order, keep)
        fullOrder()
        let full = order
        let reference = PriorityRunningSet.admitOneType(order: full, planner: planner)
        let expected = zip(full, reference).filter { $0.0.kind == .running ? !$0.1 : $0.1 }
        assert(expected.map(\.0.id) == o.map(\.id) && expected.map(\.1) == k, "Tiresias' admission walk disagrees")
        order = o
        keep = k
    }
    #endif
}

/// How many waiting jobs ask for each GPU count (a handful of distinct counts), for the smallest request.
struct RequestCounts {
    /// (GPUs, jobs asking for them), ascending GPUs; counts may drop to 0.
    private var counts: [(gpus: Int32, jobs: Int)] = []

    /// The fewest GPUs any counted job asks for; nil when none is counted.
    var smallest: Int? {
        for c in counts where c.jobs > 0 { return Int(c.gpus) }
        return nil
    }

    mutating func add(_ gpus: Int32) {
        var k = 0
        while k < counts.count && counts[k].gpus < gpus { k += 1 }
        if k < counts.count && counts[k].gpus == gpus { counts[k].jobs += 1 } else { counts.insert((gpus, 1), at: k) }
    }

    mutating func remove(_ gpus: Int32) {
        guard let k = counts.firstIndex(where: { $0.gpus == gpus }) else { preconditionFailure("no waiting job asks for \(gpus) GPUs") }
        counts[k].jobs -= 1
    }
}

/// One kept threshold moment: nanoseconds, the job's index, and its generation when kept; ordered by (time, job).
struct Crossing: HeapOrdered {
    var time: Int64
    var job: Int32
    var generation: UInt32

    @inline(__always) static func precedes(_ a: Crossing, _ b: Crossing) -> Bool {
        a.time != b.time ? a.time < b.time : a.job < b.job
    }
}
