import ClusterModel
import Performance
import SimKernel
import Workload

/// What an external policy has been told about the simulation, and the messages that bring it up to date: the
/// `hello`, each `round`'s delta, a `full_state` on request, and the `end` (see `PolicyWire`).
///
/// A round message holds only what changed since the previous one, so its size follows the events of the round,
/// not the size of the run. Jobs are checked where they can change: the "live" jobs (arrived and not yet known to
/// have finished, kept in JobID order), plus the jobs that arrived since the last round (arrivals come in JobID
/// order, so they are the next non-pending IDs). Everything is written in JobID, node or GPU order: no hash order.
public struct StateFeed {
    /// A job's status as last sent.
    struct Sent: Equatable {
        var state: JobState = .pending
        var gpus: [GPUID] = []
        var heldSince: Int64 = -1
        var expectedEnd: Int64 = -1
        var transitionEnd: Int64 = -1
        var firstStart: Int64 = -1
        var finish: Int64 = -1
        var runSeconds = 0.0
        var gpuSeconds = 0.0
        var remaining = 0.0
        var rate = 0.0
        var since: Int64 = 0
        var preemptions = 0
        var restarts = 0
        var migrations = 0
        var resizes = 0
        var failures = 0
        var checkpointSeconds = 0.0
    }

    private var sent: [Sent] = []
    private var live: [Int32] = []
    private var arrived = 0
    private var freeOnNode: [Int32] = []
    private var freeOfType: [Int32] = []
    private var down: [Bool] = []
    private var downSent = 0
    private var modes: [UInt8] = []
    private var costsAreFree = true

    /// A feed that has sent nothing.
    public init() {}

    /// Jobs the policy knows are arrived and unfinished.
    public var liveJobCount: Int { live.count }

    // MARK: - Messages

    /// The `hello` message: protocol version, policy parameters (`parameters`, a JSON object), cluster shape,
    /// placement strategy, sharing limit, transition costs, job count and the job record columns.
    public mutating func writeHello(
        _ s: ClusterSnapshot, policy: String, parameters: JSONValue, placement: String, into w: inout JSONWriter
    ) {
        let topo = s.topology
        costsAreFree = s.transitionCosts is FreeTransitions
        sent = Array(repeating: Sent(), count: s.jobs.count)
        freeOnNode = topo.nodeGPUCount
        freeOfType = Array(repeating: 0, count: topo.gpuTypes.count)
        for t in topo.gpuTypeIndex { freeOfType[Int(t)] += 1 }
        down = Array(repeating: false, count: topo.gpuCount)
        modes = Array(repeating: 0, count: s.cluster.maxJobsPerGPU > 1 ? topo.gpuCount : 0)

        w.raw("{\"type\":\"hello\",\"protocol\":")
        w.int(PolicyWire.version)
        w.raw(",\"policy\":")
        w.string(policy)
        w.raw(",\"params\":")
        w.value(parameters)
        w.raw(",\"placement\":")
        w.string(placement)
        w.raw(",\"max_jobs_per_gpu\":")
        w.int(s.cluster.maxJobsPerGPU)
        w.raw(",\"transitions\":")
        w.raw(costsAreFree ? "\"free\"" : "\"timed\"")
        w.raw(",\"gpu_types\":[")
        for (t, type) in topo.gpuTypes.enumerated() {
            if t > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"name\":")
            w.string(type.name)
            w.raw(",\"memory_gb\":")
            w.double(type.memoryGB)
            w.raw(",\"gpus\":")
            w.int(topo.gpuCount(ofType: t))
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"racks\":[")
        for (r, name) in topo.rackNames.enumerated() {
            if r > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(name)
        }
        w.raw("],\"nodes\":[")
        for n in 0..<topo.nodeCount {
            if n > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"rack\":")
            w.int(topo.nodeRack[n].index)
            w.raw(",\"type\":")
            w.int(Int(topo.nodeTypeIndex[n]))
            w.raw(",\"first_gpu\":")
            w.int(Int(topo.nodeFirstGPU[n]))
            w.raw(",\"gpus\":")
            w.int(Int(topo.nodeGPUCount[n]))
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"job_count\":")
        w.int(s.jobs.count)
        w.raw(",\"arrival_fields\":[")
        for (k, f) in PolicyWire.arrivalFields.enumerated() {
            if k > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(f)
        }
        w.raw("],\"job_fields\":[")
        for (k, f) in PolicyWire.jobFields.enumerated() {
            if k > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(f)
        }
        w.raw("]}\n")
    }

    /// The `round` message: what changed since the previous round (or since `hello`), and remembers it as sent.
    public mutating func writeRound(_ s: ClusterSnapshot, round: Int, into w: inout JSONWriter) {
        w.raw("{\"type\":\"round\",\"round\":")
        w.int(round)
        w.raw(",\"now\":")
        w.int(s.now.nanoseconds)

        // Arrivals: the static records, then (below, as live jobs) their first status records.
        let firstNew = arrived
        while arrived < s.jobs.count && s.jobs[arrived].state != .pending { arrived += 1 }
        if arrived > firstNew {
            w.raw(",\"arrived\":[")
            for i in firstNew..<arrived {
                if i > firstNew { w.byte(UInt8(ascii: ",")) }
                writeArrival(s, i, into: &w)
                live.append(Int32(i))
                // An arrival implies its first status: queued, holding nothing, all its work left (the protocol's
                // rule, `PolicyWire.arrivalFields`); a record follows below only if the job's status differs.
                sent[i] = Sent(state: .queued, remaining: WorkRate.units(of: s.jobs[i].spec))
            }
            w.byte(UInt8(ascii: "]"))
        }

        // Status records of live jobs that changed; finished jobs leave the live list once sent.
        var wroteJobs = false
        var keep = 0
        for k in 0..<live.count {
            let i = Int(live[k])
            // NOTE: most live jobs wait, and a waiting job's status changes only when it leaves the queue (start, or
            // nothing else in the engine's lifecycle, `JobState`): a cheap look at the fields that move skips the
            // full record for them (the full compare of every waiting job of every round was 3/4 of the feed's
            // time on a long queue). ProtocolTests' mirror check compares the deltas with the full state every
            // round, so an engine change that breaks this shows there.
            if sent[i].state.isWaiting && s.jobs[i].state == sent[i].state
                && s.progress.entries[i].remainingWork == sent[i].remaining && s.jobs[i].runSeconds == sent[i].runSeconds
                && s.jobs[i].preemptions == sent[i].preemptions && s.jobs[i].failures == sent[i].failures {
                live[keep] = live[k]
                keep += 1
                continue
            }
            var now = current(s, i)
            // Checkpoint cost is asked of the cost model only for records that changed otherwise (it follows from
            // the job and its GPUs).
            now.checkpointSeconds = sent[i].checkpointSeconds
            if now != sent[i] {
                if !costsAreFree { now.checkpointSeconds = checkpointSeconds(s, i) }
                w.raw(wroteJobs ? "," : ",\"jobs\":[")
                wroteJobs = true
                writeStatus(i, now, into: &w)
                sent[i] = now
            }
            if now.state != .finished {
                live[keep] = live[k]
                keep += 1
            }
        }
        live.removeLast(live.count - keep)
        if wroteJobs { w.byte(UInt8(ascii: "]")) }

        // Free GPUs by type, always (a few numbers); by node, the nodes that changed.
        let cluster = s.cluster
        w.raw(",\"free_type\":[")
        for t in 0..<cluster.freeOfType.count {
            if t > 0 { w.byte(UInt8(ascii: ",")) }
            w.int(Int(cluster.freeOfType[t]))
        }
        w.byte(UInt8(ascii: "]"))
        freeOfType = cluster.freeOfType
        var wroteNodes = false
        for n in 0..<cluster.freeOnNode.count where cluster.freeOnNode[n] != freeOnNode[n] {
            w.raw(wroteNodes ? ",[" : ",\"free_node\":[[")
            wroteNodes = true
            w.int(n)
            w.byte(UInt8(ascii: ","))
            w.int(Int(cluster.freeOnNode[n]))
            w.byte(UInt8(ascii: "]"))
            freeOnNode[n] = cluster.freeOnNode[n]
        }
        if wroteNodes { w.byte(UInt8(ascii: "]")) }

        // Down GPUs: scanned only while some are down or were down at the last round.
        if cluster.downGPUs > 0 || downSent > 0 {
            var wrote = false
            for g in 0..<down.count {
                let isDown = cluster.owner[g] == ClusterState.downOwner
                guard isDown != down[g] else { continue }
                w.raw(wrote ? ",[" : ",\"down\":[[")
                wrote = true
                w.int(g)
                w.raw(isDown ? ",true]" : ",false]")
                down[g] = isDown
            }
            if wrote { w.byte(UInt8(ascii: "]")) }
            downSent = cluster.downGPUs
        }

        // Sharing modes, only when GPUs may be shared.
        if !modes.isEmpty {
            var wrote = false
            for g in 0..<modes.count where cluster.sharingMode[g] != modes[g] {
                w.raw(wrote ? ",[" : ",\"modes\":[[")
                wrote = true
                w.int(g)
                w.byte(UInt8(ascii: ","))
                writeMode(cluster.sharingMode[g], into: &w)
                w.byte(UInt8(ascii: "]"))
                modes[g] = cluster.sharingMode[g]
            }
            if wrote { w.byte(UInt8(ascii: "]")) }
        }
        w.raw("}\n")
    }

    /// The `full_state` message, the answer to a policy's `{"request": "full_state"}` in round `round`: every
    /// arrived job's static and status records and the whole cluster state, with the same keys as a round message
    /// (a mirror that empties itself and applies it as a delta is up to date). Sent state is unchanged: after the
    /// round's delta it equals the current state.
    public func writeFullState(_ s: ClusterSnapshot, round: Int, into w: inout JSONWriter) {
        w.raw("{\"type\":\"full_state\",\"round\":")
        w.int(round)
        w.raw(",\"now\":")
        w.int(s.now.nanoseconds)
        w.raw(",\"arrived\":[")
        for i in 0..<arrived {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            writeArrival(s, i, into: &w)
        }
        w.raw("],\"jobs\":[")
        for i in 0..<arrived {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            var now = current(s, i)
            if !costsAreFree { now.checkpointSeconds = checkpointSeconds(s, i) }
            writeStatus(i, now, into: &w)
        }
        let cluster = s.cluster
        w.raw("],\"free_type\":[")
        for t in 0..<cluster.freeOfType.count {
            if t > 0 { w.byte(UInt8(ascii: ",")) }
            w.int(Int(cluster.freeOfType[t]))
        }
        w.raw("],\"free_node\":[")
        for n in 0..<cluster.freeOnNode.count {
            if n > 0 { w.byte(UInt8(ascii: ",")) }
            w.byte(UInt8(ascii: "["))
            w.int(n)
            w.byte(UInt8(ascii: ","))
            w.int(Int(cluster.freeOnNode[n]))
            w.byte(UInt8(ascii: "]"))
        }
        w.raw("],\"down\":[")
        var first = true
        for g in 0..<cluster.owner.count where cluster.owner[g] == ClusterState.downOwner {
            w.raw(first ? "[" : ",[")
            first = false
            w.int(g)
            w.raw(",true]")
        }
        w.raw("],\"modes\":[")
        first = true
        for g in 0..<cluster.sharingMode.count where cluster.sharingMode[g] != 0 {
            w.raw(first ? "[" : ",[")
            first = false
            w.int(g)
            w.byte(UInt8(ascii: ","))
            writeMode(cluster.sharingMode[g], into: &w)
            w.byte(UInt8(ascii: "]"))
        }
        w.raw("]}\n")
    }

    /// The `end` message: the run is over after `rounds` rounds, the last at `now`.
    public static func writeEnd(rounds: Int, now: SimTime, into w: inout JSONWriter) {
        w.raw("{\"type\":\"end\",\"round\":")
        w.int(rounds)
        w.raw(",\"now\":")
        w.int(now.nanoseconds)
        w.raw("}\n")
    }

    // MARK: - Records

    /// Job `i`'s status now (checkpoint seconds left at 0: computed only for records that changed).
    @inline(__always) private func current(_ s: ClusterSnapshot, _ i: Int) -> Sent {
        // NOTE: fields are read one by one from `s.jobs`; binding the status to a local would copy it (and retain
        // its strings) for every live job of every round.
        let p = s.progress.entries[i]
        return Sent(
            state: s.jobs[i].state, gpus: s.jobs[i].allocation.gpus,
            heldSince: s.jobs[i].heldSince?.nanoseconds ?? -1, expectedEnd: s.jobs[i].expectedEnd?.nanoseconds ?? -1,
            transitionEnd: s.jobs[i].transitionEnd?.nanoseconds ?? -1, firstStart: s.jobs[i].firstStart?.nanoseconds ?? -1,
            finish: s.jobs[i].finish?.nanoseconds ?? -1, runSeconds: s.jobs[i].runSeconds, gpuSeconds: s.jobs[i].gpuSeconds,
            remaining: p.remainingWork, rate: p.workRate, since: p.since.nanoseconds, preemptions: s.jobs[i].preemptions,
            restarts: s.jobs[i].restarts, migrations: s.jobs[i].migrations, resizes: s.jobs[i].resizes,
            failures: s.jobs[i].failures)
    }

    /// Seconds a preemption of job `i` would spend checkpointing now (0 unless it runs).
    private func checkpointSeconds(_ s: ClusterSnapshot, _ i: Int) -> Double {
        guard s.jobs[i].state == .running else { return 0 }
        let seconds = s.transitionCosts.seconds(.checkpoint, job: s.jobs[i], from: s.jobs[i].gpus, to: [])
        return seconds.isFinite ? seconds : 0
    }

    private func writeStatus(_ i: Int, _ j: Sent, into w: inout JSONWriter) {
        func time(_ ns: Int64) {
            if ns < 0 { w.raw("null") } else { w.int(ns) }
        }
        w.byte(UInt8(ascii: "["))
        w.int(i)
        w.raw(",\"")
        w.raw(Self.stateLiteral(j.state))
        w.raw("\",[")
        for (k, g) in j.gpus.enumerated() {
            if k > 0 { w.byte(UInt8(ascii: ",")) }
            w.int(g.index)
        }
        w.raw("],")
        time(j.heldSince)
        w.byte(UInt8(ascii: ","))
        time(j.expectedEnd)
        w.byte(UInt8(ascii: ","))
        time(j.transitionEnd)
        w.byte(UInt8(ascii: ","))
        time(j.firstStart)
        w.byte(UInt8(ascii: ","))
        time(j.finish)
        w.byte(UInt8(ascii: ","))
        w.double(j.runSeconds)
        w.byte(UInt8(ascii: ","))
        w.double(j.gpuSeconds)
        w.byte(UInt8(ascii: ","))
        w.double(j.remaining)
        w.byte(UInt8(ascii: ","))
        w.double(j.rate)
        w.byte(UInt8(ascii: ","))
        w.int(j.since)
        w.byte(UInt8(ascii: ","))
        w.int(j.preemptions)
        w.byte(UInt8(ascii: ","))
        w.int(j.restarts)
        w.byte(UInt8(ascii: ","))
        w.int(j.migrations)
        w.byte(UInt8(ascii: ","))
        w.int(j.resizes)
        w.byte(UInt8(ascii: ","))
        w.int(j.failures)
        w.byte(UInt8(ascii: ","))
        w.double(j.checkpointSeconds)
        w.byte(UInt8(ascii: "]"))
    }

    /// Job `i`'s static record (an array in the order of `PolicyWire.arrivalFields`): what it asks for and what is
    /// known about it on arrival.
    private func writeArrival(_ s: ClusterSnapshot, _ i: Int, into w: inout JSONWriter) {
        let spec = s.jobs[i].spec
        w.byte(UInt8(ascii: "["))
        w.int(i)
        w.byte(UInt8(ascii: ","))
        w.string(spec.name)
        w.byte(UInt8(ascii: ","))
        w.int(spec.submitTime.nanoseconds)
        w.byte(UInt8(ascii: ","))
        w.int(spec.gpuCount)
        w.byte(UInt8(ascii: ","))
        if let r = spec.gpuRange {
            w.byte(UInt8(ascii: "["))
            w.int(r.lowerBound)
            w.byte(UInt8(ascii: ","))
            w.int(r.upperBound)
            w.byte(UInt8(ascii: "]"))
        } else {
            w.raw("null")
        }
        w.raw(",[")
        var first = true
        for t in 0..<s.topology.gpuTypes.count where s.jobs[i].eligibleTypes.contains(t) {
            if !first { w.byte(UInt8(ascii: ",")) }
            first = false
            w.int(t)
        }
        w.raw("],")
        w.int(s.jobs[i].estimatedDuration.nanoseconds)
        w.byte(UInt8(ascii: ","))
        w.string(spec.zooModel?.name)
        w.byte(UInt8(ascii: ","))
        if let m = GPUSharingModel.memoryGB(of: spec.model) { w.double(m) } else { w.raw("null") }
        w.byte(UInt8(ascii: ","))
        w.double(WorkRate.units(of: spec))
        if case .iterations = spec.work { w.raw(",\"iterations\",") } else { w.raw(",\"duration\",") }
        w.double(s.progress.entries[i].referenceRate)
        w.byte(UInt8(ascii: ","))
        w.string(spec.gpuType)
        w.byte(UInt8(ascii: ","))
        w.string(spec.user)
        w.byte(UInt8(ascii: ","))
        w.int(spec.priority)
        w.byte(UInt8(ascii: ","))
        if let b = spec.globalBatch { w.int(b) } else { w.raw("null") }
        w.byte(UInt8(ascii: ","))
        if let t = spec.tenant { w.double(t.weight) } else { w.raw("null") }
        w.byte(UInt8(ascii: ","))
        if let q = spec.tenant?.quotaGPUs { w.int(q) } else { w.raw("null") }
        w.byte(UInt8(ascii: "]"))
    }

    private func writeMode(_ raw: UInt8, into w: inout JSONWriter) {
        if let mode = SharingMode(rawValue: raw) {
            w.string(PolicyWire.modeName(mode))
        } else {
            w.raw("null")
        }
    }

    /// A state's wire name as a static string (no allocation per record).
    private static func stateLiteral(_ state: JobState) -> StaticString {
        switch state {
        case .pending: return "pending"
        case .queued: return "queued"
        case .running: return "running"
        case .preempted: return "preempted"
        case .finished: return "finished"
        case .restoring: return "restoring"
        case .checkpointing: return "checkpointing"
        case .resizing: return "resizing"
        }
    }
}
