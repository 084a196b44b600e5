/// Compact JSON text written into a reusable byte buffer: what SchedLab sends an external policy each round.
///
/// Hand-written rather than `JSONEncoder` because a round message is built tens of thousands of times a second:
/// integers are formatted digit by digit, doubles with Swift's shortest round-trip form (which Python's `float`
/// reads back to the same bits), and nothing is allocated per value.
public struct JSONWriter {
    /// The text so far, UTF-8.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() { bytes.reserveCapacity(1 << 12) }

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// Appends ASCII text as is (punctuation, keys written as `"key":`).
    @inline(__always) public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends one ASCII byte.
    @inline(__always) public mutating func byte(_ c: UInt8) { bytes.append(c) }

    /// Appends an integer.
    public mutating func int(_ value: Int64) {
        if value < 0 {
            if value == .min {
                raw("-9223372036854775808")
                return
            }
            bytes.append(UInt8(ascii: "-"))
            int(-value)
            return
        }
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 19 digits
        var n = UInt64(value)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while n > 0 {
                buf[23 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            }
            bytes.append(contentsOf: buf[(24 - count)...])
        }
    }

    /// Appends an integer.
    @inline(__always) public mutating func int(_ value: Int) { int(Int64(value)) }

    /// Appends a finite double in its shortest round-trip form; NaN and infinities, which JSON cannot carry, as null.
    public mutating func double(_ value: Double) {
        guard value.isFinite else {
            raw("null")
            return
        }
        // Whole numbers below 2^53 print without a fraction or exponent ("3.0"), which every reader takes as a float.
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Appends a string literal, escaped.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for c in value.utf8 {
            switch c {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(c >> 4)])
                bytes.append(hex[Int(c & 15)])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a string, or null.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    /// Appends a JSON value.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): if b { raw("true") } else { raw("false") }
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let items):
            byte(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { byte(UInt8(ascii: ",")) }
                value(item)
            }
            byte(UInt8(ascii: "]"))
        case .object(let members):
            byte(UInt8(ascii: "{"))
            for (k, member) in members.enumerated() {
                if k > 0 { byte(UInt8(ascii: ",")) }
                string(member.key)
                byte(UInt8(ascii: ":"))
                value(member.value)
            }
            byte(UInt8(ascii: "}"))
        }
    }
}
