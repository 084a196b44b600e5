import ClusterModel
import SimKernel

/// One thing a policy asks the engine to do. The engine checks each against the state before applying it.
public enum SchedulingDecision: Sendable, Equatable, CustomStringConvertible {
    /// Start (or resume) a waiting job on exactly these GPUs.
    case start(JobID, gpus: [GPUID])
    /// Stop a running job, keep its progress, and put it back in the queue.
    case preempt(JobID)
    /// Run the policy again at this time even if nothing else happens.
    case wakeUp(at: SimTime)

    public var description: String {
        switch self {
        case .start(let j, let gpus): return "start \(j) on [\(gpus.map { String($0.raw) }.joined(separator: ","))]"
        case .preempt(let j): return "preempt \(j)"
        case .wakeUp(let t): return "wake up at \(t)"
        }
    }
}
