/// A memory copy the calibration times.
public enum CopyDirection: String, Codable, CaseIterable, Sendable {
    /// Device memory to device memory on device 0 (cudaMemcpyDeviceToDevice).
    case deviceToDevice
    /// Pinned host memory (cudaMallocHost) to device 0.
    case hostToDevice
    /// Device 0 to pinned host memory.
    case deviceToHost
    /// Device 0 to device 1 (cudaMemcpyPeerAsync).
    case peerToPeer

    /// Bytes of memory traffic one copy of `bytes` causes: a device-to-device copy reads and writes device memory
    /// (2 × size, as bandwidthTest and the datasheet figure count it); the others move `bytes` over one link.
    public func bytesMoved(_ bytes: Int) -> Double {
        self == .deviceToDevice ? 2 * Double(bytes) : Double(bytes)
    }
}
