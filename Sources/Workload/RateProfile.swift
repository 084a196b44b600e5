import Foundation

/// A periodic profile of the arrival rate over a day or a week, relative to its mean (mean 1 over a period).
///
/// Hour 0 starts at simulated time 0. For a profile fitted from a trace, that is the trace's own time 0 (or its
/// window's start), whatever the time of day it was.
public enum RateProfile: Sendable, Equatable {
    /// Piecewise-constant hourly weights over a period of `weights.count` hours (24: a day, 168: a week),
    /// normalised to mean 1.
    case hourly([Double])
    /// rate ∝ 1 + amplitude · cos(2π (t/3600 − peakHour) / periodHours), amplitude in [0, 1].
    case sinusoid(amplitude: Double, peakHour: Double, periodHours: Double)

    /// Hourly weights scaled to mean 1; nil when they are not finite, non-negative and summing above 0.
    public static func hourly(weights: [Double]) -> RateProfile? {
        guard !weights.isEmpty, weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return nil }
        let total = weights.reduce(0, +)
        guard total > 0, total.isFinite else { return nil }
        return .hourly(weights.map { $0 * Double(weights.count) / total })
    }

    /// Hours in one period.
    public var periodHours: Double {
        switch self {
        case .hourly(let w): return Double(w.count)
        case .sinusoid(_, _, let p): return p
        }
    }

    /// The rate at `seconds` over the mean rate.
    public func relativeRate(atSeconds seconds: Double) -> Double {
        switch self {
        case .hourly(let w):
            let hour = Int((seconds / 3600).rounded(.down)) % w.count
            return w[hour < 0 ? hour + w.count : hour]
        case .sinusoid(let a, let peak, let period):
            return 1 + a * cos(2 * Double.pi * (seconds / 3600 - peak) / period)
        }
    }

    /// The largest relative rate over a period.
    public var peakRelativeRate: Double {
        switch self {
        case .hourly(let w): return w.max() ?? 1
        case .sinusoid(let a, _, _): return 1 + a
        }
    }

    /// ∫₀ᵀ relative rate dt, seconds: the expected arrivals in [0, T) at mean rate 1/s (for tests and checks).
    public func integratedRelativeRate(to t: Double) -> Double {
        switch self {
        case .hourly(let w):
            let fullHours = Int((t / 3600).rounded(.down))
            let cycles = fullHours / w.count
            var total = Double(cycles) * Double(w.count) * 3600  // mean 1 per period
            for h in (cycles * w.count)..<fullHours { total += w[h % w.count] * 3600 }
            return total + w[fullHours % w.count] * (t - Double(fullHours) * 3600)
        case .sinusoid(let a, let peak, let period):
            let omega = 2 * Double.pi / (period * 3600)
            let phase = 2 * Double.pi * peak / period
            return t + a / omega * (sin(omega * t - phase) - sin(-phase))
        }
    }
}
