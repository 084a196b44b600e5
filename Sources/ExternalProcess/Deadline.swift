#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the monotonic clock by which something must happen (wall time, never simulated time).
public struct Deadline: Sendable {
    /// The timeout it was made from, seconds (for messages).
    public let timeout: Double
    /// Monotonic nanoseconds at which it passes.
    public let nanoseconds: Int64

    /// The deadline `seconds` from now (∞ or anything beyond a century counts as never).
    public init(secondsFromNow seconds: Double) {
        timeout = seconds
        let span = seconds.isFinite ? min(max(0, seconds), 3e9) : 3e9
        nanoseconds = Self.now() + Int64(span * 1e9)
    }

    /// Seconds until it passes (negative once passed).
    public var secondsLeft: Double { Double(nanoseconds - Self.now()) / 1e9 }

    /// Whether it has passed.
    public var hasPassed: Bool { Self.now() >= nanoseconds }

    /// The monotonic clock, nanoseconds.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
