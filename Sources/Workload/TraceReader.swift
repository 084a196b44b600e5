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
                guard Array(fields.prefix(4)) == requiredColumns else {
                    throw InputError(file: file, line: lineNumber, message:
                        "expected the header '\((requiredColumns + optionalColumns).joined(separator: ","))', got '\(line)'")
                }
                for (i, c) in fields.dropFirst(4).enumerated() where i >= optionalColumns.count || optionalColumns[i] != c {
                    throw InputError(file: file, line: lineNumber, message:
                        "unexpected column '\(c)'; optional columns are \(optionalColumns.joined(separator: ",")) in that order")
                }
                header = fields
                continue
            }
            do throws(InputError) {
                guard fields.count == columns.count else {
                    throw InputError(file: file, line: lineNumber, message:
                        "expected \(columns.count) fields (\(columns.joined(separator: ","))), got \(fields.count)")
                }
                let spec = try parseRow(fields, index: rows.count, file: file, line: lineNumber)
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

    /// Reads and parses the trace at `path`.
    public static func read(path: String) throws(InputError) -> [JobSpec] {
        try parseWithLines(readText(path: path), file: path).jobs
    }

    /// Reads a trace file's text, with a clear error when it cannot be read.
    public static func readText(path: String) throws(InputError) -> String {
        // A device or pipe (/dev/zero, a FIFO) would be read forever: only regular files are traces.
        if let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType, type != .typeRegular {
            throw InputError(file: path, message: "cannot read the trace file (not a regular file)")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputError(file: path, message: "cannot read the trace file (\(error.localizedDescription))")
        }
        return text
    }

    static func parseRow(_ f: [String], index: Int, file: String, line: Int) throws(InputError) -> JobSpec {
        func fail(_ column: String, _ expected: String, _ got: String) -> InputError {
            InputError(file: file, line: line, field: column, message: "expected \(expected), got '\(got)'")
        }
        let name = f[0]
        guard !name.isEmpty else { throw fail("job_id", "a non-empty job id", name) }
        // Ranges from `columnRanges`; the bounds keep every submit and finish time inside the simulated clock.
        let submitRange = range("submit_time_s"), gpuRange = range("num_gpus"), durationRange = range("duration_s")
        guard let submit = Double(f[1]), submitRange.contains(submit) else {
            throw fail("submit_time_s", submitRange.expectation, f[1])
        }
        guard let gpus = Int(f[2]), gpuRange.contains(gpus) else { throw fail("num_gpus", gpuRange.expectation, f[2]) }
        let trainsEpochs = f.count > 10 && !f[10].isEmpty
        var duration = 0.0
        if !(trainsEpochs && f[3].isEmpty) {
            guard let d = Double(f[3]), durationRange.contains(d) else {
                throw fail("duration_s", durationRange.expectation + (trainsEpochs ? " or empty" : ""), f[3])
            }
            duration = d
        }
        var gpuType: String?
        var model: Int?
        var user: String?
        if f.count > 4, !f[4].isEmpty {
            guard GPUCatalog.named(f[4]) != nil else {
                throw fail("gpu_type", "one of \(GPUCatalog.names.joined(separator: ", ")) or empty", f[4])
            }
            gpuType = f[4]
        }
        if f.count > 5, !f[5].isEmpty {
            guard let m = ModelZoo.index(named: f[5]) else {
                throw fail("model", "one of \(ModelZoo.names.joined(separator: ", ")) or empty", f[5])
            }
            model = m
        }
        if f.count > 6, !f[6].isEmpty { user = f[6] }
        let status = f.count > 7 && !f[7].isEmpty ? f[7] : nil
        var gpuMilli: Int?
        if f.count > 8, !f[8].isEmpty {
            let milliRange = range("gpu_milli")
            guard let m = Int(f[8]), milliRange.contains(m) else { throw fail("gpu_milli", "\(milliRange.expectation) or empty", f[8]) }
            gpuMilli = m
        }
        var spec = JobSpec(
            id: JobID(index), name: name, submitTime: .seconds(submit), gpuCount: gpus, model: model,
            work: .duration(.seconds(duration)), gpuType: gpuType, user: user)
        spec.status = status
        spec.gpuMilli = gpuMilli
        let batchText = f.count > 9 ? f[9] : ""
        guard trainsEpochs else {
            if !batchText.isEmpty { throw fail("epochs", "a number of epochs when batch_size is given", "") }
            return spec
        }
        guard let m = model, let profile = ModelZoo.efficiencyProfiles[m] else {
            let names = ModelZoo.all.filter { $0.efficiency != nil }.map(\.name)
            throw fail("model", "a model with an efficiency profile (\(names.joined(separator: ", "))) for a job with epochs",
                       f.count > 5 ? f[5] : "")
        }
        let epochRange = range("epochs"), batchRange = range("batch_size")
        guard let epochs = Int(f[10]), epochRange.contains(epochs) else { throw fail("epochs", epochRange.expectation, f[10]) }
        var batch = profile.baseBatch
        if !batchText.isEmpty {
            guard let b = Int(batchText), batchRange.contains(b) else { throw fail("batch_size", "\(batchRange.expectation) or empty", batchText) }
            batch = b
        }
        let most = profile.pinnedBatch != nil ? 1 : max(1, profile.maxBatch / profile.localBatch.lowerBound)
        spec.work = .iterations(Double(epochs) * profile.iterationsPerEpoch)
        spec.globalBatch = batch
        spec.gpuRange = 1...max(gpus, most)
        return spec
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
