import Foundation

/// The unit of a summary metric, which also decides how its value is printed.
public enum MetricUnit: String, Sendable, CaseIterable {
    /// A number of jobs.
    case jobs
    /// Simulated seconds.
    case seconds
    /// A dimensionless share between 0 and 1.
    case fraction
    /// GPU-hours of busy GPU time.
    case gpuHours
    /// A number of events (preemptions, migrations, ...).
    case count
    /// A dimensionless ratio (1 = parity), such as a slowdown.
    case ratio

    /// The unit as written in tables and the README.
    public var symbol: String {
        switch self {
        case .jobs: return "jobs"
        case .seconds: return "s"
        case .fraction: return "fraction"
        case .gpuHours: return "GPU-h"
        case .count: return "count"
        case .ratio: return "ratio"
        }
    }

    /// The value as the summary table prints it: counts without decimals, fractions with 4 decimals, ratios with
    /// 3, seconds and GPU-hours with 1 (tenths of a second are below anything a scheduler decides on).
    public func render(_ value: Double) -> String {
        switch self {
        case .jobs, .count: return String(Int(value))
        case .fraction: return String(format: "%.4f", value)
        case .ratio: return String(format: "%.3f", value)
        case .seconds, .gpuHours: return String(format: "%.1f", value)
        }
    }
}
