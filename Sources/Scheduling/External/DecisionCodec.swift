import ClusterModel
import SimKernel

/// Decisions on the wire of the external-policy protocol: a JSON list of one-key objects naming the decision and
/// its job, with `gpus` (a list of GPU IDs) and `mode` where the decision takes them:
///
///     [{"start": 3, "gpus": [0, 1]}, {"start": 4}, {"share": 5, "gpus": [2], "mode": "packed"},
///      {"preempt": 6}, {"resize": 7, "gpus": [8, 9, 10]}, {"migrate": 8, "gpus": [11]}, {"wake_up": 5000000000}]
///
/// The same cases as `SchedulingDecision`; a `start` without `gpus` is placed by the run's placement strategy, as
/// a Swift policy's `planner.place` would (in reply order, after the GPUs the earlier decisions take or free).
/// `wake_up` is integer nanoseconds of simulated time. Decoding checks only the shape; the engine validates the
/// decisions against the state as it does for every policy.
public enum DecisionCodec {
    /// A reply that is not a decision list: the field path at fault and what was expected there.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        /// Where, e.g. `reply[2].gpus[0]`.
        public var path: String
        /// What was expected, with what was found.
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// The member naming each decision, in `SchedulingDecision`'s order.
    public static let operations = ["start", "share", "preempt", "resize", "migrate", "wake_up"]

    /// Decodes a reply into decisions, placing GPU-less starts with `planner` (which also records the GPUs the
    /// other decisions take or free, so those placements avoid them).
    public static func decode(
        _ reply: JSONValue, _ s: ClusterSnapshot, planner: inout PlacementPlanner
    ) throws(Problem) -> [SchedulingDecision] {
        guard case .array(let items) = reply else {
            throw Problem(path: "reply", message: "expected a list of decisions, got \(reply.summary)")
        }
        var out: [SchedulingDecision] = []
        out.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            let path = "reply[\(k)]"
            guard case .object(let members) = item else {
                throw Problem(path: path, message: "expected a decision object such as {\"start\": 3, \"gpus\": [0, 1]}, got \(item.summary)")
            }
            var op: (name: String, value: JSONValue)?
            var gpus: [GPUID]?
            var mode: SharingMode?
            for m in members {
                if operations.contains(m.key) {
                    guard op == nil else {
                        throw Problem(path: path, message: "names two decisions, '\(op!.name)' and '\(m.key)'; one per object")
                    }
                    op = (m.key, m.value)
                } else if m.key == "gpus" {
                    gpus = try gpuList(m.value, path: path + ".gpus")
                } else if m.key == "mode" {
                    guard case .string(let name) = m.value, let parsed = PolicyWire.mode(named: name) else {
                        throw Problem(path: path + ".mode", message: "expected \"packed\" or \"time-sliced\", got \(m.value.summary)")
                    }
                    mode = parsed
                } else {
                    throw Problem(path: path, message: "unknown member '\(m.key)'; expected one of: \((operations + ["gpus", "mode"]).joined(separator: ", "))")
                }
            }
            guard let op else {
                throw Problem(path: path, message: "names no decision; expected one of: \(operations.joined(separator: ", "))")
            }
            let opPath = "\(path).\(op.name)"
            if op.name == "wake_up" {
                guard case .int(let ns) = op.value, ns >= 0 else {
                    throw Problem(path: opPath, message: "expected a time in integer nanoseconds >= 0, got \(op.value.summary)")
                }
                guard gpus == nil, mode == nil else { throw Problem(path: path, message: "wake_up takes no 'gpus' or 'mode'") }
                out.append(.wakeUp(at: SimTime(nanoseconds: ns)))
                continue
            }
            guard case .int(let raw) = op.value, raw >= 0, raw < Int64(s.jobs.count) else {
                throw Problem(path: opPath, message: "expected a job ID (an integer from 0 to \(s.jobs.count - 1)), got \(op.value.summary)")
            }
            let id = JobID(Int(raw))
            if op.name != "share" && mode != nil {
                throw Problem(path: path, message: "'mode' belongs to share decisions only")
            }
            switch op.name {
            case "start":
                if let gpus {
                    planner.claim(gpus, for: id)
                    out.append(.start(id, gpus: gpus))
                } else if s[id].state.isWaiting {
                    guard let placed = planner.place(id, count: s[id].gpuCount, types: s[id].eligibleTypes) else {
                        throw Problem(path: path, message: "start \(id) without 'gpus': the placement strategy '\(planner.strategy.name)' "
                            + "found no \(s[id].gpuCount) free GPUs of its types")
                    }
                    out.append(.start(id, gpus: placed))
                } else {
                    // Not waiting: left to the engine, which rejects it naming the job's state.
                    out.append(.start(id, gpus: []))
                }
            case "share":
                guard let gpus else { throw Problem(path: path, message: "share needs 'gpus'") }
                guard let mode else { throw Problem(path: path, message: "share needs 'mode' (\"packed\" or \"time-sliced\")") }
                out.append(.share(id, gpus: gpus, mode: mode))
            case "preempt":
                guard gpus == nil else { throw Problem(path: path, message: "preempt takes no 'gpus'") }
                if s[id].state == .running && s.preemptionFreesGPUsAtOnce(id) { planner.release(s[id].gpus, of: id) }
                out.append(.preempt(id))
            default:  // resize, migrate
                guard let gpus else { throw Problem(path: path, message: "\(op.name) needs 'gpus'") }
                let held = s[id].gpus
                planner.release(held.filter { !gpus.contains($0) }, of: id)
                planner.claim(gpus.filter { !held.contains($0) }, for: id)
                out.append(op.name == "resize" ? .resize(id, gpus: gpus) : .migrate(id, gpus: gpus))
            }
        }
        return out
    }

    /// Writes `decisions` as the wire's JSON list.
    public static func write(_ decisions: [SchedulingDecision], into w: inout JSONWriter) {
        func gpuList(_ gpus: [GPUID]) {
            w.raw(",\"gpus\":[")
            for (k, g) in gpus.enumerated() {
                if k > 0 { w.byte(UInt8(ascii: ",")) }
                w.int(g.index)
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.byte(UInt8(ascii: "["))
        for (k, d) in decisions.enumerated() {
            if k > 0 { w.byte(UInt8(ascii: ",")) }
            switch d {
            case .start(let id, let gpus):
                w.raw("{\"start\":")
                w.int(id.index)
                gpuList(gpus)
            case .share(let id, let gpus, let mode):
                w.raw("{\"share\":")
                w.int(id.index)
                gpuList(gpus)
                w.raw(",\"mode\":")
                w.string(PolicyWire.modeName(mode))
            case .preempt(let id):
                w.raw("{\"preempt\":")
                w.int(id.index)
            case .resize(let id, let gpus):
                w.raw("{\"resize\":")
                w.int(id.index)
                gpuList(gpus)
            case .migrate(let id, let gpus):
                w.raw("{\"migrate\":")
                w.int(id.index)
                gpuList(gpus)
            case .wakeUp(let t):
                w.raw("{\"wake_up\":")
                w.int(t.nanoseconds)
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
    }

    /// A list of GPU IDs.
    private static func gpuList(_ v: JSONValue, path: String) throws(Problem) -> [GPUID] {
        guard case .array(let items) = v else {
            throw Problem(path: path, message: "expected a list of GPU IDs, got \(v.summary)")
        }
        var out: [GPUID] = []
        out.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            guard case .int(let g) = item, g >= 0, g <= Int64(Int32.max) else {
                throw Problem(path: "\(path)[\(k)]", message: "expected a GPU ID (an integer >= 0), got \(item.summary)")
            }
            out.append(GPUID(Int(g)))
        }
        return out
    }
}
