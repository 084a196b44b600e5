/// Why a hardware measurement could not be made.
public enum HardwareError: Error, Equatable, CustomStringConvertible {
    /// No usable CUDA: a library did not load, a symbol is missing, or the driver reports no device.
    /// `schedlab hw` commands exit 3 on this.
    case unavailable(String)
    /// A CUDA, cuBLAS or NCCL call failed; the message names the function and its error code and string.
    case callFailed(String)
    /// The request cannot be served on this machine or profile (e.g. an all-reduce with one GPU or without NCCL).
    case unsupported(String)

    /// The message as printed after "error: ".
    public var description: String {
        switch self {
        case .unavailable(let m): return "no CUDA driver/device: \(m)"
        case .callFailed(let m): return m
        case .unsupported(let m): return m
        }
    }
}
