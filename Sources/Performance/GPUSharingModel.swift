import Models

/// How fast jobs run when they share a GPU, how many may share one, and how much memory each needs there.
///
/// Two ways of sharing (`SharingMode`), as in Gandiva (Xiao et al., OSDI'18, §3–4):
/// - **packed**: the jobs run at once. A job's speed is its speed alone times a co-location factor per co-runner,
///   keyed by the pair of zoo models. The measured factors are Gavel's (Narayanan et al., OSDI'20) space-sharing
///   throughputs on a V100, github.com/stanford-futuredata/gavel, scheduler/simulation_throughputs.json (commit
///   c4fa400): for model a packed with b, factor = a's steps/s in the pair ÷ a's steps/s alone. Gavel measured
///   ResNet-50 at batch 64 (the zoo's reference batch is 256) and the other models at the zoo's reference batch.
///   Pairs not in the table get `defaultFactor`. With three or more jobs on a GPU the factors multiply (a
///   first-order extrapolation: no measurements beyond pairs are public).
/// - **time-sliced**: the jobs take turns in slices of `timeSliceSeconds`; each suspend/resume costs
///   `switchOverheadSeconds`. The engine models the round-robin as a fluid share: with k jobs each progresses at
///   1/k of its speed alone, less the switch overhead per slice. Averaged over one turn of all k this is exact;
///   a job's finish time can differ from a slice-by-slice simulation by at most one turn.
///
/// Memory: a packed GPU holds every job's footprint at once, so their sum must fit the GPU; a job without a zoo
/// model has no known footprint and can only be time-sliced. A data-parallel job runs at the pace of its slowest
/// GPU, so its factor is the smallest over the GPUs it holds.
public struct GPUSharingModel: Sendable, Equatable {
    /// Most jobs on one GPU by default.
    public static let defaultMaxJobsPerGPU = 2
    /// Factor for a packed pair missing from the table: half speed, what time-slicing the pair would give, so
    /// that an unmeasured pair is never assumed to gain from packing.
    public static let defaultPackedFactor = 0.5
    /// Gandiva's time slice: its jobs run in 60 s slices when they share GPUs (Xiao et al., OSDI'18, §4).
    public static let defaultTimeSliceSeconds = 60.0
    /// Suspend plus resume of one job, seconds. Gandiva suspends at a minibatch boundary, where little GPU memory
    /// is live, so a switch is a fraction of a second (OSDI'18 §4); 0.1 s is SchedLab's assumption of that order.
    public static let defaultSwitchOverheadSeconds = 0.1

    /// One measured pair: `model` runs at `factor` of its speed alone while packed with `with`.
    public struct MeasuredPair: Sendable, Equatable {
        /// The slowed job's zoo model.
        public var model: String
        /// The co-runner's zoo model.
        public var with: String
        /// Speed with the co-runner ÷ speed alone.
        public var factor: Double
    }

    /// Gavel's V100 space-sharing measurements for the zoo models it covers (see the type's documentation).
    public static let measured: [MeasuredPair] = [
        MeasuredPair(model: "resnet50", with: "resnet50", factor: 0.498),
        MeasuredPair(model: "resnet50", with: "resnet18", factor: 0.732),
        MeasuredPair(model: "resnet50", with: "transformer", factor: 0.638),
        MeasuredPair(model: "resnet50", with: "lm", factor: 0.688),
        MeasuredPair(model: "resnet18", with: "resnet50", factor: 0.635),
        MeasuredPair(model: "resnet18", with: "resnet18", factor: 0.781),
        MeasuredPair(model: "resnet18", with: "transformer", factor: 0.942),
        MeasuredPair(model: "resnet18", with: "lm", factor: 1.0),
        MeasuredPair(model: "transformer", with: "resnet50", factor: 0.311),
        MeasuredPair(model: "transformer", with: "resnet18", factor: 0.564),
        MeasuredPair(model: "transformer", with: "transformer", factor: 0.672),
        MeasuredPair(model: "transformer", with: "lm", factor: 0.790),
        MeasuredPair(model: "lm", with: "resnet50", factor: 0.383),
        MeasuredPair(model: "lm", with: "resnet18", factor: 0.573),
        MeasuredPair(model: "lm", with: "transformer", factor: 0.701),
        MeasuredPair(model: "lm", with: "lm", factor: 0.653),
    ]

    /// Most jobs that may hold one GPU (1 to 8; 1 turns sharing off).
    public var maxJobsPerGPU: Int
    /// Factor of a packed pair the table does not know, in (0, 1].
    public var defaultFactor: Double
    /// Length of one time slice, seconds.
    public var timeSliceSeconds: Double
    /// Cost of suspending one job and resuming the next, seconds (less than a slice).
    public var switchOverheadSeconds: Double
    /// Factors by zoo index pair: `table[a * models + b]` is a's factor packed with b; NaN where unknown.
    @usableFromInline private(set) var table: [Double]
    /// Zoo models when the table was made (its row length). Stored, not read from `ModelZoo.all` per lookup: the
    /// global's accessor was most of a lookup, and Gandiva looks up pairs for every host per waiting job.
    @usableFromInline let models: Int

    /// The default model: up to two jobs per GPU, Gavel's measured pairs, Gandiva's slice and overhead.
    public init(
        maxJobsPerGPU: Int = GPUSharingModel.defaultMaxJobsPerGPU, defaultFactor: Double = GPUSharingModel.defaultPackedFactor,
        timeSliceSeconds: Double = GPUSharingModel.defaultTimeSliceSeconds,
        switchOverheadSeconds: Double = GPUSharingModel.defaultSwitchOverheadSeconds
    ) {
        precondition((1...8).contains(maxJobsPerGPU), "maxJobsPerGPU must be 1 to 8")
        precondition(defaultFactor > 0 && defaultFactor <= 1, "a co-location factor must be in (0, 1]")
        precondition(timeSliceSeconds > 0 && switchOverheadSeconds >= 0 && switchOverheadSeconds < timeSliceSeconds,
                     "the switch overhead must be below the time slice")
        self.maxJobsPerGPU = maxJobsPerGPU
        self.defaultFactor = defaultFactor
        self.timeSliceSeconds = timeSliceSeconds
        self.switchOverheadSeconds = switchOverheadSeconds
        let n = ModelZoo.all.count
        models = n
        table = Array(repeating: .nan, count: n * n)
        for m in Self.measured {
            setFactor(m.factor, model: ModelZoo.index(named: m.model)!, with: ModelZoo.index(named: m.with)!)
        }
    }

    /// Sets the factor of zoo model `a` packed with zoo model `b` (in (0, 1]).
    public mutating func setFactor(_ factor: Double, model a: Int, with b: Int) {
        precondition(factor > 0 && factor <= 1, "a co-location factor must be in (0, 1]")
        table[a * models + b] = factor
    }

    /// The speed factor of a job of zoo model `a` packed with a job of zoo model `b` (nil: no zoo model).
    @inlinable public func packedFactor(_ a: Int?, with b: Int?) -> Double {
        guard let a, let b else { return defaultFactor }
        let f = measuredFactor(a, b)
        return f.isNaN ? defaultFactor : f
    }

    /// The table's entry for zoo models a and b, NaN when unknown.
    @inlinable func measuredFactor(_ a: Int, _ b: Int) -> Double { table[a * models + b] }

    /// Zoo models the table covers: factors exist for model indexes `0..<modelCount`.
    public var modelCount: Int { models }

    /// Whether the table has a measured or configured factor for `a` packed with `b`.
    public func knows(_ a: Int, with b: Int) -> Bool { !measuredFactor(a, b).isNaN }

    /// The speed factor of each of `jobs` jobs time-slicing one GPU: 1/k of the GPU, less one switch per slice.
    @inlinable public func timeSlicedFactor(jobs k: Int) -> Double {
        guard k > 1 else { return 1 }
        return (1 - switchOverheadSeconds / timeSliceSeconds) / Double(k)
    }

    /// Equal limits, factors and slices; unknown table entries (NaN) compare equal to each other.
    public static func == (a: GPUSharingModel, b: GPUSharingModel) -> Bool {
        a.maxJobsPerGPU == b.maxJobsPerGPU && a.defaultFactor == b.defaultFactor && a.timeSliceSeconds == b.timeSliceSeconds
            && a.switchOverheadSeconds == b.switchOverheadSeconds
            && a.table.elementsEqual(b.table) { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    /// Device memory one replica of zoo model `model` needs, GB; nil when unknown (no zoo model).
    @inlinable public static func memoryGB(of model: Int?) -> Double? { model.map { ModelZoo.all[$0].memoryGB } }
}
