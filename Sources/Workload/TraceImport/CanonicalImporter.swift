import SimKernel

/// Re-imports a SchedLab canonical trace: reads it with `TraceReader` (so every row is validated) and rewrites
/// it normalized (sorted by submit time and job ID, rebased to 0, with every optional column). Nothing is dropped.
public enum CanonicalImporter: TraceImporter {
    /// Reads and validates one canonical trace.
    public static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult {
        let parsed = try TraceReader.parse(text, file: file, skipBadRows: skipBadRows)
        let rows = parsed.jobs.map { job -> CanonicalTraceRow in
            guard case .duration(let d) = job.work else { preconditionFailure("TraceReader returns duration jobs only") }
            return CanonicalTraceRow(
                jobID: job.name, submitTime: job.submitTime.seconds, gpuCount: job.gpuCount, duration: d.seconds,
                gpuType: job.gpuType, model: job.zooModel?.name, user: job.user, status: job.status, gpuMilli: job.gpuMilli)
        }
        return ImportResult(rows: rows, rawRecords: rows.count + parsed.skipped.count, skipped: parsed.skipped)
    }
}
