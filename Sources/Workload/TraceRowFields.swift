/// One trace row's fields, as the row parser (`TraceReader.parseRow`) reads them: by position, as text only where the
/// value is text (a name, a user) or an error quotes it, and as numbers parsed in place.
///
/// Two kinds exist so that the fast reader and its reference share one row parser, and so the checks cannot drift:
/// `ByteFields` (slices of the file's UTF-8 bytes, numbers parsed from the bytes without building a `String`) and
/// `StringFields` (the reference reader's `[String]`, numbers parsed by `Double(String)` and `Int(String)`).
protocol TraceRowFields {
    /// Fields in the row.
    var count: Int { get }
    /// Whether field `i` is empty (after trimming).
    func isEmpty(_ i: Int) -> Bool
    /// Field `i` as text.
    func string(_ i: Int) -> String
    /// Field `i` as a number, exactly as `Double(String)` reads it (nil where it does).
    func double(_ i: Int) -> Double?
    /// Field `i` as an integer, exactly as `Int(String)` reads it (nil where it does).
    func int(_ i: Int) -> Int?
}

/// Fields as strings: the reference reader's row.
struct StringFields: TraceRowFields {
    /// The fields, unquoted and trimmed.
    var fields: [String]

    var count: Int { fields.count }
    func isEmpty(_ i: Int) -> Bool { fields[i].isEmpty }
    func string(_ i: Int) -> String { fields[i] }
    func double(_ i: Int) -> Double? { Double(fields[i]) }
    func int(_ i: Int) -> Int? { Int(fields[i]) }
}

/// Fields as slices of UTF-8 bytes that stay valid while the row is parsed (the trace's buffer, or the splitter's
/// scratch for unquoted text).
struct ByteFields: TraceRowFields {
    /// The fields, unquoted and trimmed.
    var fields: [UnsafeBufferPointer<UInt8>] = []

    var count: Int { fields.count }
    func isEmpty(_ i: Int) -> Bool { fields[i].isEmpty }
    func string(_ i: Int) -> String { String(decoding: fields[i], as: UTF8.self) }
    func double(_ i: Int) -> Double? { DecimalBytes.double(fields[i]) ?? Double(string(i)) }
    func int(_ i: Int) -> Int? { DecimalBytes.int(fields[i]) ?? Int(string(i)) }
}
