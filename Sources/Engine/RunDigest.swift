import Foundation

/// A canonical text rendering of a run's outcome, for golden tests and regression baselines.
///
/// Floats are printed at fixed precision (`%.6f` seconds, i.e. microseconds) so that the last bits of
/// libm results cannot flip a digest between platforms, while any real change to a start, finish or metric
/// shows. Wall-clock quantities are never part of it.
public enum RunDigest {
    /// Header line of the per-job section.
    public static let jobHeader = "# job submit first_start finish gpus gpu_type model run_s preemptions"

    /// One line per job, in JobID order.
    public static func jobLines(_ r: RunResult) -> [String] {
        r.jobs.map {
            "\($0.id.raw) \(fixed($0.submit.seconds)) \(fixed($0.firstStart?.seconds)) \(fixed($0.finish?.seconds)) \($0.gpus) "
                + "\($0.gpuType ?? "-") \($0.model ?? "-") \(fixed($0.runSeconds)) \($0.preemptions)"
        }
    }

    /// The whole digest: counts, summary metrics, then the job lines.
    public static func text(_ r: RunResult) -> String {
        var lines = ["events \(r.eventsProcessed)", "simulated_end_s \(fixed(r.simulatedEnd.seconds))",
                     "allocations \(r.allocations.count)", "samples \(r.samples.count)"]
        lines += r.summary.map { "\($0.name) \(fixed($0.value))" }
        lines.append(jobHeader)
        lines += jobLines(r)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A value at fixed precision, "-" for none.
    public static func fixed(_ x: Double?) -> String { x.map { String(format: "%.6f", $0) } ?? "-" }
}
