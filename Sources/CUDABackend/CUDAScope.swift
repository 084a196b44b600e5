import CCUDA
import Foundation

/// Owns the CUDA resources of one measurement (buffers, streams, events, cuBLAS handles, NCCL communicators) and
/// releases them, newest first, when released or deinitialised.
final class CUDAScope {
    private var cleanups: [() -> Void] = []

    deinit { release() }

    /// Releases everything (errors while releasing are ignored: the measurement already succeeded or failed).
    func release() {
        while let cleanup = cleanups.popLast() { cleanup() }
    }

    /// Device memory of `bytes` on `device`, every byte set to `fill` (nonzero by default, so nothing times zeros).
    func deviceBuffer(_ device: Int, bytes: Int, fill: Int32 = 0x3C) throws -> UnsafeMutableRawPointer {
        try cudaCheck(ccuda_set_device(Int32(device)))
        var p: UnsafeMutableRawPointer?
        try cudaCheck(ccuda_malloc(&p, bytes))
        guard let ptr = p else { throw HardwareError.callFailed("cudaMalloc returned a null pointer for \(bytes) bytes") }
        cleanups.append { _ = ccuda_set_device(Int32(device)); _ = ccuda_free(ptr) }
        try cudaCheck(ccuda_memset(ptr, fill, bytes))
        return ptr
    }

    /// Pinned host memory of `bytes` (cudaMallocHost), every byte set to `fill`.
    func hostBuffer(bytes: Int, fill: Int32 = 0x3C) throws -> UnsafeMutableRawPointer {
        var p: UnsafeMutableRawPointer?
        try cudaCheck(ccuda_malloc_host(&p, bytes))
        guard let ptr = p else { throw HardwareError.callFailed("cudaMallocHost returned a null pointer for \(bytes) bytes") }
        cleanups.append { _ = ccuda_free_host(ptr) }
        memset(ptr, fill, bytes)
        return ptr
    }

    /// A new stream on `device`.
    func stream(_ device: Int) throws -> UnsafeMutableRawPointer {
        try cudaCheck(ccuda_set_device(Int32(device)))
        var s: UnsafeMutableRawPointer?
        try cudaCheck(ccuda_stream_create(&s))
        guard let stream = s else { throw HardwareError.callFailed("cudaStreamCreate returned a null stream") }
        cleanups.append { _ = ccuda_set_device(Int32(device)); _ = ccuda_stream_destroy(stream) }
        return stream
    }

    /// A new timing event on `device`.
    func event(_ device: Int) throws -> UnsafeMutableRawPointer {
        try cudaCheck(ccuda_set_device(Int32(device)))
        var e: UnsafeMutableRawPointer?
        try cudaCheck(ccuda_event_create(&e))
        guard let event = e else { throw HardwareError.callFailed("cudaEventCreate returned a null event") }
        cleanups.append { _ = ccuda_set_device(Int32(device)); _ = ccuda_event_destroy(event) }
        return event
    }

    /// A cuBLAS handle on `device` issuing its work on `stream`.
    func blas(_ device: Int, stream: UnsafeMutableRawPointer) throws -> UnsafeMutableRawPointer {
        try cudaCheck(ccuda_set_device(Int32(device)))
        var h: UnsafeMutableRawPointer?
        try cudaCheck(ccuda_cublas_create(&h))
        guard let handle = h else { throw HardwareError.callFailed("cublasCreate_v2 returned a null handle") }
        cleanups.append { _ = ccuda_set_device(Int32(device)); _ = ccuda_cublas_destroy(handle) }
        try cudaCheck(ccuda_cublas_set_stream(handle, stream))
        return handle
    }

    /// One NCCL communicator per device 0..<`gpus` (ncclCommInitAll).
    func ncclComms(_ gpus: Int) throws -> [UnsafeMutableRawPointer] {
        var comms = [UnsafeMutableRawPointer?](repeating: nil, count: gpus)
        let status = comms.withUnsafeMutableBufferPointer { ccuda_nccl_init_all(Int32(gpus), $0.baseAddress) }
        try cudaCheck(status)
        let out = comms.compactMap { $0 }
        guard out.count == gpus else { throw HardwareError.callFailed("ncclCommInitAll returned a null communicator") }
        cleanups.append { for c in out { _ = ccuda_nccl_destroy(c) } }
        return out
    }
}
