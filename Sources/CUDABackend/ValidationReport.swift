/// What `schedlab hw validate` measured and predicted, written as JSON under Results/validation/.
public struct ValidationReport: Codable, Equatable, Sendable {
    /// Format version of this JSON.
    public static let currentSchema = 1

    /// Measured iteration time against the speed model's prediction.
    public struct IterationComparison: Codable, Equatable, Sendable {
        /// Median measured seconds per iteration.
        public var measuredSeconds: Double
        /// Predicted seconds per iteration.
        public var predictedSeconds: Double
        /// The prediction's parts.
        public var prediction: StepPredictor.Prediction
        /// (predicted − measured) / measured.
        public var relativeError: Double
        /// Every measured sample, seconds.
        public var samples: [Double]
    }

    /// Two jobs time-sharing one GPU against the simple sharing model.
    public struct TimeSharingComparison: Codable, Equatable, Sendable {
        /// What was run and what the model says, in words.
        public var label: String
        /// Jobs sharing device 0.
        public var jobs: Int
        /// Median seconds per iteration of one job alone on the GPU.
        public var soloSeconds: Double
        /// Median seconds until every job finished one iteration while sharing.
        public var sharedSeconds: Double
        /// shared / solo: each job's measured slowdown.
        public var measuredSlowdown: Double
        /// The sharing model's slowdown (jobs, for compute-bound work).
        public var modelSlowdown: Double
        /// (model − measured) / measured.
        public var relativeError: Double
        /// Every measured shared sample, seconds.
        public var sharedSamples: [Double]
    }

    /// Format version.
    public var schema: Int
    /// When the validation ran (ISO 8601, UTC).
    public var measuredAt: String
    /// The machine.
    public var device: DeviceInfo
    /// The GPUCatalog entry matched, if any.
    public var catalogMatch: String?
    /// When the profile used for the prediction was measured.
    public var profileMeasuredAt: String
    /// How the model's FLOPs were derived.
    public var flopsDerivation: String
    /// The synthetic step run.
    public var step: SyntheticStep
    /// Timed repetitions per measurement.
    public var repetitions: Int
    /// One iteration, measured against predicted.
    public var iteration: IterationComparison
    /// Two jobs sharing one GPU.
    public var timeSharing: TimeSharingComparison
    /// Anything worth knowing (e.g. the profile came from another GPU).
    public var notes: [String]
}
