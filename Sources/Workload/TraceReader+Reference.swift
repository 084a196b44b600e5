import ClusterModel
import Foundation

extension TraceReader {
    /// The reference reader: `parse` as it was written first, line by line over `Character`s with a `String` per field.
    /// Slow (the ITP trace: about 0.7 s of CPU against 25 ms for the byte reader, release build); kept as the oracle the fast reader must agree with, job for job and error for
    /// error (`TraceReaderOracleTests`), so it must stay the plain, obviously right version.
    static func parseReference(_ text: String, file: String, skipBadRows: Bool) throws(InputError) -> Parsed {
        var skipped: [InputError] = []
        var rows: [(line: Int, spec: JobSpec)] = []
        var header: [String]?
        var lineNumber = 0
        /// The line of each job id seen so far: a trace's ids name its jobs in results, so two rows may not share one.
        var idLines: [String: Int] = [:]
        // "\r\n" is one Character in Swift, so it must be named as a separator of its own (CRLF files); a lone "\r" ends a line too
        // (classic Mac OS files, and spreadsheets that still write them).
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = try splitCSV(line, file: file, line: lineNumber)
            guard let columns = header else {
                header = try checkedHeader(fields, lineText: String(line), file: file, line: lineNumber)
                continue
            }
            do throws(InputError) {
                guard fields.count == columns.count else {
                    throw InputError(file: file, line: lineNumber, message:
                        "expected \(columns.count) fields (\(columns.joined(separator: ","))), got \(fields.count)")
                }
                let spec = try parseRow(StringFields(fields: fields), index: rows.count, file: file, line: lineNumber)
                if let first = idLines[spec.name] {
                    throw InputError(file: file, line: lineNumber, field: "job_id",
                                     message: "expected a job id not used before, got '\(spec.name)' (also on line \(first))")
                }
                idLines[spec.name] = lineNumber
                rows.append((lineNumber, spec))
            } catch {
                guard skipBadRows else { throw error }
                skipped.append(error)
            }
        }
        guard header != nil else { throw InputError(file: file, message: "the trace is empty (no header line)") }
        guard !rows.isEmpty || !skipped.isEmpty else {
            throw InputError(file: file, message: "the trace has a header but no job rows; expected at least one job")
        }
        // Stable sort by submit time.
        let sorted = rows.enumerated().sorted {
            ($0.element.spec.submitTime, $0.offset) < ($1.element.spec.submitTime, $1.offset)
        }
        let jobs = sorted.enumerated().map { i, row in
            var spec = row.element.spec
            spec.id = JobID(i)
            return spec
        }
        return Parsed(jobs: jobs, lines: sorted.map(\.element.line), skipped: skipped)
    }

    /// Splits one CSV line (RFC 4180 quoting: "a,b" and "" escapes).
    static func splitCSV(_ line: Substring, file: String, line number: Int) throws(InputError) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "," {
                fields.append(current)
                current = ""
            } else if c == "\"" && current.isEmpty {
                inQuotes = true
            } else {
                current.append(c)
            }
        }
        guard !inQuotes else { throw InputError(file: file, line: number, message: "unterminated quoted field") }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
