import ClusterModel
import SimKernel
import Workload

/// The summary metrics of a run, computed from its job outcomes.
///
/// Names (all in the `summary` table): jobs_total, jobs_completed, jobs_unfinished, jct_mean_s, jct_p50_s,
/// jct_p95_s, jct_p99_s, queue_mean_s, queue_p95_s, makespan_s (first submit → last finish), gpu_util
/// (busy GPU-seconds / (cluster GPUs × makespan)), gpu_hours (busy GPU-seconds / 3600). JCT and queueing
/// statistics cover completed jobs. Percentiles interpolate linearly between order statistics (the
/// "linear" method of numpy.percentile), so they match what users compute in notebooks.
public enum RunMetrics {
    /// The metric names, in the order they are reported.
    public static let names = [
        "jobs_total", "jobs_completed", "jobs_unfinished", "jct_mean_s", "jct_p50_s", "jct_p95_s", "jct_p99_s",
        "queue_mean_s", "queue_p95_s", "makespan_s", "gpu_util", "gpu_hours",
    ]

    /// Computes the summary.
    public static func summary(jobs: [JobOutcome], busyGPUSeconds: Double, clusterGPUs: Int) -> [SummaryMetric] {
        let done = jobs.filter { $0.finish != nil }
        let jct = done.compactMap(\.jctSeconds).sorted()
        let queueing = done.compactMap(\.queueingDelaySeconds).sorted()
        let firstSubmit = jobs.map(\.submit).min() ?? .zero
        let lastFinish = done.compactMap(\.finish).max() ?? firstSubmit
        let makespan = (lastFinish - firstSubmit).seconds
        let values: [Double] = [
            Double(jobs.count), Double(done.count), Double(jobs.count - done.count),
            mean(jct), percentile(jct, 50), percentile(jct, 95), percentile(jct, 99),
            mean(queueing), percentile(queueing, 95),
            makespan,
            makespan > 0 ? busyGPUSeconds / (Double(clusterGPUs) * makespan) : 0,
            busyGPUSeconds / 3600,
        ]
        return zip(names, values).map { SummaryMetric(name: $0, value: $1) }
    }

    /// Arithmetic mean; 0 for no values.
    public static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }

    /// The p-th percentile (0–100) of sorted values with linear interpolation; 0 for no values.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double { linearPercentile(sorted, p) }
}
