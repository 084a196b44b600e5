import ClusterModel
import Workload

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

/// Checkpoint-restart costs from a job's state size and the storage bandwidth (the scenario's `checkpoint:`
/// section): a checkpoint writes the state, a restore reads it back, each plus a fixed overhead; a resize or a
/// migration is a checkpoint followed by a restore (the job is stopped and restarted on its new GPUs).
///
/// The state is the zoo model's device-memory footprint (parameters, optimizer state and activations: an upper
/// bound on what a checkpoint holds, which is what the zoo records), `stateGB` when set for every job, or
/// `defaultStateGB` for jobs without a model.
public struct CheckpointRestartCosts: TransitionCostModel, Equatable {
    /// Storage write bandwidth seen by one job, bytes per second (checkpoints).
    public var writeBytesPerSecond: Double
    /// Storage read bandwidth seen by one job, bytes per second (restores).
    public var readBytesPerSecond: Double
    /// Fixed seconds of every checkpoint (quiescing, metadata).
    public var saveOverheadSeconds: Double
    /// Fixed seconds of every restore (process and framework start).
    public var loadOverheadSeconds: Double
    /// State bytes of every job, overriding the zoo's footprint; nil to use the footprint.
    public var stateBytes: Double?
    /// State bytes of jobs without a zoo model (when `stateBytes` is nil).
    public var defaultStateBytes: Double
    /// Whether a job's first start pays the restore's fixed overhead (there is nothing to read yet), as Pollux's
    /// simulator charges its restart penalty on every allocation including the first.
    public var chargeFirstStart: Bool

    /// Creates the model.
    public init(
        writeBytesPerSecond: Double, readBytesPerSecond: Double, saveOverheadSeconds: Double = 0,
        loadOverheadSeconds: Double = 0, stateBytes: Double? = nil, defaultStateBytes: Double = 0, chargeFirstStart: Bool = false
    ) {
        self.writeBytesPerSecond = writeBytesPerSecond
        self.readBytesPerSecond = readBytesPerSecond
        self.saveOverheadSeconds = saveOverheadSeconds
        self.loadOverheadSeconds = loadOverheadSeconds
        self.stateBytes = stateBytes
        self.defaultStateBytes = defaultStateBytes
        self.chargeFirstStart = chargeFirstStart
    }

    /// The state bytes of `job`.
    public func state(of job: JobStatus) -> Double {
        stateBytes ?? job.spec.zooModel.map { $0.memoryGB * 1e9 } ?? defaultStateBytes
    }

    public func seconds(_ kind: TransitionKind, job: JobStatus, from: [GPUID], to: [GPUID]) -> Double {
        let save = saveOverheadSeconds + state(of: job) / writeBytesPerSecond
        let load = loadOverheadSeconds + state(of: job) / readBytesPerSecond
        switch kind {
        case .checkpoint: return save
        case .restore(let first): return first ? (chargeFirstStart ? loadOverheadSeconds : 0) : load
        case .resize, .migrate: return save + load
        }
    }
}
