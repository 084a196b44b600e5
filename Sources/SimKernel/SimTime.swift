/// A point or span of simulated time, in integer nanoseconds.
///
/// Integers, not `Double` seconds, so that events scheduled for "the same instant" compare equal exactly and
/// a run never depends on floating-point accumulation order. Int64 nanoseconds cover about 292 years.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the start of the simulation (or the length of a span).
    public var nanoseconds: Int64

    /// Creates a time from integer nanoseconds.
    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The start of every simulation.
    public static let zero = SimTime(nanoseconds: 0)
    /// A time later than any event; used as "never".
    public static let never = SimTime(nanoseconds: .max)

    /// Converts seconds to the nearest nanosecond. Traps on values that do not fit (NaN, ±inf, > 292 years).
    @inlinable public static func seconds(_ s: Double) -> SimTime {
        let ns = (s * 1e9).rounded()
        precondition(ns.isFinite && abs(ns) < 9.2e18, "time \(s) s is out of range")
        return SimTime(nanoseconds: Int64(ns))
    }

    /// `self` plus `s` seconds, or nil when the sum falls outside the clock's range (NaN, ±inf, past ±292 years):
    /// for times derived from input at run time (a completion after a drawn duration at a modeled speed), which must
    /// fail the run with a message rather than trap as `seconds(_:)` does.
    @inlinable public func adding(seconds s: Double) -> SimTime? {
        let ns = (s * 1e9).rounded()
        guard ns.isFinite, abs(ns) < 9.2e18 else { return nil }
        let (sum, overflow) = nanoseconds.addingReportingOverflow(Int64(ns))
        return overflow || sum == .max ? nil : SimTime(nanoseconds: sum)
    }

    /// Converts whole seconds exactly.
    @inlinable public static func seconds(_ s: Int64) -> SimTime { SimTime(nanoseconds: s * 1_000_000_000) }

    /// The value in seconds.
    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: SimTime, b: SimTime) -> SimTime {
        SimTime(nanoseconds: a.nanoseconds &+ b.nanoseconds)
    }
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimTime {
        SimTime(nanoseconds: a.nanoseconds &- b.nanoseconds)
    }

    public var description: String { "\(seconds)s" }
}
