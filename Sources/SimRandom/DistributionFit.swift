import CGSL
import Foundation

/// Maximum-likelihood fits of the parametric families to positive data, and their fit quality.
///
/// What `schedlab trace fit` offers for sensitivity studies next to the empirical distribution. Each family's
/// estimator is the textbook MLE: closed forms for the exponential, lognormal and Pareto; Minka's Newton iteration
/// for the gamma shape (T. Minka, "Estimating a Gamma distribution", Microsoft Research, 2002); bisection on the
/// profile-likelihood equation for the Weibull shape; and EM in log space for lognormal mixtures (Dempster, Laird,
/// Rubin, "Maximum likelihood from incomplete data via the EM algorithm", JRSS B 39(1), 1977). Fit quality is the
/// one-sample Kolmogorov–Smirnov distance between the data and the fitted CDF.
public enum DistributionFit {
    /// One fitted family.
    public struct Candidate: Sendable, Equatable {
        /// Family name as in a scenario ("lognormal", "weibull", ...; "mixture" for lognormal mixtures).
        public var family: String
        /// The fitted distribution.
        public var distribution: Distribution
        /// One-sample KS distance between the data and the fitted CDF (0 = perfect).
        public var ks: Double
    }

    /// Every family fitted to `data` (values > 0 and finite; others are ignored), best (smallest KS) first; empty
    /// when fewer than 2 usable values remain or all are equal. Mixtures are fitted to at most `emSubsample` evenly
    /// spaced order statistics (EM costs n × components per iteration); every KS distance uses all the data.
    public static func candidates(_ data: [Double], mixtureComponents: [Int] = [2, 3, 4], emSubsample: Int = .max) -> [Candidate] {
        let xs = data.filter { $0.isFinite && $0 > 0 }.sorted()
        guard xs.count >= 2, xs.first! < xs.last! else { return [] }
        let emData = xs.count <= emSubsample ? xs : (0..<emSubsample).map { xs[$0 * xs.count / emSubsample] }
        var fitted: [(String, Distribution)] = [
            ("exponential", exponential(xs)), ("lognormal", lognormal(xs)), ("gamma", gamma(xs)), ("weibull", weibull(xs)),
            ("pareto", pareto(xs)),
        ]
        for k in mixtureComponents where k >= 2 && xs.count >= 4 * k {
            fitted.append(("mixture", lognormalMixture(emData, components: k)))
        }
        let scored = fitted.filter { $0.1.parameterProblem == nil }.map {
            Candidate(family: $0.0, distribution: $0.1, ks: KolmogorovSmirnov.oneSample(sorted: xs, cdf: $0.1.cdf))
        }
        // Stable: ties keep the listed order, so the choice never depends on floating-point noise in sorting.
        return scored.enumerated().sorted { ($0.element.ks, $0.offset) < ($1.element.ks, $1.offset) }.map(\.element)
    }

    /// Exponential: mean = sample mean.
    public static func exponential(_ xs: [Double]) -> Distribution { .exponential(mean: xs.reduce(0, +) / Double(xs.count)) }

    /// Lognormal: μ and σ are the mean and (MLE, divide-by-n) standard deviation of ln x.
    public static func lognormal(_ xs: [Double]) -> Distribution {
        let logs = xs.map { Foundation.log($0) }
        let (m, v) = meanVariance(logs)
        return .lognormal(mu: m, sigma: max(v.squareRoot(), 1e-6))
    }

    /// Gamma: shape k solves ln k − ψ(k) = ln(mean) − mean(ln x), by Minka's initial value and Newton steps;
    /// scale = mean / k.
    public static func gamma(_ xs: [Double]) -> Distribution {
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        let s = Foundation.log(mean) - xs.reduce(0) { $0 + Foundation.log($1) } / n
        guard s > 1e-12 else { return .gamma(shape: 1e6, scale: mean / 1e6) }
        var k = (3 - s + ((s - 3) * (s - 3) + 24 * s).squareRoot()) / (12 * s)
        for _ in 0..<50 {
            let f = Foundation.log(k) - gsl_sf_psi(k) - s
            let df = 1 / k - gsl_sf_psi_1(k)
            let next = k - f / df
            guard next.isFinite, next > 0 else { break }
            if abs(next - k) < 1e-12 * k { k = next; break }
            k = next
        }
        return .gamma(shape: k, scale: mean / k)
    }

    /// Weibull: shape k solves Σ xᵏ ln x / Σ xᵏ − 1/k − mean(ln x) = 0 (increasing in k), found by bisection on
    /// [0.02, 50] with x scaled by its maximum so that xᵏ cannot overflow; scale = (mean xᵏ)^(1/k).
    public static func weibull(_ xs: [Double]) -> Distribution {
        let top = xs.max()!
        let logs = xs.map { Foundation.log($0 / top) }
        let meanLog = logs.reduce(0, +) / Double(logs.count)
        func g(_ k: Double) -> Double {
            var sw = 0.0, swl = 0.0
            for l in logs {
                let w = Foundation.exp(k * l)
                sw += w
                swl += w * l
            }
            return swl / sw - 1 / k - meanLog
        }
        var lo = 0.02, hi = 50.0
        if g(lo) > 0 { hi = lo } else if g(hi) < 0 { lo = hi } else {
            for _ in 0..<80 {
                let mid = (lo * hi).squareRoot()  // bisection in log k: the shape spans orders of magnitude
                if g(mid) < 0 { lo = mid } else { hi = mid }
            }
        }
        let k = (lo * hi).squareRoot()
        let meanPow = logs.reduce(0) { $0 + Foundation.exp(k * $1) } / Double(logs.count)
        return .weibull(scale: top * Foundation.pow(meanPow, 1 / k), shape: k)
    }

    /// Pareto: scale = the minimum, shape = n / Σ ln(x / min).
    public static func pareto(_ xs: [Double]) -> Distribution {
        let xm = xs.min()!
        let sum = xs.reduce(0) { $0 + Foundation.log($1 / xm) }
        return .pareto(scale: xm, shape: sum > 0 ? Double(xs.count) / sum : 1e6)
    }

    /// A mixture of `components` lognormals fitted by EM on ln x, started from equal-count slices of the sorted
    /// data (deterministic); 500 iterations at most, stopping when the log-likelihood gains less than 1e-10 per
    /// value. σ is kept ≥ 0.01 so that a component cannot collapse onto a tied value.
    public static func lognormalMixture(_ xs: [Double], components k: Int) -> Distribution {
        let logs = xs.map { Foundation.log($0) }.sorted()
        let n = logs.count
        var w = [Double](repeating: 1 / Double(k), count: k)
        var mu = [Double](), sd = [Double]()
        for c in 0..<k {
            let slice = Array(logs[(c * n / k)..<((c + 1) * n / k)])
            let (m, v) = meanVariance(slice)
            mu.append(m)
            sd.append(max(v.squareRoot(), 0.01))
        }
        var resp = [Double](repeating: 0, count: n * k)
        var previous = -Double.infinity
        for _ in 0..<500 {
            // E step: responsibilities, computed with the log-sum-exp trick.
            var loglik = 0.0
            for i in 0..<n {
                var best = -Double.infinity
                for c in 0..<k {
                    let z = (logs[i] - mu[c]) / sd[c]
                    let l = Foundation.log(w[c]) - Foundation.log(sd[c]) - 0.5 * z * z
                    resp[i * k + c] = l
                    best = max(best, l)
                }
                var sum = 0.0
                for c in 0..<k { sum += Foundation.exp(resp[i * k + c] - best) }
                for c in 0..<k { resp[i * k + c] = Foundation.exp(resp[i * k + c] - best) / sum }
                loglik += best + Foundation.log(sum)
            }
            // M step.
            for c in 0..<k {
                var nk = 0.0, s1 = 0.0
                for i in 0..<n { nk += resp[i * k + c]; s1 += resp[i * k + c] * logs[i] }
                guard nk > 1e-9 else { continue }
                let m = s1 / nk
                var s2 = 0.0
                for i in 0..<n { let d = logs[i] - m; s2 += resp[i * k + c] * d * d }
                w[c] = nk / Double(n)
                mu[c] = m
                sd[c] = max((s2 / nk).squareRoot(), 0.01)
            }
            if loglik - previous < 1e-10 * Double(n) { break }
            previous = loglik
        }
        let comps = (0..<k).map { Distribution.lognormal(mu: mu[$0], sigma: sd[$0]) }
        // Degenerate data could leave non-finite weights; the single lognormal is then the honest answer.
        guard let table = try? MixtureTable(components: comps, weights: w) else { return lognormal(xs) }
        return .mixture(table)
    }

    /// Mean and divide-by-n variance.
    static func meanVariance(_ xs: [Double]) -> (Double, Double) {
        let n = Double(xs.count)
        let m = xs.reduce(0, +) / n
        return (m, xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n)
    }
}
