import ClusterModel
import Scheduling
import SimKernel

/// Why a simulation stopped before its events ran out.
public enum SimulationError: Error, Sendable, CustomStringConvertible {
    /// The policy asked for something the state does not allow; nothing of that decision was applied.
    case invalidDecision(policy: String, time: SimTime, decision: SchedulingDecision, reason: String)
    /// An internal consistency check failed after an event (an engine bug; only in checked builds).
    case invariantViolated(time: SimTime, event: SimEvent, message: String)
    /// Jobs wait, nothing runs and nothing else can happen, yet the policy's rounds (its own wake-ups) keep starting
    /// nothing: the run would never end.
    case stalled(policy: String, time: SimTime, waiting: Int, rounds: Int)
    /// The policy could not decide a round (an external policy's process crashed, hung, answered garbage) or, for a
    /// policy that explains its rejections, made an invalid decision; nothing of that round was applied.
    case policyFailed(policy: String, time: SimTime, failure: PolicyFailure)
    /// A job's completion or transition would fall past the simulated clock's range (Int64 nanoseconds, 292 years):
    /// its work at the speed it got (input link bandwidths, efficiencies, sharing) takes longer than the clock holds.
    case beyondClock(time: SimTime, job: JobID, seconds: Double)
    /// `SimulationOptions.shouldStop` asked the run to stop (a signal): it stopped at simulated time `time`, between
    /// two events, after `events` events.
    case interrupted(time: SimTime, events: Int)

    public var description: String {
        switch self {
        case .invalidDecision(let policy, let time, let decision, let reason):
            return "policy '\(policy)' at t=\(time.seconds) s made an invalid decision (\(decision)): \(reason)"
        case .invariantViolated(let time, let event, let message):
            return "invariant violated at t=\(time.seconds) s after \(event): \(message)"
        case .stalled(let policy, let time, let waiting, let rounds):
            return "policy '\(policy)' stalled at t=\(time.seconds) s: \(waiting) jobs wait on an idle cluster with nothing "
                + "left to happen, and its last \(rounds) rounds started nothing"
        case .policyFailed(let policy, let time, let failure):
            return "policy '\(policy)' at t=\(time.seconds) s failed: \(failure)"
        case .beyondClock(let time, let job, let seconds):
            return "at t=\(time.seconds) s job \(job.index) would need \(seconds) s more, past the simulated clock's range (292 years): "
                + "its work is too slow at the speed it got (link bandwidths, efficiencies, sharing)"
        case .interrupted(let time, let events):
            return "interrupted at t=\(time.seconds) s after \(events) events"
        }
    }
}

/// Why a set of jobs cannot be simulated on a cluster at all.
public struct JobSetupProblem: Sendable, Equatable, CustomStringConvertible {
    /// The job at fault.
    public var job: JobID
    /// Its name in its source.
    public var name: String
    /// What is wrong.
    public var message: String
    /// Which property of the job is at fault.
    public var cause: Cause

    /// The property of a job that makes it impossible to run.
    public enum Cause: Sendable, Equatable {
        /// Its required GPU type is not in the cluster.
        case gpuType
        /// Its model needs more memory than every GPU it may use has.
        case model
        /// It needs more GPUs than the cluster has of the types it may use.
        case gpuCount
    }

    public var description: String { "job '\(name)': \(message)" }
}
