import CCUDA
import ClusterModel

/// `GPUBackend` on real GPUs through CCUDA (CUDA runtime, cuBLAS, NCCL loaded with dlopen).
///
/// Every timing follows one pattern: allocate and fill buffers with a nonzero byte pattern, run the operation once
/// as warm-up, then for each repetition record a CUDA event before and after `inner` back-to-back operations on
/// the stream(s) and divide the elapsed time by `inner`. Across several devices a sample is the slowest device's
/// elapsed time. Every CUDA call's status is checked; a failure throws with the function name and error string.
public final class CUDARuntimeBackend: GPUBackend {
    /// Device 0, the GPU count, versions and peer access, read once when loading.
    public let device: DeviceInfo
    /// The library files opened, "; "-separated.
    public let libraries: String

    /// Loads CUDA and describes the machine; throws `HardwareError.unavailable` without a driver or device.
    public init() throws {
        libraries = try CUDALibrary.load()
        var count: Int32 = 0
        try cudaCheck(ccuda_device_count(&count))
        var nameBuf = [CChar](repeating: 0, count: 256)
        try cudaCheck(ccuda_device_name(0, &nameBuf, Int32(nameBuf.count)))
        let name = String(decoding: nameBuf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var free = 0, total = 0
        try cudaCheck(ccuda_mem_info(0, &free, &total))
        var driver: Int32 = 0, runtime: Int32 = 0
        try cudaCheck(ccuda_driver_version(&driver))
        try cudaCheck(ccuda_runtime_version(&runtime))
        var nccl: Int?
        if ccuda_has_nccl() != 0 {
            var v: Int32 = 0
            try cudaCheck(ccuda_nccl_version(&v))
            nccl = Int(v)
        }
        var peer: Bool?
        if count >= 2 {
            var a: Int32 = 0, b: Int32 = 0
            try cudaCheck(ccuda_can_access_peer(0, 1, &a))
            try cudaCheck(ccuda_can_access_peer(1, 0, &b))
            peer = a != 0 && b != 0
        }
        device = DeviceInfo(name: name, memoryBytes: total, driverVersion: Int(driver), runtimeVersion: Int(runtime),
                            deviceCount: Int(count), ncclVersion: nccl, peerAccess: peer)
    }

    // MARK: - GPUBackend

    /// Seconds per GEMM on device 0 (`ccuda_gemm` repeated until each sample holds ~5e11 FLOPs, at most 256).
    public func timeGEMM(m: Int, n: Int, k: Int, precision: Precision, repetitions: Int) throws -> [Double] {
        let scope = CUDAScope()
        defer { scope.release() }
        let e = precision.elementBytes
        let stream = try scope.stream(0)
        let handle = try scope.blas(0, stream: stream)
        let a = try scope.deviceBuffer(0, bytes: m * k * e)
        let b = try scope.deviceBuffer(0, bytes: k * n * e)
        let c = try scope.deviceBuffer(0, bytes: m * n * e, fill: 0)
        let inner = Self.clamp(5e11 / GEMMSizing.flops(m: m, n: n, k: k), 1, 256)
        return try time(scope: scope, lanes: [(0, stream)], inner: inner, repetitions: repetitions) {
            try cudaCheck(ccuda_gemm(handle, precision.ccudaCode, Int32(m), Int32(n), Int32(k), a, b, c))
        }
    }

    /// Seconds per copy (repeated until a sample moves ~1 GiB, at most 16 copies).
    public func timeCopy(_ direction: CopyDirection, bytes: Int, repetitions: Int) throws -> [Double] {
        let scope = CUDAScope()
        defer { scope.release() }
        let stream = try scope.stream(0)
        let inner = Self.clamp(Double(1 << 30) / Double(bytes), 1, 16)
        let enqueue: () throws -> Void
        switch direction {
        case .deviceToDevice:
            let src = try scope.deviceBuffer(0, bytes: bytes), dst = try scope.deviceBuffer(0, bytes: bytes, fill: 0)
            enqueue = { try cudaCheck(ccuda_memcpy_async(dst, src, bytes, CCUDA_COPY_DEVICE_TO_DEVICE, stream)) }
        case .hostToDevice:
            let src = try scope.hostBuffer(bytes: bytes), dst = try scope.deviceBuffer(0, bytes: bytes, fill: 0)
            enqueue = { try cudaCheck(ccuda_memcpy_async(dst, src, bytes, CCUDA_COPY_HOST_TO_DEVICE, stream)) }
        case .deviceToHost:
            let src = try scope.deviceBuffer(0, bytes: bytes), dst = try scope.hostBuffer(bytes: bytes, fill: 0)
            enqueue = { try cudaCheck(ccuda_memcpy_async(dst, src, bytes, CCUDA_COPY_DEVICE_TO_HOST, stream)) }
        case .peerToPeer:
            guard device.deviceCount >= 2 else { throw HardwareError.unsupported("peer-to-peer copies need 2 GPUs") }
            if device.peerAccess == true {
                try cudaCheck(ccuda_enable_peer_access(0, 1))
                try cudaCheck(ccuda_enable_peer_access(1, 0))
            }
            let src = try scope.deviceBuffer(0, bytes: bytes), dst = try scope.deviceBuffer(1, bytes: bytes, fill: 0)
            enqueue = { try cudaCheck(ccuda_memcpy_peer_async(dst, 1, src, 0, bytes, stream)) }
        }
        return try time(scope: scope, lanes: [(0, stream)], inner: inner, repetitions: repetitions, enqueue: enqueue)
    }

    /// Seconds per grouped NCCL all-reduce on devices 0..<gpus; a sample is the slowest device.
    public func timeAllReduce(bytes: Int, gpus: Int, repetitions: Int) throws -> [Double] {
        try requireNCCL(gpus: gpus)
        let scope = CUDAScope()
        defer { scope.release() }
        let count = (bytes + 3) / 4
        let streams = try (0..<gpus).map { try scope.stream($0) }
        let send = try (0..<gpus).map { try scope.deviceBuffer($0, bytes: count * 4) }
        let recv = try (0..<gpus).map { try scope.deviceBuffer($0, bytes: count * 4, fill: 0) }
        let comms = try scope.ncclComms(gpus)
        let inner = Self.clamp(Double(256 << 20) / Double(bytes), 1, 20)
        return try time(scope: scope, lanes: Array(zip(0..<gpus, streams)), inner: inner, repetitions: repetitions) {
            try Self.allReduce(send: send, recv: recv, count: count, comms: comms, streams: streams)
        }
    }

    /// Seconds per synthetic iteration (GEMMs interleaved across devices, then the all-reduce).
    public func timeStep(_ step: SyntheticStep, repetitions: Int) throws -> [Double] {
        let gpus = step.gpus
        guard gpus >= 1 && gpus <= device.deviceCount else {
            throw HardwareError.unsupported("the step needs \(gpus) GPUs, this machine has \(device.deviceCount)")
        }
        let withAllReduce = gpus > 1 && step.allReduceBytes > 0
        if withAllReduce { try requireNCCL(gpus: gpus) }
        let scope = CUDAScope()
        defer { scope.release() }
        let n = step.gemmSize, bytes = n * n * step.precision.elementBytes
        let streams = try (0..<gpus).map { try scope.stream($0) }
        let handles = try (0..<gpus).map { try scope.blas($0, stream: streams[$0]) }
        let a = try (0..<gpus).map { try scope.deviceBuffer($0, bytes: bytes) }
        let b = try (0..<gpus).map { try scope.deviceBuffer($0, bytes: bytes) }
        let c = try (0..<gpus).map { try scope.deviceBuffer($0, bytes: bytes, fill: 0) }
        let count = (step.allReduceBytes + 3) / 4
        let send = withAllReduce ? try (0..<gpus).map { try scope.deviceBuffer($0, bytes: count * 4) } : []
        let recv = withAllReduce ? try (0..<gpus).map { try scope.deviceBuffer($0, bytes: count * 4, fill: 0) } : []
        let comms = withAllReduce ? try scope.ncclComms(gpus) : []
        let code = step.precision.ccudaCode, n32 = Int32(n)
        return try time(scope: scope, lanes: Array(zip(0..<gpus, streams)), inner: 1, repetitions: repetitions) {
            // GEMM by GEMM across devices, so no device waits for the host to finish issuing another's work.
            for _ in 0..<step.gemmCount {
                for d in 0..<gpus {
                    if gpus > 1 { try cudaCheck(ccuda_set_device(Int32(d))) }
                    try cudaCheck(ccuda_gemm(handles[d], code, n32, n32, n32, a[d], b[d], c[d]))
                }
            }
            if withAllReduce { try Self.allReduce(send: send, recv: recv, count: count, comms: comms, streams: streams) }
        }
    }

    /// Seconds until two jobs on two streams of device 0 have each finished one iteration.
    public func timeSharedStep(_ step: SyntheticStep, repetitions: Int) throws -> [Double] {
        let scope = CUDAScope()
        defer { scope.release() }
        let n = step.gemmSize, bytes = n * n * step.precision.elementBytes
        let s1 = try scope.stream(0), s2 = try scope.stream(0)
        let h1 = try scope.blas(0, stream: s1), h2 = try scope.blas(0, stream: s2)
        let job1 = try (scope.deviceBuffer(0, bytes: bytes), scope.deviceBuffer(0, bytes: bytes), scope.deviceBuffer(0, bytes: bytes, fill: 0))
        let job2 = try (scope.deviceBuffer(0, bytes: bytes), scope.deviceBuffer(0, bytes: bytes), scope.deviceBuffer(0, bytes: bytes, fill: 0))
        let start = try scope.event(0), end2 = try scope.event(0), end = try scope.event(0)
        let code = step.precision.ccudaCode, n32 = Int32(n)
        // Start both streams at one event, alternate the two jobs' GEMMs, and end when stream 1 has also waited for
        // stream 2: the elapsed time is until both jobs have finished one iteration.
        func iteration() throws {
            try cudaCheck(ccuda_event_record(start, s1))
            try cudaCheck(ccuda_stream_wait_event(s2, start))
            for _ in 0..<step.gemmCount {
                try cudaCheck(ccuda_gemm(h1, code, n32, n32, n32, job1.0, job1.1, job1.2))
                try cudaCheck(ccuda_gemm(h2, code, n32, n32, n32, job2.0, job2.1, job2.2))
            }
            try cudaCheck(ccuda_event_record(end2, s2))
            try cudaCheck(ccuda_stream_wait_event(s1, end2))
            try cudaCheck(ccuda_event_record(end, s1))
            try cudaCheck(ccuda_event_synchronize(end))
        }
        try cudaCheck(ccuda_set_device(0))
        try cudaCheck(ccuda_device_synchronize())
        try iteration() // warm-up
        var samples: [Double] = []
        for _ in 0..<repetitions {
            try iteration()
            var ms: Float = 0
            try cudaCheck(ccuda_event_elapsed_ms(&ms, start, end))
            samples.append(Double(ms) / 1000)
        }
        return samples
    }

    // MARK: - Helpers

    /// Times `enqueue` (which issues work on the lanes' streams): one warm-up, then per repetition events around
    /// `inner` calls on every lane; a sample is the slowest lane's elapsed seconds divided by `inner`.
    private func time(scope: CUDAScope, lanes: [(Int, UnsafeMutableRawPointer)], inner: Int, repetitions: Int,
                      enqueue: () throws -> Void) throws -> [Double] {
        let starts = try lanes.map { try scope.event($0.0) }
        let ends = try lanes.map { try scope.event($0.0) }
        for (d, _) in lanes {
            try cudaCheck(ccuda_set_device(Int32(d)))
            try cudaCheck(ccuda_device_synchronize()) // buffer fills done
        }
        try enqueue() // warm-up (cuBLAS heuristics, NCCL connections, clocks)
        for (d, s) in lanes {
            try cudaCheck(ccuda_set_device(Int32(d)))
            try cudaCheck(ccuda_stream_synchronize(s))
        }
        var samples: [Double] = []
        for _ in 0..<repetitions {
            for (i, (d, s)) in lanes.enumerated() {
                try cudaCheck(ccuda_set_device(Int32(d)))
                try cudaCheck(ccuda_event_record(starts[i], s))
            }
            for _ in 0..<inner { try enqueue() }
            var slowest: Float = 0
            for (i, (d, s)) in lanes.enumerated() {
                try cudaCheck(ccuda_set_device(Int32(d)))
                try cudaCheck(ccuda_event_record(ends[i], s))
            }
            for i in lanes.indices {
                try cudaCheck(ccuda_event_synchronize(ends[i]))
                var ms: Float = 0
                try cudaCheck(ccuda_event_elapsed_ms(&ms, starts[i], ends[i]))
                slowest = max(slowest, ms)
            }
            samples.append(Double(slowest) / 1000 / Double(inner))
        }
        return samples
    }

    /// One grouped fp32 sum all-reduce on every device.
    private static func allReduce(send: [UnsafeMutableRawPointer], recv: [UnsafeMutableRawPointer], count: Int,
                                  comms: [UnsafeMutableRawPointer], streams: [UnsafeMutableRawPointer]) throws {
        try cudaCheck(ccuda_nccl_group_start())
        for d in comms.indices {
            try cudaCheck(ccuda_nccl_allreduce_f32(send[d], recv[d], count, comms[d], streams[d]))
        }
        try cudaCheck(ccuda_nccl_group_end())
    }

    private func requireNCCL(gpus: Int) throws {
        guard gpus >= 2 && gpus <= device.deviceCount else {
            throw HardwareError.unsupported("an all-reduce needs 2 to \(device.deviceCount) GPUs, not \(gpus)")
        }
        guard device.ncclVersion != nil else { throw HardwareError.unsupported("NCCL (libnccl.so.2) is not loaded") }
    }

    private static func clamp(_ x: Double, _ lo: Int, _ hi: Int) -> Int {
        min(hi, max(lo, Int(x.rounded(.up))))
    }
}
