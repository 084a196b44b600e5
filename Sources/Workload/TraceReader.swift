import ClusterModel
import Foundation
import Models
import SimKernel

/// Reads SchedLab's canonical job trace CSV.
///
/// Columns: `job_id,submit_time_s,num_gpus,duration_s[,gpu_type,model,user,status,gpu_milli]`, with a header line
/// (shared/traces/*/README.md describes how each public trace was converted). Empty optional fields mean
/// "unknown". Rows are returned sorted by submit time (stable, so file order breaks ties) and numbered
/// as `JobID`s in that order. `gpu_milli` (SchedLab's extension, from Alibaba openb) is the share of one GPU a
/// 1-GPU job asked for, in thousandths; the simulator records it but allocates whole GPUs. `batch_size,epochs`
/// (SchedLab's extension, from the Pollux artifact's workloads) describe an elastic data-parallel job that trains its
/// zoo model for `epochs` epochs: its model must have an efficiency profile (`EfficiencyProfile`), its work is counted
/// in base-batch iterations (epochs × the profile's iterations per epoch, so `duration_s` may be empty), its global
/// batch is `batch_size` (empty: the profile's base batch), and it may run on 1 GPU up to as many as its largest
/// batch gives the smallest local batch (Pollux's `max_batch_size // min_local_bsz`; one GPU for a pinned batch),
/// never fewer than `num_gpus`.
public enum TraceReader {
    /// A parsed trace.
    public struct Parsed: Sendable {
        /// Jobs in submission order, IDs 0..<count.
        public var jobs: [JobSpec]
        /// The 1-based line each job came from, by JobID.
        public var lines: [Int]
        /// Rows that were skipped (only with `skipBadRows`), each with its error.
        public var skipped: [InputError]
    }

    /// The required header prefix.
    public static let requiredColumns = ["job_id", "submit_time_s", "num_gpus", "duration_s"]
    /// The optional columns, in order.
    public static let optionalColumns = ["gpu_type", "model", "user", "status", "gpu_milli", "batch_size", "epochs"]

    /// The valid range of each numeric column, declared once: the row checks use these and the README's valid-ranges
    /// table is generated from them. Submit and duration bounds keep every submit and finish time inside the simulated
    /// clock (`InputLimits`); the GPU bound keeps sums of GPU counts (peak demand, GPU-hours) far from overflow.
    public static let columnRanges: [(column: String, range: ValidRange)] = [
        ("submit_time_s", .closed(0...InputLimits.maxArrivalSeconds, "seconds")),
        ("num_gpus", .integers(1...InputLimits.maxGPUsPerJob, "GPUs")),
        ("duration_s", .above(0, upTo: InputLimits.maxDurationSeconds, "seconds")),
        ("gpu_milli", .integers(1...1000, "thousandths of a GPU")),
        ("batch_size", .integers(1...(1 << 30), "samples")),
        ("epochs", .integers(1...100_000, "epochs")),
    ]

    /// The declared range of `column`.
    static func range(_ column: String) -> ValidRange { columnRanges.first { $0.column == column }!.range }

    /// Parses trace text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(InputError) -> [JobSpec] {
        try parseWithLines(text, file: file).jobs
    }

    /// Parses trace text and also returns, for each job (by JobID), the 1-based line it came from.
    public static func parseWithLines(_ text: String, file: String) throws(InputError) -> (jobs: [JobSpec], lines: [Int]) {
        let parsed = try parse(text, file: file, skipBadRows: false)
        return (parsed.jobs, parsed.lines)
    }

    /// Parses trace text. With `skipBadRows`, a row with bad fields is left out and reported in `skipped`
    /// instead of failing the whole trace; a bad header or an unreadable file always fails.
    public static func parse(_ text: String, file: String, skipBadRows: Bool) throws(InputError) -> Parsed {
        var text = text
        // `withUTF8` makes a bridged or foreign string native first; a native string's bytes are read in place.
        let result = text.withUTF8 { bytes in
            Result { () throws(InputError) -> Parsed in try parse(utf8: bytes, file: file, skipBadRows: skipBadRows) }
        }
        return try result.get()
    }

    /// Parses trace text given as UTF-8 bytes (as `readUTF8(path:)` returns them): the same jobs, lines and errors as
    /// `parse(_:file:skipBadRows:)` of the same text.
    public static func parse(utf8 bytes: [UInt8], file: String, skipBadRows: Bool) throws(InputError) -> Parsed {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(InputError) -> Parsed in try parse(utf8: buffer, file: file, skipBadRows: skipBadRows) }
        }
        return try result.get()
    }

    /// Reads and parses the trace at `path`.
    public static func read(path: String) throws(InputError) -> [JobSpec] {
        try read(path: path, skipBadRows: false).jobs
    }

    /// Reads and parses the trace at `path`, with `skipBadRows` as in `parse(_:file:skipBadRows:)`.
    public static func read(path: String, skipBadRows: Bool) throws(InputError) -> Parsed {
        try parse(utf8: readUTF8(path: path), file: path, skipBadRows: skipBadRows)
    }

    /// The reader proper, over valid UTF-8 (a Swift string's bytes, or a file's checked by `readUTF8`).
    ///
    /// Why bytes: splitting the text into `Character`s and a `String` per field cost about 10 µs a row (the ITP
    /// trace, 69,351 rows, took 3.5x as long as Python's csv module; now about 0.35 µs a row, 4x faster than it).
    /// Here a line of ASCII bytes is split in place (`CSVByteSplitter`, one pass finding the line's end, commas and
    /// quotes) and its numbers read from the bytes (`DecimalBytes`); a line with any other byte goes
    /// through the reference splitter (`splitCSV`), whose `Character` rules differ from byte rules only there. Line
    /// breaks are found on bytes: LF, CRLF and a lone CR each end a line, as in the reference (in UTF-8 the bytes of
    /// CR and LF occur only as those characters, and a `Character` never joins them to anything but each other).
    static func parse(utf8 text: UnsafeBufferPointer<UInt8>, file: String, skipBadRows: Bool) throws(InputError) -> Parsed {
        var skipped: [InputError] = []
        var specs: [JobSpec] = []
        var lines: [Int] = []
        // Canonical traces run 40-80 bytes a row; reserved memory that is never used is never touched either.
        let rowsGuess = text.count / 40 + 1
        specs.reserveCapacity(rowsGuess)
        lines.reserveCapacity(rowsGuess)
        var header: [String]?
        /// The line of each job id seen so far: a trace's ids name its jobs in results, so two rows may not share one.
        var idLines = JobIDLines(capacity: rowsGuess)
        let splitter = CSVByteSplitter()
        let n = text.count
        var lineNumber = 0
        var position = 0
        var more = n > 0
        if n == 0 { lineNumber = 1 }  // the reference counts an empty text as one (blank) line
        while more {
            lineNumber += 1
            let start = position
            let (end, kind) = splitter.scanLine(text, from: start)
            if end < n {
                position = end + 1
                if text[end] == UInt8(ascii: "\r") && position < n && text[position] == UInt8(ascii: "\n") { position += 1 }
            } else {
                // The last line (empty after a final line break, as the reference counts it).
                more = false
            }
            let line = UnsafeBufferPointer(rebasing: text[start..<end])
            // A line of spaces and tabs: one field, empty once trimmed.
            if kind == .plain && splitter.fields.count == 1 && splitter.fields.isEmpty(0) { continue }
            // Lines beyond ASCII, and the header, go through the reference splitter; its `String`s back `StringFields`.
            var stringFields: [String]?
            if kind == .beyondASCII || header == nil {
                let lineText = String(decoding: line, as: UTF8.self)
                if lineText.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
                let fields = try splitCSV(Substring(lineText), file: file, line: lineNumber)
                guard header != nil else {
                    header = try checkedHeader(fields, lineText: lineText, file: file, line: lineNumber)
                    continue
                }
                stringFields = fields
            } else if kind == .quoted && !splitter.split(line) {
                throw InputError(file: file, line: lineNumber, message: "unterminated quoted field")
            }
            do throws(InputError) {
                let count = stringFields?.count ?? splitter.fields.count
                guard count == header!.count else {
                    throw InputError(file: file, line: lineNumber, message:
                        "expected \(header!.count) fields (\(header!.joined(separator: ","))), got \(count)")
                }
                let spec = if let stringFields {
                    try parseRow(StringFields(fields: stringFields), index: specs.count, file: file, line: lineNumber)
                } else {
                    try parseRow(splitter.fields, index: specs.count, file: file, line: lineNumber)
                }
                if let first = idLines.insert(spec.name, line: lineNumber) {
                    throw InputError(file: file, line: lineNumber, field: "job_id",
                                     message: "expected a job id not used before, got '\(spec.name)' (also on line \(first))")
                }
                specs.append(spec)
                lines.append(lineNumber)
            } catch {
                guard skipBadRows else { throw error }
                skipped.append(error)
            }
        }
        guard header != nil else { throw InputError(file: file, message: "the trace is empty (no header line)") }
        guard !specs.isEmpty || !skipped.isEmpty else {
            throw InputError(file: file, message: "the trace has a header but no job rows; expected at least one job")
        }
        sortBySubmitTime(&specs, lines: &lines)
        return Parsed(jobs: specs, lines: lines, skipped: skipped)
    }

    /// The header's fields when they are the required columns and then optional ones in order; else the error.
    static func checkedHeader(_ fields: [String], lineText: String, file: String, line: Int) throws(InputError) -> [String] {
        guard Array(fields.prefix(4)) == requiredColumns else {
            throw InputError(file: file, line: line, message:
                "expected the header '\((requiredColumns + optionalColumns).joined(separator: ","))', got '\(lineText)'")
        }
        for (i, c) in fields.dropFirst(4).enumerated() where i >= optionalColumns.count || optionalColumns[i] != c {
            throw InputError(file: file, line: line, message:
                "unexpected column '\(c)'; optional columns are \(optionalColumns.joined(separator: ",")) in that order")
        }
        return fields
    }

    /// Sorts jobs stably by submit time (file order breaks ties) with their lines, and numbers them in that order.
    private static func sortBySubmitTime(_ specs: inout [JobSpec], lines: inout [Int]) {
        // Traces are usually written in submit order already: then sorting is a scan.
        var inOrder = true
        for i in specs.indices.dropFirst() where specs[i - 1].submitTime > specs[i].submitTime {
            inOrder = false
            break
        }
        if !inOrder {
            // Sort positions, not the (large) specs: the stable order by (submit time, file position).
            let order = specs.indices.sorted { (specs[$0].submitTime, $0) < (specs[$1].submitTime, $1) }
            specs = order.map { specs[$0] }
            lines = order.map { lines[$0] }
        }
        for i in specs.indices { specs[i].id = JobID(i) }
    }

    /// Reads a trace file's text, with a clear error when it cannot be read.
    public static func readText(path: String) throws(InputError) -> String {
        try checkRegularFile(path: path)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputError(file: path, message: "cannot read the trace file (\(error.localizedDescription))")
        }
        return text
    }

    /// Reads a trace file as UTF-8 bytes: exactly `Array(readText(path:).utf8)` (a leading byte-order mark dropped,
    /// the same errors), without decoding an ASCII file into a `String` first.
    public static func readUTF8(path: String) throws(InputError) -> [UInt8] {
        try checkRegularFile(path: path)
        // Any trouble reading, or any byte beyond ASCII: decode as `readText` does, for the same text and errors.
        guard var bytes = FileBytes.contents(path: path) else { return Array(try readText(path: path).utf8) }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let skip = bytes.starts(with: bom) ? bom.count : 0
        guard FileBytes.isASCII(bytes[skip...]) else { return Array(try readText(path: path).utf8) }
        // Foundation drops a leading UTF-8 byte-order mark when it decodes, so `readText` never shows one.
        if skip > 0 { bytes.removeFirst(skip) }
        return bytes
    }

    /// Throws unless `path` is a regular file: a device or pipe (/dev/zero, a FIFO) would be read forever.
    private static func checkRegularFile(path: String) throws(InputError) {
        if let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType, type != .typeRegular {
            throw InputError(file: path, message: "cannot read the trace file (not a regular file)")
        }
    }
}
