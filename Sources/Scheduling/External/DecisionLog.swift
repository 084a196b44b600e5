#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ClusterModel

/// A file of (state, decision) pairs from a run of any policy, for training learned policies: the external-policy
/// protocol's own messages, one per line — `hello`, then for each round the `round` delta SchedLab would send an
/// external policy, followed by a `decisions` line with the round's decisions as the policy returned them
/// (`{"type": "decisions", "round": N, "decisions": [...]}`, in `DecisionCodec`'s form).
///
/// Replaying the round messages through the Python helper's mirror (`schedlab_policy.read_decision_log`) rebuilds
/// the state each decision was made from. Written with `schedlab run --record-decisions FILE`
/// (`DecisionRecorder` wraps the policy). A class: it owns the open file.
public final class DecisionLog {
    /// The file written.
    public let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private var feed = StateFeed()
    private var writer = JSONWriter()
    private var round = 0
    private var failedWrite = false

    /// Why the log could not be written.
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        /// The file.
        public var path: String
        /// What went wrong.
        public var reason: String
        public var description: String { "\(path): cannot write the decision log (\(reason))" }
    }

    /// Creates (or truncates) the log at `path`.
    public init(path: String) throws(WriteError) {
        self.path = path
        guard let f = fopen(path, "w") else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        file = f
    }

    deinit { if let file { fclose(file) } }

    /// Rounds recorded so far.
    public var rounds: Int { round }

    /// Records one round: the state `s` (as a delta from the previous round) and the decisions made from it. The
    /// first round also writes `hello`, with the policy's name, `parameters`, and the placement strategy.
    public func record(
        _ s: ClusterSnapshot, decisions: [SchedulingDecision], policy: String, parameters: JSONValue, placement: String
    ) {
        guard let file else { return }
        writer.reset()
        if round == 0 { feed.writeHello(s, policy: policy, parameters: parameters, placement: placement, into: &writer) }
        round += 1
        feed.writeRound(s, round: round, into: &writer)
        writer.raw("{\"type\":\"decisions\",\"round\":")
        writer.int(round)
        writer.raw(",\"decisions\":")
        DecisionCodec.write(decisions, into: &writer)
        writer.raw("}\n")
        let bytes = writer.bytes
        if bytes.withUnsafeBytes({ fwrite($0.baseAddress, 1, $0.count, file) }) != bytes.count { failedWrite = true }
    }

    /// Flushes and closes the file; throws if any write failed (a full disk, say).
    public func close() throws(WriteError) {
        guard let f = file else { return }
        file = nil
        let closed = fclose(f) == 0
        guard closed && !failedWrite else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    }
}
