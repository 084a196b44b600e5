/// The last lines a process wrote to its standard error, for error messages: a fixed number of lines, each cut to
/// a fixed length, so that a chatty process costs bounded memory however much it writes.
public struct StderrTail: Sendable {
    /// Lines kept.
    public let capacity: Int
    /// Bytes kept of each line.
    public let lineLimit: Int
    private var lines: [String] = []
    private var partial: [UInt8] = []
    private var partialCut = false

    /// An empty tail keeping `capacity` lines of at most `lineLimit` bytes each.
    public init(capacity: Int = 20, lineLimit: Int = 400) {
        self.capacity = capacity
        self.lineLimit = lineLimit
    }

    /// Adds bytes read from the stream.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        for b in bytes {
            if b == UInt8(ascii: "\n") {
                finishLine()
            } else if partial.count < lineLimit {
                partial.append(b)
            } else {
                partialCut = true
            }
        }
    }

    /// The kept lines, oldest first, including an unterminated last line.
    public var recentLines: [String] {
        var out = lines
        if !partial.isEmpty { out.append(Self.text(partial, cut: partialCut)) }
        return Array(out.suffix(capacity))
    }

    private mutating func finishLine() {
        lines.append(Self.text(partial, cut: partialCut))
        if lines.count > capacity { lines.removeFirst(lines.count - capacity) }
        partial.removeAll(keepingCapacity: true)
        partialCut = false
    }

    private static func text(_ bytes: [UInt8], cut: Bool) -> String {
        // Trailing carriage returns (a Windows-style writer) would garble a terminal; invalid UTF-8 becomes U+FFFD.
        var b = bytes[...]
        while b.last == UInt8(ascii: "\r") { b = b.dropLast() }
        return String(decoding: b, as: UTF8.self) + (cut ? " …" : "")
    }
}
