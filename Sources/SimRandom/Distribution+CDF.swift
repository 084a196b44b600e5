import CGSL
import Foundation

extension Distribution {
    /// P(X ≤ x), from GSL's `gsl_cdf_*_P` functions for the parametric families (what `schedlab trace fit` measures
    /// fit quality against).
    public func cdf(_ x: Double) -> Double {
        switch self {
        case .constant(let v): return x >= v ? 1 : 0
        case .exponential(let mean): return x <= 0 ? 0 : gsl_cdf_exponential_P(x, mean)
        case .lognormal(let mu, let sigma): return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, mu, sigma)
        case .gamma(let shape, let scale): return x <= 0 ? 0 : gsl_cdf_gamma_P(x, shape, scale)
        case .weibull(let scale, let shape): return x <= 0 ? 0 : gsl_cdf_weibull_P(x, scale, shape)
        case .uniform(let low, let high): return x <= low ? 0 : x >= high ? 1 : gsl_cdf_flat_P(x, low, high)
        case .pareto(let scale, let shape): return x <= scale ? 0 : gsl_cdf_pareto_P(x, shape, scale)
        case .geometric(let mean):
            // P(X ≤ k) = 1 − (1 − p)^k for whole k ≥ 1, p = 1/mean.
            guard x >= 1 else { return 0 }
            let k = x.rounded(.down)
            return 1 - pow1m(1 / mean, k)
        case .categorical(let t):
            let total = t.weights.reduce(0, +)
            return zip(t.values, t.weights).reduce(0) { $1.0 <= x ? $0 + $1.1 : $0 } / total
        case .mixture(let m):
            let total = m.weights.weights.reduce(0, +)
            return zip(m.components, m.weights.weights).reduce(0) { $1.1 > 0 ? $0 + $1.1 / total * $1.0.cdf(x) : $0 }
        }
    }
}

/// (1 − p)^k computed as exp(k·log1p(−p)), accurate for small p.
private func pow1m(_ p: Double, _ k: Double) -> Double { p >= 1 ? 0 : exp(k * log1p(-p)) }
