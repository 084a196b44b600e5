import ClusterModel

/// A policy that runs in another process — Python, or anything that reads and writes lines of JSON — speaking the
/// external-policy protocol (`PolicyWire`; docs/external-policies.md) over its standard input and output, in the
/// manner of Batsim's decision processes (Dutot, Mercier, Poquet, Richard, "Batsim: a Realistic
/// Language-Independent Resources and Jobs Management Systems Simulator", JSSPP 2016; its protocol:
/// https://batsim.readthedocs.io/en/latest/protocol.html), with SchedLab's own messages and typed decisions.
///
/// In a scenario: `policy: {name: external, command: [python3, my_policy.py], params: {...}, timeout_s: 10}`. The
/// process starts at the first round (in the scenario file's directory), receives `hello` with `params`, then each
/// round's delta, and answers with the same typed decisions Swift policies return (`DecisionCodec`), which the
/// engine validates as usual. It is told `end` and reaped when the run is over.
///
/// Failures end the run as failed (`SimulationError.policyFailed`) with the round, the simulated time, what was
/// wrong and the process's last standard-error lines: it cannot be started, exits, takes longer than `timeout_s` to
/// answer a round, answers with something that is not a decision list, or makes a decision the engine rejects.
/// The process is killed and reaped at once; no zombie is left.
///
/// Determinism: the run is a function of the scenario, the seed, SchedLab's code and the policy's files as long as
/// the process itself is deterministic (the protocol sends everything in a fixed order); the scenario loader hashes
/// the command's file arguments and `files` into the scenario hash.
/// - Complexity: per round, O(changed jobs + live jobs + nodes) to build the delta, plus the process's own work and
///   one round trip through the pipes.
public struct ExternalPolicy: SchedulingPolicy {
    public static let name = "external"

    /// How to run the policy process.
    public struct Configuration: Sendable, Equatable {
        /// The program and its arguments (`policy.command`); the program is searched on PATH when it has no slash.
        public var command: [String]
        /// Where the process runs (the scenario file's directory); nil: SchedLab's own working directory.
        public var workingDirectory: String?
        /// Wall-clock seconds the process may take to answer one round, or `hello` (`policy.timeout_s`).
        public var timeoutSeconds: Double
        /// `policy.params`, sent to the process in `hello`.
        public var parameters: JSONValue

        /// Creates a configuration.
        public init(
            command: [String], workingDirectory: String? = nil, timeoutSeconds: Double = ExternalPolicy.defaultTimeoutSeconds,
            parameters: JSONValue = .object([])
        ) {
            self.command = command
            self.workingDirectory = workingDirectory
            self.timeoutSeconds = timeoutSeconds
            self.parameters = parameters
        }
    }

    /// The per-round timeout when the scenario gives none, seconds.
    public static let defaultTimeoutSeconds = 10.0

    /// Lines for `schedlab info policies`: the fields beside `params` that configure the process.
    static let documentation = [
        "command (beside params): the program and its arguments, e.g. [python3, my_policy.py]; runs in the scenario's directory (required)",
        "timeout_s (beside params): wall-clock seconds the process may take to answer one round (\(Int(defaultTimeoutSeconds)))",
        "files (beside params): more files the process reads (weights, modules), hashed into the run's provenance with the command's file arguments ([])",
        "params: any mapping, sent to the process as JSON in its hello message ({})",
    ]

    /// The error of building an external policy from its parameters alone: it needs `policy.command`.
    public static let needsCommand = MissingCommand()

    /// The error of an external policy without a command.
    public struct MissingCommand: Error, Sendable, CustomStringConvertible {
        public var description: String {
            "policy 'external' needs 'command' beside its params: the program and its arguments, e.g. "
                + "policy: {name: external, command: [python3, my_policy.py]} (on the command line: "
                + "--policy external --set 'policy.command=[python3, my_policy.py]')"
        }
    }

    /// How the process is run.
    public var configuration: Configuration
    private var session: ExternalPolicySession?

    /// Creates the policy; nothing starts until the first round.
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// The process's ID once started (for tests that check it was reaped).
    public var processID: Int32? { session?.processID }
    /// Whether the process has been started and not yet reaped.
    public var processIsRunning: Bool { session?.processIsRunning ?? false }
    /// Rounds sent to the process so far.
    public var rounds: Int { session?.round ?? 0 }

    /// The decisions of `decide`, or none once the process has failed (the engine calls `decide`, which reports
    /// the failure; this is for callers that drive a policy by hand).
    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        (try? decide(s, planner: &planner)) ?? []
    }

    public mutating func decide(
        _ s: ClusterSnapshot, planner: inout PlacementPlanner
    ) throws(PolicyFailure) -> [SchedulingDecision] {
        if session == nil { session = ExternalPolicySession(configuration) }
        return try session!.decide(s, planner: &planner)
    }

    public mutating func rejected(_ decision: SchedulingDecision, reason: String) -> PolicyFailure? {
        session?.rejected(decision, reason: reason)
    }

    /// Ends the process now (`end`, a grace period of one timeout, then SIGKILL) instead of when the last copy of
    /// this policy goes away.
    public mutating func finish() { session?.finish() }
}
