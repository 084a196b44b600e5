/// A strict RFC 4180 parser for the export tests, written apart from `CSVWriter` so the round trip checks one
/// against the other. Keeps what most readers drop: an unquoted empty field (NULL) differs from `""` (empty text).
enum CSVTestParser {
    enum Field: Equatable {
        case unquoted(String)
        case quoted(String)
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Records of `text`, which must end every record (the header included) with CRLF.
    static func parse(_ text: String) throws -> [[Field]] {
        var records: [[Field]] = []
        var record: [Field] = []
        let chars = Array(text.unicodeScalars)
        var i = 0
        func atRecordEnd() -> Bool { i + 1 < chars.count && chars[i] == "\r" && chars[i + 1] == "\n" }
        while i < chars.count {
            var field: Field
            if chars[i] == "\"" {
                var s = String.UnicodeScalarView()
                i += 1
                while true {
                    guard i < chars.count else { throw Malformed(description: "unterminated quoted field") }
                    if chars[i] == "\"" {
                        if i + 1 < chars.count && chars[i + 1] == "\"" { s.append("\""); i += 2; continue }
                        i += 1
                        break
                    }
                    s.append(chars[i])
                    i += 1
                }
                field = .quoted(String(s))
            } else {
                var s = String.UnicodeScalarView()
                while i < chars.count && chars[i] != "," && !atRecordEnd() {
                    guard chars[i] != "\"" && chars[i] != "\n" && chars[i] != "\r" else {
                        throw Malformed(description: "quote or line break in an unquoted field at scalar \(i)")
                    }
                    s.append(chars[i])
                    i += 1
                }
                field = .unquoted(String(s))
            }
            record.append(field)
            if i < chars.count && chars[i] == "," {
                i += 1
            } else if atRecordEnd() {
                i += 2
                records.append(record)
                record = []
            } else {
                throw Malformed(description: "expected a comma or CRLF after a field at scalar \(i)")
            }
        }
        guard record.isEmpty else { throw Malformed(description: "the last record does not end with CRLF") }
        return records
    }
}
