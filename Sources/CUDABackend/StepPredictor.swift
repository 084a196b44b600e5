import ClusterModel

/// The speed model's prediction of a synthetic step from a hardware profile.
///
/// predicted = gemmCount · 2n³ / (calibrated TFLOP/s at n and the step's precision)
///           + (on more than one GPU) α + S·2(g−1)/g / busbw, from the calibrated all-reduce.
public enum StepPredictor {
    /// A predicted iteration time and its parts.
    public struct Prediction: Codable, Equatable, Sendable {
        /// GEMM time, seconds.
        public var computeSeconds: Double
        /// All-reduce time, seconds (0 on one GPU).
        public var allReduceSeconds: Double
        /// Calibrated throughput used, TFLOP/s.
        public var tflops: Double

        /// compute + all-reduce (the step runs them one after the other).
        public var totalSeconds: Double { computeSeconds + allReduceSeconds }
    }

    /// Predicts `step` on the hardware `profile` describes.
    public static func predict(_ step: SyntheticStep, profile: HardwareProfile) throws -> Prediction {
        guard let tflops = profile.tflops(precision: step.precision, size: step.gemmSize), tflops > 0 else {
            throw HardwareError.unsupported("the profile has no \(step.precision.rawValue) GEMM throughput")
        }
        let compute = step.executedFLOPs / (tflops * 1e12)
        var allReduce = 0.0
        if step.gpus > 1 && step.allReduceBytes > 0 {
            guard let ar = profile.allReduce else {
                throw HardwareError.unsupported("the profile has no all-reduce calibration (needs 2+ GPUs and NCCL)")
            }
            guard ar.gpus == step.gpus else {
                throw HardwareError.unsupported("the profile's all-reduce was calibrated on \(ar.gpus) GPUs, the step uses \(step.gpus)")
            }
            allReduce = ar.model.seconds(bytes: Double(step.allReduceBytes), ranks: step.gpus)
        }
        return Prediction(computeSeconds: compute, allReduceSeconds: allReduce, tflops: tflops)
    }
}
