import ClusterModel

/// The timing primitives the calibration and validation need, implemented by CUDA on a GPU and by a fake in tests.
///
/// Every timing method does its own warm-up and returns one sample per repetition, in seconds per operation,
/// measured with CUDA events; callers take the median (`Statistics.median`). Buffers are filled with a nonzero
/// pattern before anything is timed.
public protocol GPUBackend {
    /// The machine: device 0 and the GPU count.
    var device: DeviceInfo { get }

    /// Seconds per m×n×k GEMM (C = A·B, column-major, fp32 accumulate) on device 0.
    func timeGEMM(m: Int, n: Int, k: Int, precision: Precision, repetitions: Int) throws -> [Double]

    /// Seconds per copy of `bytes` in `direction`.
    func timeCopy(_ direction: CopyDirection, bytes: Int, repetitions: Int) throws -> [Double]

    /// Seconds per out-of-place fp32 sum all-reduce of `bytes` per GPU across devices 0..<`gpus` (NCCL).
    func timeAllReduce(bytes: Int, gpus: Int, repetitions: Int) throws -> [Double]

    /// Seconds per iteration of `step` alone: its GEMMs on each of `step.gpus` devices, then (with more than one GPU)
    /// the all-reduce of its gradient bytes.
    func timeStep(_ step: SyntheticStep, repetitions: Int) throws -> [Double]

    /// Seconds until two copies of `step` (single-GPU, no all-reduce), issued alternately GEMM by GEMM on two
    /// streams of device 0 from one host thread, have both finished one iteration.
    func timeSharedStep(_ step: SyntheticStep, repetitions: Int) throws -> [Double]
}
