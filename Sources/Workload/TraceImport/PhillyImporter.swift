import Foundation

/// Converts a Microsoft Philly `cluster_job_log`: a JSON array of jobs
/// `{"status", "vc", "jobid", "submitted_time", "user", "attempts": [{"start_time", "end_time", "detail": [{"ip", "gpus": [...]}]}]}`.
///
/// Times are `yyyy-MM-dd HH:mm:ss`, read as UTC. Rules: job ID = `jobid`; submit = `submitted_time`;
/// GPUs = the GPUs listed across the first attempt's `detail` entries; duration = the last attempt's
/// `end_time` − the first attempt's `start_time`; user and status kept (`vc` is not kept). Dropped and
/// counted, in this order: jobs with no attempts, jobs whose first start or last end is "None", jobs with no
/// GPUs in the first attempt, jobs whose last end is not after their first start. Errors name the line on
/// which the job's object starts.
public enum PhillyImporter: TraceImporter {
    /// Drop rule: never started.
    public static let dropNoAttempts = "no attempts (never started)"
    /// Drop rule: a needed time is None.
    public static let dropNoneTime = "first start_time or last end_time is None (never started or still running)"
    /// Drop rule: no GPUs.
    public static let dropNoGPUs = "no GPUs in the first attempt"
    /// Drop rule: no run time.
    public static let dropNoDuration = "last end_time <= first start_time (no run time)"

    /// Converts one Philly job log.
    public static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw InputError(file: file, message: "not valid JSON (\(error.localizedDescription))")
        }
        guard let jobs = parsed as? [Any] else {
            throw InputError(file: file, message: "expected a JSON array of jobs (Philly cluster_job_log)")
        }
        let lines = JSONArrayLines.elementLines(text)
        var rows: [CanonicalTraceRow] = []
        var dropped = RuleTally([dropNoAttempts, dropNoneTime, dropNoGPUs, dropNoDuration])
        var skipped: [InputError] = []
        for (i, element) in jobs.enumerated() {
            let job = JobReader(file: file, line: i < lines.count ? lines[i] : nil, index: i)
            do throws(InputError) {
                guard let object = element as? [String: Any] else { throw job.fail(nil, "expected a JSON object") }
                let id = try job.string(object, "jobid")
                guard !id.isEmpty else { throw job.fail("jobid", "expected a non-empty string") }
                guard let submit = try job.time(object, "submitted_time") else {
                    throw job.fail("submitted_time", "expected \(TraceTimestamp.format), got None")
                }
                let user = try job.optionalString(object, "user")
                let status = try job.optionalString(object, "status")
                guard let attempts = object["attempts"] as? [Any] else { throw job.fail("attempts", "expected an array") }
                var starts: [Double?] = []
                var ends: [Double?] = []
                var firstGPUs = 0
                for (a, element) in attempts.enumerated() {
                    let path = "attempts[\(a)]"
                    guard let attempt = element as? [String: Any] else { throw job.fail(path, "expected a JSON object") }
                    starts.append(try job.time(attempt, "start_time", path: path))
                    ends.append(try job.time(attempt, "end_time", path: path))
                    guard let detail = attempt["detail"] as? [Any] else { throw job.fail("\(path).detail", "expected an array") }
                    for (k, entry) in detail.enumerated() {
                        let entryPath = "\(path).detail[\(k)]"
                        guard let entry = entry as? [String: Any], let gpus = entry["gpus"] as? [Any] else {
                            throw job.fail("\(entryPath).gpus", "expected an array of GPU names")
                        }
                        if a == 0 { firstGPUs += gpus.count }
                    }
                }
                guard let firstStart = starts.first, let lastEnd = ends.last else {
                    dropped.count(dropNoAttempts)
                    continue
                }
                guard let start = firstStart, let end = lastEnd else {
                    dropped.count(dropNoneTime)
                    continue
                }
                guard firstGPUs > 0 else {
                    dropped.count(dropNoGPUs)
                    continue
                }
                guard end > start else {
                    dropped.count(dropNoDuration)
                    continue
                }
                rows.append(CanonicalTraceRow(
                    jobID: id, submitTime: submit, gpuCount: firstGPUs, duration: end - start, user: user, status: status))
            } catch {
                guard skipBadRows else { throw error }
                skipped.append(error)
            }
        }
        return ImportResult(rows: rows, rawRecords: jobs.count, dropped: dropped, skipped: skipped)
    }

    /// Typed access to one job's JSON fields, with errors located at the job's line and naming the field.
    private struct JobReader {
        let file: String
        let line: Int?
        let index: Int

        func fail(_ field: String?, _ message: String) -> InputError {
            InputError(file: file, line: line, field: field.map { "[\(index)].\($0)" } ?? "[\(index)]", message: message)
        }

        func string(_ object: [String: Any], _ key: String, path: String? = nil) throws(InputError) -> String {
            let field = path.map { "\($0).\(key)" } ?? key
            guard let value = object[key] else { throw fail(field, "missing") }
            if let s = value as? String { return s.trimmingCharacters(in: .whitespaces) }
            if let n = value as? NSNumber, !(value is Bool) { return n.stringValue }
            throw fail(field, "expected a string, got \(describe(value))")
        }

        func optionalString(_ object: [String: Any], _ key: String) throws(InputError) -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            let s = try string(object, key)
            return s.isEmpty || s == "None" ? nil : s
        }

        /// A `yyyy-MM-dd HH:mm:ss` time in seconds, or nil for "None" / null.
        func time(_ object: [String: Any], _ key: String, path: String? = nil) throws(InputError) -> Double? {
            let field = path.map { "\($0).\(key)" } ?? key
            guard let value = object[key] else { throw fail(field, "missing") }
            if value is NSNull { return nil }
            guard let s = value as? String else { throw fail(field, "expected \(TraceTimestamp.format), got \(describe(value))") }
            if s == "None" { return nil }
            guard let t = TraceTimestamp.seconds(s) else { throw fail(field, "expected \(TraceTimestamp.format), got '\(s)'") }
            return Double(t)
        }

        private func describe(_ value: Any) -> String {
            if let s = value as? String { return "'\(s)'" }
            if let n = value as? NSNumber { return n.stringValue }
            return "\(type(of: value))"
        }
    }
}
