import CCUDA

/// The element type of a GEMM: inputs, output and the stored matrices (accumulation is always fp32).
public enum Precision: String, Codable, CaseIterable, Sendable {
    case bf16, fp16, fp32

    /// Bytes per element.
    public var elementBytes: Int {
        switch self {
        case .bf16, .fp16: return 2
        case .fp32: return 4
        }
    }

    /// The CCUDA code passed to `ccuda_gemm`.
    var ccudaCode: Int32 {
        switch self {
        case .bf16: return CCUDA_DTYPE_BF16
        case .fp16: return CCUDA_DTYPE_F16
        case .fp32: return CCUDA_DTYPE_F32
        }
    }
}
