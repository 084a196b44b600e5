/// A strict JSON parser (RFC 8259) for the lines an external policy writes: one value per line, nothing after it
/// but spaces. Errors name the byte offset and what was expected there.
public struct JSONParser {
    /// Why a line is not JSON.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// Byte offset into the line.
        public var offset: Int
        /// What was expected there.
        public var message: String
        public var description: String { "\(message) at byte \(offset)" }
    }

    private let text: ArraySlice<UInt8>
    private var i: Int
    private var depth = 0
    /// Deepest nesting accepted (protects the recursive descent's stack from hostile input).
    static let maxDepth = 512

    private init(_ text: ArraySlice<UInt8>) {
        self.text = text
        self.i = text.startIndex
    }

    /// Parses `line` as exactly one JSON value.
    public static func parse(_ line: ArraySlice<UInt8>) throws(Failure) -> JSONValue {
        var p = JSONParser(line)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == line.endIndex else { throw p.fail("expected the end of the line after a complete value") }
        return v
    }

    /// Parses `text` as exactly one JSON value.
    public static func parse(_ text: String) throws(Failure) -> JSONValue { try parse(Array(text.utf8)[...]) }

    private func fail(_ message: String) -> Failure { Failure(offset: i - text.startIndex, message: message) }

    private mutating func skipSpace() {
        while i < text.endIndex {
            let c = text[i]
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D else { return }
            i += 1
        }
    }

    private mutating func value() throws(Failure) -> JSONValue {
        guard i < text.endIndex else { throw fail("expected a value, found the end of the line") }
        switch text[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("expected a value (object, list, string, number, true, false or null)")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard text.endIndex - i >= n,
              word.withUTF8Buffer({ w in (0..<n).allSatisfy { text[i + $0] == w[$0] } }) else {
            throw fail("expected '\(word)'")
        }
        i += n
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < text.endIndex && text[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < text.endIndex else { throw fail("expected ',' or ']' to continue the list") }
            if text[i] == UInt8(ascii: ",") { i += 1; continue }
            if text[i] == UInt8(ascii: "]") { i += 1; break }
            throw fail("expected ',' or ']' to continue the list")
        }
        depth -= 1
        return .array(items)
    }

    private mutating func object() throws(Failure) -> JSONValue {
        try enter()
        i += 1
        var members: [(key: String, value: JSONValue)] = []
        skipSpace()
        if i < text.endIndex && text[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard i < text.endIndex && text[i] == UInt8(ascii: "\"") else { throw fail("expected a member name in double quotes") }
            let key = try string()
            skipSpace()
            guard i < text.endIndex && text[i] == UInt8(ascii: ":") else { throw fail("expected ':' after the member name") }
            i += 1
            skipSpace()
            members.append((key, try value()))
            skipSpace()
            guard i < text.endIndex else { throw fail("expected ',' or '}' to continue the object") }
            if text[i] == UInt8(ascii: ",") { i += 1; continue }
            if text[i] == UInt8(ascii: "}") { i += 1; break }
            throw fail("expected ',' or '}' to continue the object")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func string() throws(Failure) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < text.endIndex && text[i] != UInt8(ascii: "\"") && text[i] != UInt8(ascii: "\\") && text[i] >= 0x20 { i += 1 }
        if i < text.endIndex && text[i] == UInt8(ascii: "\"") {
            let s = String(decoding: text[start..<i], as: UTF8.self)
            i += 1
            return s
        }
        var out: [UInt8] = Array(text[start..<i])
        while true {
            guard i < text.endIndex else { throw fail("unterminated string") }
            let c = text[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            guard c >= 0x20 else { throw fail("control character in a string (escape it)") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < text.endIndex else { throw fail("unterminated escape") }
            let e = text[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A surrogate pair: the low half must follow.
                    guard text.endIndex - i >= 6, text[i] == UInt8(ascii: "\\"), text[i + 1] == UInt8(ascii: "u") else {
                        throw fail("a high surrogate escape must be followed by a low one")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid low surrogate escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid unicode escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard text.endIndex - i >= 4 else { throw fail("expected 4 hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = text[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("expected 4 hex digits")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = i
        func digits() -> Int {
            let s = i
            while i < text.endIndex && text[i] >= UInt8(ascii: "0") && text[i] <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if text[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        guard digits() > 0 else { throw fail("expected digits in a number") }
        if text[intStart] == UInt8(ascii: "0") && i - intStart > 1 {
            throw Failure(offset: intStart - text.startIndex, message: "a number must not start with 0")
        }
        var integral = true
        if i < text.endIndex && text[i] == UInt8(ascii: ".") {
            i += 1
            integral = false
            guard digits() > 0 else { throw fail("expected digits after the decimal point") }
        }
        if i < text.endIndex && (text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E")) {
            i += 1
            integral = false
            if i < text.endIndex && (text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits() > 0 else { throw fail("expected digits in the exponent") }
        }
        let literal = String(decoding: text[start..<i], as: UTF8.self)
        if integral, let v = Int64(literal) { return .int(v) }
        guard let d = Double(literal), d.isFinite else { throw Failure(offset: start - text.startIndex, message: "number out of range") }
        return .double(d)
    }
}
