import ClusterModel
import SimKernel

/// One thing a policy asks the engine to do.
///
/// The engine validates a round's whole decision list against the state, each decision against what the
/// earlier ones leave, before it applies any: a round with an invalid decision applies nothing, and the run
/// fails with `SimulationError.invalidDecision` naming that decision.
public enum SchedulingDecision: Sendable, Equatable, CustomStringConvertible {
    /// Start (or resume) a waiting job on exactly these GPUs, held whole: as many as it requests, or, for a
    /// job with a GPU range, any count in it.
    case start(JobID, gpus: [GPUID])
    /// Start (or resume) a waiting job on these GPUs alongside the jobs already holding them (GPU sharing, `mode`:
    /// packed or time-sliced). Each GPU must be up, hold fewer jobs than the run allows per GPU, and be shared in
    /// `mode` already if shared at all; packing also needs every holder's memory footprint, and their sum must fit
    /// the GPU. Free GPUs in the list are simply taken.
    case share(JobID, gpus: [GPUID], mode: SharingMode)
    /// Stop a running job, keep its progress, and put it back in the queue (after its checkpoint, if the run
    /// charges one).
    case preempt(JobID)
    /// Give a running job a new GPU set of any count in its GPU range; the sets may overlap (GPUs in both stay
    /// held throughout).
    case resize(JobID, gpus: [GPUID])
    /// Move a running job to another GPU set of the same size; the sets may overlap.
    case migrate(JobID, gpus: [GPUID])
    /// Run the policy at this time even if nothing else happens. Replaces the policy's previous wake-up.
    case wakeUp(at: SimTime)

    public var description: String {
        func list(_ gpus: [GPUID]) -> String { "[\(gpus.map { String($0.raw) }.joined(separator: ","))]" }
        switch self {
        case .start(let j, let gpus): return "start \(j) on \(list(gpus))"
        case .share(let j, let gpus, let mode): return "share \(j) on \(list(gpus)) (\(mode))"
        case .preempt(let j): return "preempt \(j)"
        case .resize(let j, let gpus): return "resize \(j) to \(list(gpus))"
        case .migrate(let j, let gpus): return "migrate \(j) to \(list(gpus))"
        case .wakeUp(let t): return "wake up at \(t)"
        }
    }
}
