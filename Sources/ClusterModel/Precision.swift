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
}
