import SimKernel

/// Re-imports a SchedLab canonical trace: reads it with `TraceReader` (so every row is validated) and rewrites
/// it normalized (sorted by submit time and job ID, rebased to 0, with every optional column). Nothing is dropped.
public enum CanonicalImporter: TraceImporter {
    /// Reads and validates one canonical trace.
    public static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult {
        let parsed = try TraceReader.parse(text, file: file, skipBadRows: skipBadRows)
        let rows = parsed.jobs.map { job -> CanonicalTraceRow in
            var row = CanonicalTraceRow(
                jobID: job.name, submitTime: job.submitTime.seconds, gpuCount: job.gpuCount, duration: 0,
                gpuType: job.gpuType, model: job.zooModel?.name, user: job.user, status: job.status, gpuMilli: job.gpuMilli)
            switch job.work {
            case .duration(let d): row.duration = d.seconds
            case .iterations(let k):
                // TraceReader makes iteration jobs only of rows with epochs, whose model has a profile.
                let perEpoch = job.zooModel?.efficiency?.iterationsPerEpoch ?? 1
                row.epochs = Int((k / perEpoch).rounded())
                row.batchSize = job.globalBatch
            }
            return row
        }
        return ImportResult(rows: rows, rawRecords: rows.count + parsed.skipped.count, skipped: parsed.skipped)
    }
}
