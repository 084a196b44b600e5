/// The declared valid range of one numeric input (a scenario field or a trace column): its bounds, whether each
/// bound is included, whether only whole numbers are allowed, and the unit.
///
/// Declared once, where the field is declared; the same value both checks inputs (`problem(_:)`) and documents them
/// (`description`, the README's "Valid ranges" table, `schedlab info ranges`), so the two cannot drift. Every range
/// is finite: counts must fit in memory and in Int32, times inside the simulated clock with headroom
/// (`InputLimits`), and no factor may turn a finite input into an infinite one.
public struct ValidRange: Sendable, Equatable, CustomStringConvertible {
    /// The smallest allowed value (or the exclusive lower limit when `lowIncluded` is false).
    public let low: Double
    /// Whether `low` itself is allowed.
    public let lowIncluded: Bool
    /// The largest allowed value; always included.
    public let high: Double
    /// Whether only whole numbers are allowed.
    public let integer: Bool
    /// What the value counts or measures, e.g. "seconds", "GPUs per node".
    public let unit: String

    /// A range `low...high` (or `(low, high]` when `lowIncluded` is false) of `unit`.
    public init(_ low: Double, lowIncluded: Bool = true, _ high: Double, integer: Bool = false, unit: String) {
        precondition(low.isFinite && high.isFinite && low <= high, "a declared range must be finite and ordered")
        self.low = low
        self.lowIncluded = lowIncluded
        self.high = high
        self.integer = integer
        self.unit = unit
    }

    /// Numbers in `range` of `unit`.
    public static func closed(_ range: ClosedRange<Double>, _ unit: String) -> ValidRange {
        ValidRange(range.lowerBound, range.upperBound, unit: unit)
    }

    /// Numbers above `low` (excluded) up to `high` of `unit`.
    public static func above(_ low: Double, upTo high: Double, _ unit: String) -> ValidRange {
        ValidRange(low, lowIncluded: false, high, unit: unit)
    }

    /// Whole numbers in `range` of `unit`.
    public static func integers(_ range: ClosedRange<Int>, _ unit: String) -> ValidRange {
        ValidRange(Double(range.lowerBound), Double(range.upperBound), integer: true, unit: unit)
    }

    /// Whether `x` is allowed (NaN and infinities never are).
    public func contains(_ x: Double) -> Bool {
        x.isFinite && (lowIncluded ? x >= low : x > low) && x <= high && (!integer || x == x.rounded())
    }

    /// Whether the integer `n` is allowed.
    public func contains(_ n: Int) -> Bool { contains(Double(n)) && Double(n) <= high }

    /// Nil when `x` is allowed, else "expected UNIT in RANGE, got X".
    public func problem(_ x: Double) -> String? {
        contains(x) ? nil : "expected \(expectation), got \(Self.text(x))"
    }

    /// Nil when the integer `n` is allowed, else "expected UNIT in RANGE, got N" (an integer needs no "whole").
    public func problem(_ n: Int) -> String? {
        contains(n) ? nil : "expected \(unit) in \(interval), got \(n)"
    }

    /// "seconds in (0, 1e9]", "GPUs in 1...64 (whole numbers)".
    public var expectation: String { "\(unit) in \(interval)\(integer ? " (whole numbers)" : "")" }

    /// The interval alone: "1...64" or "(0, 1e9]".
    public var interval: String {
        lowIncluded ? "\(Self.text(low))...\(Self.text(high))" : "(\(Self.text(low)), \(Self.text(high))]"
    }

    public var description: String { expectation }

    /// Shortest text of a bound: whole numbers below 1e7 in digits, round powers in exponent form ("1e9", "9e15").
    public static func text(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x == x.rounded() && abs(x) < 1e7 { return String(Int64(x)) }
        if x == x.rounded() {
            var exponent = 0
            var mantissa = abs(x)
            while mantissa >= 10 { mantissa /= 10; exponent += 1 }
            let candidate = "\(x < 0 ? "-" : "")\(Int(mantissa.rounded()))e\(exponent)"
            if Double(candidate) == x { return candidate }
            if abs(x) < 1e15 { return String(Int64(x)) }
        }
        return "\(x)"
    }
}
