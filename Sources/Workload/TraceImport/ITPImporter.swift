import Foundation

/// Converts a Microsoft ITP cluster trace (ElasticFlow raw `clusterNN.csv`: `job_id,submission_time,duration,num_gpu`).
///
/// Rules (shared/traces/msft-itp-2021/README.md): `job_id` = `<file stem>/<job_id>` (the cluster's name, as the
/// canonical format has no cluster column); submit = `submission_time`; duration = `duration`; GPUs = `num_gpu`;
/// no GPU type, model, user or status. Rows with `num_gpu <= 0` or `duration <= 0` are dropped and counted.
public enum ITPImporter: TraceImporter {
    /// Drop rule: no GPUs.
    public static let dropNoGPUs = "num_gpu <= 0"
    /// Drop rule: no run time.
    public static let dropNoDuration = "duration <= 0"

    /// Converts one ITP cluster file; the file's stem (e.g. `cluster01`) prefixes every job ID.
    public static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult {
        let csv = try RawCSV(text: text, file: file)
        let id = try csv.column("job_id")
        let submit = try csv.column("submission_time")
        let duration = try csv.column("duration")
        let gpus = try csv.column("num_gpu")
        let cluster = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var rows: [CanonicalTraceRow] = []
        var dropped = RuleTally([dropNoGPUs, dropNoDuration])
        let (count, skipped) = try csv.forEachRow(skipBadRows: skipBadRows) { row throws(InputError) in
            let name = row.text(id)
            guard !name.isEmpty else { throw row.fail(id, "a non-empty job id") }
            let s = try row.number(submit, "a number of seconds")
            let d = try row.number(duration, "a number of seconds")
            let n = try row.integer(gpus, "an integer")
            if n <= 0 { return dropped.count(dropNoGPUs) }
            if d <= 0 { return dropped.count(dropNoDuration) }
            rows.append(CanonicalTraceRow(jobID: "\(cluster)/\(name)", submitTime: s, gpuCount: n, duration: d))
        }
        return ImportResult(rows: rows, rawRecords: count, dropped: dropped, skipped: skipped)
    }
}
