import ClusterModel
import ExternalProcess
import SimKernel

/// One external policy process for one run: starts it at the first round, says `hello`, sends each round's delta
/// and reads its decisions (answering its requests in between), and ends it when the run is over.
///
/// Any failure — the process cannot start, exits, hangs past the per-round timeout, writes something that is not a
/// reply, or makes a decision the engine rejects — kills and reaps the process at once and becomes a
/// `PolicyFailure` naming the round and what went wrong, with the process's last standard-error lines; every later
/// round fails the same way. A class: the process is a resource with one owner, released in `deinit` (so a run that
/// is abandoned still ends its process).
final class ExternalPolicySession {
    let configuration: ExternalPolicy.Configuration
    private var process: ChildProcess?
    private var feed = StateFeed()
    private var writer = JSONWriter()
    /// Rounds sent so far (the current round's number while it is decided).
    private(set) var round = 0
    private var failure: PolicyFailure?
    private var lastDecisions: [SchedulingDecision] = []
    private var lastNow = SimTime.zero

    init(_ configuration: ExternalPolicy.Configuration) { self.configuration = configuration }

    deinit { finish() }

    /// The process's ID while it runs (and after, until the session goes).
    var processID: Int32? { process?.pid }

    /// Whether the process has been started and not yet reaped.
    var processIsRunning: Bool { process?.isRunning ?? false }

    /// This round's decisions from the process.
    func decide(_ s: ClusterSnapshot, planner: inout PlacementPlanner) throws(PolicyFailure) -> [SchedulingDecision] {
        if let failure { throw failure }
        if process == nil { try start(s, placement: planner.strategy.name) }
        round += 1
        lastNow = s.now
        writer.reset()
        feed.writeRound(s, round: round, into: &writer)
        let deadline = Deadline(secondsFromNow: configuration.timeoutSeconds)
        do {
            try process!.send(writer.bytes, deadline: deadline)
            while true {
                let line = try process!.readLine(deadline: deadline)
                let reply: JSONValue
                do {
                    reply = try JSONParser.parse(line)
                } catch {
                    throw fail("malformed reply, not JSON (\(error)): \(Self.excerpt(line))")
                }
                if case .object = reply {
                    try answer(reply, s, deadline: deadline)
                    continue
                }
                do {
                    lastDecisions = try DecisionCodec.decode(reply, s, planner: &planner)
                } catch {
                    throw fail("bad reply: \(error)")
                }
                return lastDecisions
            }
        } catch let e as PolicyFailure {
            throw e
        } catch let e as ChildProcessError {
            throw fail(describe(e))
        } catch {
            throw fail("\(error)")
        }
    }

    /// The failure to report for the engine's rejection of `decision`: the round, the decision's place in the reply
    /// and the engine's reason, with the process's stderr.
    func rejected(_ decision: SchedulingDecision, reason: String) -> PolicyFailure {
        let place = lastDecisions.firstIndex(of: decision).map { "reply[\($0)]" } ?? "a decision"
        return fail("invalid decision \(place) (\(decision)): \(reason)")
    }

    /// Ends the process: `end`, then a grace period of one timeout to exit, then SIGKILL; always reaped.
    func finish() {
        guard let process, failure == nil, process.isRunning else {
            process?.kill()
            return
        }
        writer.reset()
        StateFeed.writeEnd(rounds: round, now: lastNow, into: &writer)
        try? process.send(writer.bytes, deadline: Deadline(secondsFromNow: min(configuration.timeoutSeconds, 5)))
        process.stop(grace: configuration.timeoutSeconds)
    }

    // MARK: - Internals

    /// Starts the process and exchanges `hello`.
    private func start(_ s: ClusterSnapshot, placement: String) throws(PolicyFailure) {
        do {
            process = try ChildProcess(arguments: configuration.command, workingDirectory: configuration.workingDirectory)
        } catch {
            throw fail("cannot start the policy process: \(error)")
        }
        writer.reset()
        feed.writeHello(s, policy: ExternalPolicy.name, parameters: configuration.parameters, placement: placement, into: &writer)
        let reply: JSONValue
        do {
            let line = try process!.exchange(writer.bytes, deadline: Deadline(secondsFromNow: configuration.timeoutSeconds))
            do {
                reply = try JSONParser.parse(line)
            } catch {
                throw fail("malformed answer to hello, not JSON (\(error)): \(Self.excerpt(line))")
            }
        } catch let e as PolicyFailure {
            throw e
        } catch let e as ChildProcessError {
            throw fail(describe(e))
        } catch {
            throw fail("\(error)")
        }
        guard case .int(let version) = reply["protocol"] ?? .null else {
            throw fail("the answer to hello must be an object with the protocol version, {\"protocol\": \(PolicyWire.version)}; got \(reply.summary)")
        }
        guard version == PolicyWire.version else {
            throw fail("the policy speaks protocol version \(version); this SchedLab speaks version \(PolicyWire.version)")
        }
    }

    /// Answers a request object (`full_state`, `rate`) within the round.
    private func answer(_ request: JSONValue, _ s: ClusterSnapshot, deadline: Deadline) throws {
        guard case .string(let kind) = request["request"] ?? .null else {
            throw fail("bad reply: an object must be a request such as {\"request\": \"full_state\"}, "
                + "and a decision list a JSON list; got an object without a 'request' name")
        }
        var w = JSONWriter()
        switch kind {
        case "full_state":
            feed.writeFullState(s, round: round, into: &w)
        case "rate":
            guard case .int(let job) = request["job"] ?? .null, job >= 0, job < Int64(s.jobs.count) else {
                throw fail("bad request: rate needs 'job', a job ID from 0 to \(s.jobs.count - 1)")
            }
            let spec = s.jobs[Int(job)].spec
            var rate: Double?
            if case .array(let items) = request["gpus"] ?? .null {
                var gpus: [GPUID] = []
                for item in items {
                    guard case .int(let g) = item, g >= 0, g < Int64(s.topology.gpuCount) else {
                        throw fail("bad request: rate 'gpus' must list GPU IDs from 0 to \(s.topology.gpuCount - 1); got \(item.summary)")
                    }
                    gpus.append(GPUID(Int(g)))
                }
                guard !gpus.isEmpty else { throw fail("bad request: rate 'gpus' is empty") }
                rate = s.oracle?.rate(of: spec, on: gpus)
            } else if case .int(let type) = request["gpu_type"] ?? .null, case .int(let count) = request["count"] ?? .null {
                guard type >= 0, type < Int64(s.topology.gpuTypes.count), count > 0 else {
                    throw fail("bad request: rate needs a 'gpu_type' index from 0 to \(s.topology.gpuTypes.count - 1) and a 'count' > 0")
                }
                rate = s.oracle?.rate(of: spec, gpuType: Int(type), count: Int(count))
            } else {
                throw fail("bad request: rate needs 'gpus' (a list of GPU IDs) or 'gpu_type' and 'count'")
            }
            w.raw("{\"type\":\"rate\",\"rate\":")
            if let rate { w.double(rate) } else { w.raw("null") }
            w.raw("}\n")
        default:
            throw fail("bad request: unknown request '\(kind)'; expected full_state or rate")
        }
        try process!.send(w.bytes, deadline: deadline)
    }

    /// Records and returns the failure of the current phase, killing and reaping the process.
    private func fail(_ what: String) -> PolicyFailure {
        var detail: [String] = []
        if let process {
            process.drainStandardError()
            process.kill()
            detail = process.stderrTail.recentLines
            if !detail.isEmpty { detail.insert("last lines the policy process wrote to stderr:", at: 0) }
        }
        let phase = round == 0 ? "start-up (hello)" : "round \(round)"
        let f = PolicyFailure(message: "\(phase): \(what)", detail: detail)
        failure = f
        return f
    }

    private var commandText: String { configuration.command.joined(separator: " ") }

    private func describe(_ e: ChildProcessError) -> String {
        switch e {
        case .closedOutput(let status):
            return "the policy process (\(commandText)) \(status?.description ?? "closed its output") before replying"
        case .closedInput(let status):
            return "the policy process (\(commandText)) stopped reading its input; it \(status?.description ?? "closed it")"
        case .timedOut(let seconds):
            return "no reply within the per-round timeout of \(seconds) s (policy.timeout_s); the policy process (\(commandText)) was killed"
        case .lineTooLong(let limit):
            return "malformed reply: a line longer than \(limit) bytes"
        case .startFailed, .system:
            return "\(e) (\(commandText))"
        }
    }

    /// The start of a reply line, for error messages.
    private static func excerpt(_ line: ArraySlice<UInt8>) -> String {
        let text = String(decoding: line.prefix(160), as: UTF8.self)
        return line.count > 160 ? "'\(text)…'" : "'\(text)'"
    }
}
