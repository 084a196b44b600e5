import CGSL

/// One named, seeded stream of random numbers, backed by GSL's Mersenne Twister (mt19937).
///
/// A class because it owns a C generator (`gsl_rng *`) that must be freed exactly once. Not `Sendable`:
/// a stream belongs to the one component that draws from it, which is what keeps draws reproducible.
public final class RandomStream {
    /// The stream's name (e.g. "arrivals"), for diagnostics.
    public let name: String
    /// The seed given to GSL.
    public let seed: UInt64
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>

    /// Creates a stream seeded with `seed`.
    public init(name: String, seed: UInt64) {
        schedlab_gsl_disable_abort()
        guard let r = gsl_rng_alloc(schedlab_gsl_mt19937()) else {
            fatalError("GSL could not allocate a random number generator (out of memory)")
        }
        self.name = name
        self.seed = seed
        self.rng = r
        // mt19937 takes an unsigned long seed; GSL maps seed 0 to its default, so fold 0 onto 1 explicitly
        // rather than inherit that special case silently.
        gsl_rng_set(r, seed == 0 ? 1 : UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(rng) }

    /// A uniform double in [0, 1).
    @inlinable public func uniform01() -> Double { gsl_rng_uniform(rng) }

    /// A uniform integer in [0, n). `n` must be positive.
    public func uniformInt(below n: Int) -> Int {
        precondition(n > 0 && n <= Int(UInt32.max), "uniformInt(below:) needs 0 < n <= 2^32-1, got \(n)")
        return Int(gsl_rng_uniform_int(rng, UInt(n)))
    }

    /// Draws one value from `distribution`.
    public func draw(_ distribution: Distribution) -> Double {
        switch distribution {
        case .constant(let v):
            return v
        case .exponential(let mean):
            // gsl_ran_exponential takes the mean (1/rate), not the rate.
            return gsl_ran_exponential(rng, mean)
        case .lognormal(let mu, let sigma):
            return gsl_ran_lognormal(rng, mu, sigma)
        case .gamma(let shape, let scale):
            return gsl_ran_gamma(rng, shape, scale)
        case .weibull(let scale, let shape):
            return gsl_ran_weibull(rng, scale, shape)
        case .uniform(let low, let high):
            return gsl_ran_flat(rng, low, high)
        case .categorical(let table):
            return table.values[drawIndex(table)]
        case .pareto(let scale, let shape):
            return gsl_ran_pareto(rng, shape, scale)
        case .geometric(let mean):
            return Double(gsl_ran_geometric(rng, 1 / mean))
        case .mixture(let m):
            return draw(m.components[drawIndex(m.weights)])
        }
    }

    /// A normal draw with mean 0 and standard deviation `sigma` (`gsl_ran_gaussian`, GSL's Box–Muller method).
    public func gaussian(sigma: Double) -> Double { gsl_ran_gaussian(rng, sigma) }

    /// Draws an index of `table` with probability proportional to its weight.
    public func drawIndex(_ table: CategoricalTable) -> Int {
        // Inverse-CDF over the normalised cumulative weights: O(log k), exact and order-stable.
        let u = gsl_rng_uniform(rng)
        var lo = 0
        var hi = table.cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if u < table.cumulative[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
