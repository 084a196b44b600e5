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
    /// Pareto (type I) with scale x_m > 0 (the minimum) and shape α > 0: P(X > x) = (x_m / x)^α for x ≥ x_m
    /// (GSL's `gsl_ran_pareto(a = α, b = x_m)`).
    case pareto(scale: Double, shape: Double)
    /// Geometric on 1, 2, 3, ... with the given mean ≥ 1 (success probability 1/mean; GSL's `gsl_ran_geometric`):
    /// e.g. the number of jobs in a batch.
    case geometric(mean: Double)
    /// A weighted mixture: each draw picks a component by weight, then draws from it.
    case mixture(MixtureTable)

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
        case .pareto(let xm, let alpha): return alpha > 1 ? alpha * xm / (alpha - 1) : .infinity
        case .geometric(let m): return m
        case .mixture(let m): return m.mean
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
        case .categorical(let t):
            // Weights are validated when the table is built; values must be finite to be drawn.
            return t.values.allSatisfy(\.isFinite) ? nil : "categorical values must be finite numbers"
        case .pareto(let xm, let alpha): return positive(xm, "scale") ?? positive(alpha, "shape")
        case .geometric(let m): return m.isFinite && m >= 1 ? nil : "mean must be a finite number >= 1, got \(m)"
        case .mixture(let m):
            for (i, c) in m.components.enumerated() {
                if let p = c.parameterProblem { return "component \(i): \(p)" }
            }
            return nil
        }
    }
}

/// The components of a mixture distribution and their weights.
public struct MixtureTable: Sendable, Equatable {
    /// The component distributions, in the order given.
    public let components: [Distribution]
    /// The weights, as a categorical table over component indices.
    public let weights: CategoricalTable

    /// Builds a mixture; throws when there are no components or the weights are not a valid categorical table.
    public init(components: [Distribution], weights: [Double]) throws(DistributionError) {
        guard !components.isEmpty else { throw DistributionError("mixture needs at least one component") }
        guard components.count == weights.count else {
            throw DistributionError("mixture has \(components.count) components but \(weights.count) weights")
        }
        self.components = components
        self.weights = try CategoricalTable(values: components.indices.map(Double.init), weights: weights)
    }

    /// Σ wᵢ·meanᵢ over the components with weight > 0 (normalised weights).
    public var mean: Double {
        let total = weights.weights.reduce(0, +)
        return zip(components, weights.weights).reduce(0) { $1.1 > 0 ? $0 + $1.1 / total * $1.0.mean : $0 }
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

