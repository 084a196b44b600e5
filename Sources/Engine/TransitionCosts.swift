import ClusterModel
import Scheduling

/// The kinds of timed transition a job can go through.
public enum TransitionKind: Sendable, Equatable {
    /// Loading state onto GPUs it was just given: the first start (`firstStart`) or a resume after preemption.
    case restore(firstStart: Bool)
    /// Saving state before giving GPUs back (a preemption).
    case checkpoint
    /// Moving to a GPU set of another size.
    case resize
    /// Moving to another GPU set of the same size.
    case migrate
}

/// How long each transition takes: simulated seconds during which the job holds its (new) GPUs and makes no
/// progress. Zero means the transition is instantaneous and the job never enters the timed state.
public protocol TransitionCostModel: Sendable {
    /// Seconds `kind` takes for `job`, moving from GPU set `from` to `to` (either may be empty).
    func seconds(_ kind: TransitionKind, job: JobStatus, from: [GPUID], to: [GPUID]) -> Double
}

/// Every transition is free, as in the Tiresias and Gavel simulators: the default, and what every run
/// recorded before timed transitions existed assumed.
public struct FreeTransitions: TransitionCostModel {
    /// Creates the model.
    public init() {}
    public func seconds(_ kind: TransitionKind, job: JobStatus, from: [GPUID], to: [GPUID]) -> Double { 0 }
}

/// The same fixed cost for every job: a restart penalty (Pollux's simulator charges 30 s on every
/// (re)allocation), or hand-computed tests.
public struct FixedTransitionCosts: TransitionCostModel, Equatable {
    /// Seconds of the first start's restore.
    public var firstStart: Double
    /// Seconds of a resume's restore.
    public var restore: Double
    /// Seconds of a preemption's checkpoint.
    public var checkpoint: Double
    /// Seconds of a resize.
    public var resize: Double
    /// Seconds of a migration.
    public var migrate: Double

    /// Creates the model; every cost defaults to 0.
    public init(firstStart: Double = 0, restore: Double = 0, checkpoint: Double = 0, resize: Double = 0, migrate: Double = 0) {
        self.firstStart = firstStart
        self.restore = restore
        self.checkpoint = checkpoint
        self.resize = resize
        self.migrate = migrate
    }

    public func seconds(_ kind: TransitionKind, job: JobStatus, from: [GPUID], to: [GPUID]) -> Double {
        switch kind {
        case .restore(let first): return first ? firstStart : restore
        case .checkpoint: return checkpoint
        case .resize: return resize
        case .migrate: return migrate
        }
    }
}
