import ClusterModel
import CUDABackend

/// A GPUBackend with known rates, so calibration and validation results are known exactly.
///
/// Samples are jittered ±10% around the true time (pattern 0.9, 1.0, 1.1, ...) so that only the median recovers it.
final class FakeBackend: GPUBackend {
    var device: DeviceInfo
    /// True GEMM throughput per precision, FLOP/s.
    var flopsPerSecond: [Precision: Double] = [.bf16: 494.7e12, .fp16: 494.7e12, .fp32: 49.47e12]
    /// Device-memory bandwidth counting read + write, bytes/s.
    var memoryBandwidth = 2000e9
    var hostBandwidth = 25e9
    var peerBandwidth = 300e9
    /// All-reduce: t = alpha + S·2(n−1)/n / busbw.
    var alpha = 20e-6
    var busBandwidth = 200e9
    /// Measured step = stepFactor × the true time of its parts.
    var stepFactor = 1.25
    /// Two jobs sharing: both done after sharedSlowdown × one job's time.
    var sharedSlowdown = 2.5
    /// Every call, for assertions.
    private(set) var calls: [String] = []

    init(name: String = "NVIDIA H100 80GB HBM3", memoryBytes: Int = 85_000_000_000, gpus: Int = 2, nccl: Bool = true) {
        device = DeviceInfo(name: name, memoryBytes: memoryBytes, driverVersion: 12040, runtimeVersion: 12020,
                            deviceCount: gpus, ncclVersion: nccl ? 21903 : nil, peerAccess: gpus >= 2 ? true : nil)
    }

    static func jittered(_ t: Double, _ repetitions: Int) -> [Double] {
        (0..<repetitions).map { t * (1 + 0.1 * Double($0 % 3 - 1)) }
    }

    func gemmSeconds(n: Int, precision: Precision) -> Double {
        GEMMSizing.flops(m: n, n: n, k: n) / flopsPerSecond[precision]!
    }

    func allReduceSeconds(bytes: Int, gpus: Int) -> Double {
        alpha + Double(bytes) * CollectiveBandwidth.allReduceBusFactor(ranks: gpus) / busBandwidth
    }

    func stepSeconds(_ step: SyntheticStep) -> Double {
        Double(step.gemmCount) * gemmSeconds(n: step.gemmSize, precision: step.precision)
            + (step.gpus > 1 ? allReduceSeconds(bytes: step.allReduceBytes, gpus: step.gpus) : 0)
    }

    func timeGEMM(m: Int, n: Int, k: Int, precision: Precision, repetitions: Int) throws -> [Double] {
        calls.append("gemm \(precision.rawValue) \(n)")
        return Self.jittered(GEMMSizing.flops(m: m, n: n, k: k) / flopsPerSecond[precision]!, repetitions)
    }

    func timeCopy(_ direction: CopyDirection, bytes: Int, repetitions: Int) throws -> [Double] {
        calls.append("copy \(direction.rawValue) \(bytes)")
        let rate: Double
        switch direction {
        case .deviceToDevice: rate = memoryBandwidth
        case .hostToDevice, .deviceToHost: rate = hostBandwidth
        case .peerToPeer: rate = peerBandwidth
        }
        return Self.jittered(direction.bytesMoved(bytes) / rate, repetitions)
    }

    func timeAllReduce(bytes: Int, gpus: Int, repetitions: Int) throws -> [Double] {
        calls.append("allreduce \(gpus) \(bytes)")
        return Self.jittered(allReduceSeconds(bytes: bytes, gpus: gpus), repetitions)
    }

    func timeStep(_ step: SyntheticStep, repetitions: Int) throws -> [Double] {
        calls.append("step \(step.model) gpus=\(step.gpus)")
        return Self.jittered(stepFactor * stepSeconds(step), repetitions)
    }

    func timeSharedStep(_ step: SyntheticStep, repetitions: Int) throws -> [Double] {
        calls.append("shared \(step.model)")
        return Self.jittered(sharedSlowdown * stepFactor * stepSeconds(step), repetitions)
    }
}
