import CGSL
import Foundation

/// A probability distribution over doubles that a `RandomStream` can draw from (GSL's parameterisations).
public enum Distribution: Sendable, Equatable {
    /// Always `value`.
    case constant(Double)
    /// Exponential with the given mean (= 1/rate).
    case exponential(mean: Double)
    /// exp(N(mu, sigma²)).
    case lognormal(mu: Double, sigma: Double)
    /// Gamma with shape k and scale θ (mean kθ).
    case gamma(shape: Double, scale: Double)
    /// Weibull with scale λ and shape k (GSL's `a` and `b`).
    case weibull(scale: Double, shape: Double)
    /// Uniform on [low, high).
    case uniform(low: Double, high: Double)
    /// One of a finite set of values with given weights.
    case categorical(CategoricalTable)

    /// The distribution's mean, used to turn a target load into an arrival rate.
    public var mean: Double {
        switch self {
        case .constant(let v): return v
        case .exponential(let m): return m
        case .lognormal(let mu, let sigma): return Foundation.exp(mu + sigma * sigma / 2)
        case .gamma(let k, let theta): return k * theta
        case .weibull(let lambda, let k): return lambda * gsl_sf_gamma(1 + 1 / k)
        case .uniform(let a, let b): return (a + b) / 2
        case .categorical(let t): return t.mean
        }
    }

    /// Checks the parameters; returns a description of what is wrong, or nil when valid.
    public var parameterProblem: String? {
        func positive(_ x: Double, _ name: String) -> String? {
            x.isFinite && x > 0 ? nil : "\(name) must be a finite number > 0, got \(x)"
        }
        switch self {
        case .constant(let v): return v.isFinite ? nil : "value must be finite"
        case .exponential(let m): return positive(m, "mean")
        case .lognormal(let mu, let sigma): return mu.isFinite ? positive(sigma, "sigma") : "mu must be finite"
        case .gamma(let k, let theta): return positive(k, "shape") ?? positive(theta, "scale")
        case .weibull(let lambda, let k): return positive(lambda, "scale") ?? positive(k, "shape")
        case .uniform(let a, let b):
            return a.isFinite && b.isFinite && a < b ? nil : "uniform needs finite low < high, got [\(a), \(b))"
        case .categorical: return nil  // validated when the table is built
        }
    }
}

/// Values with weights, normalised once so that draws are a binary search.
public struct CategoricalTable: Sendable, Equatable {
    /// The values, in the order given.
    public let values: [Double]
    /// The weights as given.
    public let weights: [Double]
    /// Cumulative normalised weights; the last is exactly 1.
    public let cumulative: [Double]

    /// Builds a table; throws a description when weights are not finite, non-negative and summing above 0.
    public init(values: [Double], weights: [Double]) throws(DistributionError) {
        guard !values.isEmpty else { throw DistributionError("categorical needs at least one value") }
        guard values.count == weights.count else {
            throw DistributionError("categorical has \(values.count) values but \(weights.count) weights")
        }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw DistributionError("categorical weights must be finite and >= 0")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw DistributionError("categorical weights must not all be 0") }
        var acc = 0.0
        var cum: [Double] = []
        cum.reserveCapacity(weights.count)
        for w in weights {
            acc += w
            cum.append(acc / total)
        }
        cum[cum.count - 1] = 1
        self.values = values
        self.weights = weights
        self.cumulative = cum
    }

    /// The weighted mean of the values.
    public var mean: Double {
        let total = weights.reduce(0, +)
        return zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } / total
    }
}

/// A distribution whose parameters are invalid.
public struct DistributionError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String
    /// Creates an error with a description.
    public init(_ description: String) { self.description = description }
}

