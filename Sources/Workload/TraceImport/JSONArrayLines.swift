/// Finds the 1-based line on which each element of a top-level JSON array starts, so errors about a parsed
/// element can name a line (Foundation's JSON parser does not keep positions).
enum JSONArrayLines {
    /// Lines of the top-level array's elements, in order; empty if the text is not an array.
    static func elementLines(_ text: String) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var depth = 0
        var inString = false
        var escaped = false
        var expectingElement = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            let isSpace = byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
            if expectingElement && !isSpace && byte != UInt8(ascii: "]") {
                lines.append(line)
                expectingElement = false
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth == 1 {
                    guard byte == UInt8(ascii: "[") else { return [] }
                    expectingElement = true
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return lines }
            case UInt8(ascii: ","):
                if depth == 1 { expectingElement = true }
            default: break
            }
        }
        return lines
    }
}
