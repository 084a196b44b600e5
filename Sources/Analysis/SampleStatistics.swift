import CGSL
import Foundation

/// Mean, standard deviation and a Student-t confidence interval of a small sample (seeds of one configuration).
///
/// The interval is mean ± t(1 − α/2, n − 1) · s / √n with s the sample standard deviation (n − 1 in the
/// denominator); the t quantile is GSL's `gsl_cdf_tdist_Pinv`. With n < 2 the spread is undefined: `sd`, `low` and
/// `high` are nil rather than a made-up zero.
public struct SampleStatistics: Sendable, Equatable {
    /// Sample size.
    public let n: Int
    /// Arithmetic mean; nil for an empty sample.
    public let mean: Double?
    /// Sample standard deviation (n − 1); nil when n < 2.
    public let sd: Double?
    /// Lower and upper ends of the confidence interval; nil when n < 2.
    public let low: Double?, high: Double?
    /// The confidence level, e.g. 0.95.
    public let level: Double

    /// Summarizes `values` with a `level` confidence interval.
    public init(_ values: [Double], level: Double = 0.95) {
        precondition(level > 0 && level < 1, "confidence level must be in (0, 1)")
        n = values.count
        self.level = level
        guard !values.isEmpty else {
            mean = nil; sd = nil; low = nil; high = nil
            return
        }
        let m = values.reduce(0, +) / Double(n)
        mean = m
        guard n >= 2 else {
            sd = nil; low = nil; high = nil
            return
        }
        let s = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)).squareRoot()
        sd = s
        let half = Self.tQuantile(1 - (1 - level) / 2, degreesOfFreedom: n - 1) * s / Double(n).squareRoot()
        low = m - half
        high = m + half
    }

    /// Half the interval's width; nil when n < 2.
    public var halfWidth: Double? { high.flatMap { h in mean.map { h - $0 } } }

    /// The `p` quantile of Student's t distribution with `degreesOfFreedom` (GSL's inverse CDF).
    public static func tQuantile(_ p: Double, degreesOfFreedom: Int) -> Double {
        gsl_cdf_tdist_Pinv(p, Double(degreesOfFreedom))
    }
}
