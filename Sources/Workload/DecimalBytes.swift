/// Decimal numbers parsed straight from UTF-8 bytes, for the common shapes of a trace's numeric fields, without
/// building a `String`.
///
/// Each parser either returns exactly what Swift's `Double(String)` / `Int(String)` return for the same text, or nil
/// meaning "not handled here": the caller then asks the standard parser (`ByteFields`), so unusual text (hex floats,
/// `inf`, `nan`, more than 19 digits, huge exponents, invalid input) is judged by the same code as before.
enum DecimalBytes {
    /// Exact powers of ten as doubles: 10^22 is the largest that a double holds exactly.
    private static let powersOfTen: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { acc, _ in acc * 10 } }

    /// `[+-]digits[.digits][(e|E)[+-]digits]` with at most 19 significant digits whose value is exact in a double
    /// and a power of ten up to 10^22: Clinger's fast path (W. D. Clinger, "How to read floating point numbers
    /// accurately", PLDI 1990, §4), where one IEEE multiplication or division of two exact values gives the correctly
    /// rounded result, as `strtod` (which `Double(String)` calls) does. Anything else: nil (not handled).
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = bytes.count
        var i = 0
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0  // digits in the mantissa, leading zeros excepted
        var seenDigit = false
        var fractionDigits = 0
        while i < n, bytes[i] &- UInt8(ascii: "0") < 10 {
            let d = UInt64(bytes[i] &- UInt8(ascii: "0"))
            if mantissa != 0 || d != 0 { digits += 1 }
            mantissa = mantissa &* 10 &+ d
            seenDigit = true
            i += 1
        }
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] &- UInt8(ascii: "0") < 10 {
                let d = UInt64(bytes[i] &- UInt8(ascii: "0"))
                if mantissa != 0 || d != 0 { digits += 1 }
                mantissa = mantissa &* 10 &+ d
                fractionDigits += 1
                seenDigit = true
                i += 1
            }
        }
        // 19 digits always fit in UInt64 without wrapping (10^19 - 1 < 2^64).
        guard seenDigit, digits <= 19 else { return nil }
        var exponent = 0
        if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            while i < n, bytes[i] &- UInt8(ascii: "0") < 10, i - start < 6 {
                exponent = exponent * 10 + Int(bytes[i] &- UInt8(ascii: "0"))
                i += 1
            }
            guard i > start else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        let power = exponent - fractionDigits
        // Exact mantissa (at most 2^53) and exact power: one correctly rounded operation.
        guard mantissa <= 1 << 53, power >= -22, power <= 22 else { return nil }
        let m = Double(mantissa)
        let value = power >= 0 ? m * powersOfTen[power] : m / powersOfTen[-power]
        return negative ? -value : value
    }

    /// `[+-]digits` that fits in an `Int`, as `Int(String)` reads it; anything else: nil (not handled).
    static func int(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = bytes.count
        var i = 0
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        // At most 18 digits: never overflows, so no overflow checks (longer numbers go to `Int(String)`).
        guard i < n, n - i <= 18 else { return nil }
        var value = 0
        while i < n {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
            i += 1
        }
        return negative ? -value : value
    }
}
