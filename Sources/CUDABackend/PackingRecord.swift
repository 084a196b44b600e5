/// What `.ci/hw-packing.py` measured: zoo models' training speed with two packed on one GPU against each alone,
/// written as `packing-GPU-DATE.json` beside the `schedlab hw` records.
public struct PackingRecord: Codable, Equatable, Sendable {
    /// Format version of this JSON.
    public static let currentSchema = 1

    /// One model alone on the GPU.
    public struct Solo: Codable, Equatable, Sendable {
        /// Zoo model.
        public var model: String
        /// Samples per step.
        public var batch: Int
        /// Training steps per second alone.
        public var stepsPerSecond: Double
    }

    /// One model's speed while another trains beside it.
    public struct Packed: Codable, Equatable, Sendable {
        /// The measured (slowed) zoo model.
        public var model: String
        /// The co-runner's zoo model.
        public var with: String
        /// Training steps per second packed.
        public var stepsPerSecond: Double
        /// stepsPerSecond over the model's steps per second alone.
        public var factor: Double
    }

    /// Format version.
    public var schema: Int
    /// The GPU's name as the driver gives it.
    public var gpuName: String
    /// When the runs began (ISO 8601, UTC).
    public var measuredAt: String
    /// fp32 or bf16.
    public var precision: String
    /// Timed seconds per run.
    public var secondsPerRun: Double
    /// PyTorch version on the GPU machine.
    public var torchVersion: String
    /// How the runs were made, in words.
    public var method: String
    /// Every model alone.
    public var solo: [Solo]
    /// Every packed measurement, one per model and co-runner.
    public var pairs: [Packed]
}
