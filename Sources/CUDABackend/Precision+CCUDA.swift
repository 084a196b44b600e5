import CCUDA
import ClusterModel

extension Precision {
    /// The CCUDA code passed to `ccuda_gemm`.
    var ccudaCode: Int32 {
        switch self {
        case .bf16: return CCUDA_DTYPE_BF16
        case .fp16: return CCUDA_DTYPE_F16
        case .fp32: return CCUDA_DTYPE_F32
        }
    }
}
