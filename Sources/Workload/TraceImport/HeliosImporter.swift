/// Converts a SenseTime Helios `cluster_log.csv`.
///
/// Columns are found by name: `job_id, user, gpu_num, state, submit_time, start_time, end_time` (others are
/// ignored). Times are `yyyy-MM-dd HH:mm:ss` (UTC) or Unix seconds. Rules: submit = `submit_time`;
/// duration = `end_time − start_time`; GPUs = `gpu_num`; user and status (= `state`) kept. Dropped and
/// counted, in this order: CPU jobs (`gpu_num = 0`), jobs that never ran (no start or end time), and jobs
/// whose end is not after their start.
public enum HeliosImporter: TraceImporter {
    /// Drop rule: CPU job.
    public static let dropCPUOnly = "gpu_num = 0 (CPU job)"
    /// Drop rule: never ran.
    public static let dropNoTimes = "no start_time or end_time (never ran)"
    /// Drop rule: no run time.
    public static let dropNoDuration = "end_time <= start_time (no run time)"

    /// Converts one Helios cluster log.
    public static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult {
        let csv = try RawCSV(text: text, file: file)
        let jobID = try csv.column("job_id")
        let user = try csv.column("user")
        let gpuNum = try csv.column("gpu_num")
        let state = try csv.column("state")
        let submitTime = try csv.column("submit_time")
        let startTime = try csv.column("start_time")
        let endTime = try csv.column("end_time")
        var rows: [CanonicalTraceRow] = []
        var dropped = RuleTally([dropCPUOnly, dropNoTimes, dropNoDuration])
        let (count, skipped) = try csv.forEachRow(skipBadRows: skipBadRows) { row throws(InputError) in
            let id = row.text(jobID)
            guard !id.isEmpty else { throw row.fail(jobID, "a non-empty job id") }
            let gpus = try row.integer(gpuNum, "an integer >= 0")
            guard gpus >= 0 else { throw row.fail(gpuNum, "an integer >= 0") }
            guard let submit = try time(row, submitTime, optional: false) else { throw row.fail(submitTime, TraceTimestamp.format) }
            let start = try time(row, startTime, optional: true)
            let end = try time(row, endTime, optional: true)
            if gpus == 0 { return dropped.count(dropCPUOnly) }
            guard let start, let end else { return dropped.count(dropNoTimes) }
            guard end > start else { return dropped.count(dropNoDuration) }
            let u = row.text(user)
            let s = row.text(state)
            rows.append(CanonicalTraceRow(
                jobID: id, submitTime: submit, gpuCount: gpus, duration: end - start,
                user: u.isEmpty ? nil : u, status: s.isEmpty ? nil : s))
        }
        return ImportResult(rows: rows, rawRecords: count, dropped: dropped, skipped: skipped)
    }

    /// Column `i` as seconds: a `yyyy-MM-dd HH:mm:ss` UTC time or a Unix time; nil when empty and `optional`.
    static func time(_ row: RawCSVRow, _ i: Int, optional: Bool) throws(InputError) -> Double? {
        let text = row.text(i)
        let expected = TraceTimestamp.format + " or Unix seconds" + (optional ? " or empty" : "")
        if RawCSVRow.isMissing(text) {
            guard optional else { throw row.fail(i, expected) }
            return nil
        }
        if let t = TraceTimestamp.seconds(text) { return Double(t) }
        guard let x = Double(text), x.isFinite else { throw row.fail(i, expected) }
        return x
    }
}
