import Foundation
import Workload

/// Bounds on a policy's own clock: Gavel's rounds, Themis' leases, the decision intervals of Tiresias, Pollux and
/// Optimus.
///
/// The shortest period is one second. Nothing in a run changes faster than that on its own (trace and generated
/// durations are whole seconds; checkpoints, restores and reallocations take seconds), while each period costs a
/// policy call whenever jobs wait: a 1 ms Gavel round made the 500-job quickstart run for about a quarter of an hour
/// of wall time, which looks like a hang to whoever set it.
public enum PolicyPeriod {
    /// The shortest period a policy parameter may ask for, in seconds.
    public static let minimumSeconds = 1.0

    /// Decodes the period at `key` (`fallback` when absent): finite, at least `minimumSeconds`, at most `maximum`.
    public static func decode<Key: CodingKey>(
        _ c: KeyedDecodingContainer<Key>, _ key: Key, default fallback: Double, maximum: Double = 1e9
    ) throws -> Double {
        let seconds = try c.decodeIfPresent(Double.self, forKey: key) ?? fallback
        guard seconds.isFinite && (minimumSeconds...maximum).contains(seconds) else {
            throw c.invalid(key, "expected seconds in \(range(maximum: maximum)), got \(seconds)")
        }
        return seconds
    }

    /// The accepted range as the error messages and `schedlab info policies` write it.
    public static func range(maximum: Double = 1e9) -> String {
        func text(_ x: Double) -> String { String(format: "%g", x).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e") }
        return "\(text(minimumSeconds))...\(text(maximum))"
    }
}
