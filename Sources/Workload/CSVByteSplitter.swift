/// Splits one ASCII CSV line, given as bytes, into fields with exactly the rules of `TraceReader.splitCSV` (RFC 4180
/// quoting with `"a,b"` and `""`, a quote opening a quoted part only at the very start of a field, text after a
/// closing quote kept, every field trimmed of spaces and tabs), without a `String` per field.
///
/// Only for lines of ASCII bytes: there every byte is one `Character`, so byte rules and `splitCSV`'s Character rules
/// agree. (Beyond ASCII they need not: a combining mark after a comma or a quote joins it into one Character that is
/// neither.) `TraceReader` sends other lines to `splitCSV`.
final class CSVByteSplitter {
    /// The fields of the last line split; they point into that line's bytes or into `scratch`, and stay valid until
    /// the next `split`.
    private(set) var fields = ByteFields()
    /// Unquoted text of lines with quotes; never reallocated while its bytes are in `fields`.
    private var scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256)

    deinit { scratch.deallocate() }

    /// What `scanLine` found on a line.
    enum LineKind {
        /// ASCII without quotes: `fields` holds its fields.
        case plain
        /// ASCII with a quote: split it with `split`.
        case quoted
        /// A byte beyond ASCII: the line is for the reference splitter.
        case beyondASCII
    }

    /// Finds the end of the line starting at `start` (its first CR or LF, or the end of `text`) in one pass that
    /// also splits a plain line at its commas into `fields`.
    func scanLine(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, kind: LineKind) {
        fields.fields.removeAll(keepingCapacity: true)
        let base = text.baseAddress!
        let n = text.count
        var i = start
        var fieldStart = start
        var bits: UInt8 = 0
        var quoted = false
        while i < n {
            let b = text[i]
            // Every byte that matters here is at most ",": one comparison for the others.
            if b <= UInt8(ascii: ",") {
                if b == UInt8(ascii: ",") {
                    fields.fields.append(Self.trimmed(base + fieldStart, i - fieldStart))
                    fieldStart = i + 1
                } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                    break
                } else if b == UInt8(ascii: "\"") {
                    quoted = true
                }
            }
            bits |= b
            i += 1
        }
        fields.fields.append(Self.trimmed(base + fieldStart, i - fieldStart))
        return (i, bits >= 0x80 ? .beyondASCII : quoted ? .quoted : .plain)
    }

    /// Splits `line` (ASCII bytes, without its line break) into `fields`; false when a quoted field is not closed.
    func split(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        fields.fields.removeAll(keepingCapacity: true)
        guard let base = line.baseAddress, !line.isEmpty else {
            fields.fields.append(UnsafeBufferPointer(start: nil, count: 0))
            return true
        }
        // Most lines have no quote: their fields are slices of the line itself.
        if line.firstIndex(of: UInt8(ascii: "\"")) == nil {
            var start = 0
            for i in 0..<line.count where line[i] == UInt8(ascii: ",") {
                fields.fields.append(Self.trimmed(base + start, i - start))
                start = i + 1
            }
            fields.fields.append(Self.trimmed(base + start, line.count - start))
            return true
        }
        return splitQuoted(line)
    }

    /// The quoting state machine of `splitCSV`, writing each field's text into `scratch`.
    private func splitQuoted(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        // Unquoting only drops bytes, so the line's length bounds the text of all its fields.
        if scratch.count < line.count {
            scratch.deallocate()
            scratch = .allocate(capacity: line.count)
        }
        let out = scratch.baseAddress!
        var length = 0
        var fieldStart = 0
        var inQuotes = false
        var i = 0
        let n = line.count
        while i < n {
            let c = line[i]
            i += 1
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i < n && line[i] == UInt8(ascii: "\"") {
                        out[length] = c
                        length += 1
                        i += 1
                    } else {
                        // Closed; the next byte, if any, is read outside quotes.
                        inQuotes = false
                    }
                } else {
                    out[length] = c
                    length += 1
                }
            } else if c == UInt8(ascii: ",") {
                fields.fields.append(Self.trimmed(UnsafePointer(out + fieldStart), length - fieldStart))
                fieldStart = length
            } else if c == UInt8(ascii: "\"") && length == fieldStart {
                inQuotes = true
            } else {
                out[length] = c
                length += 1
            }
        }
        guard !inQuotes else { return false }
        fields.fields.append(Self.trimmed(UnsafePointer(out + fieldStart), length - fieldStart))
        return true
    }

    /// `start..<start+count` without leading and trailing spaces and tabs (`CharacterSet.whitespaces` in ASCII).
    private static func trimmed(_ start: UnsafePointer<UInt8>, _ count: Int) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = count
        while lo < hi, start[lo] == UInt8(ascii: " ") || start[lo] == UInt8(ascii: "\t") { lo += 1 }
        while hi > lo, start[hi - 1] == UInt8(ascii: " ") || start[hi - 1] == UInt8(ascii: "\t") { hi -= 1 }
        return UnsafeBufferPointer(start: start + lo, count: hi - lo)
    }
}
