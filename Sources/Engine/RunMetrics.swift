import ClusterModel
import SimKernel
import Workload

/// Computes a run's summary metrics (declared in `SummaryMetricKind`) from its job outcomes.
///
/// JCT and queueing statistics cover completed jobs. Percentiles interpolate linearly between order statistics
/// (the "linear" method of numpy.percentile), so they match what users compute in notebooks.
public enum RunMetrics {
    /// What every metric is computed from, derived once per run.
    public struct Inputs: Sendable {
        /// Jobs in the run.
        public var jobCount: Int
        /// Jobs that finished.
        public var completedCount: Int
        /// Job completion times of completed jobs, seconds, ascending.
        public var sortedJCTs: [Double]
        /// Queueing delays of completed jobs, seconds, ascending.
        public var sortedQueueingDelays: [Double]
        /// First submit to last finish (0 when nothing finished), seconds.
        public var makespanSeconds: Double
        /// GPU-seconds held by jobs.
        public var busyGPUSeconds: Double
        /// GPUs in the cluster.
        public var clusterGPUs: Int
        /// Preemptions, migrations and restarts summed over jobs.
        public var preemptions: Int
        public var migrations: Int
        public var restarts: Int
        /// GPU-seconds held in timed transitions, summed over jobs.
        public var overheadGPUSeconds: Double
        /// Finish-time fairness ρ of completed jobs with an isolated time, ascending.
        public var sortedRhos: [Double]
        /// Node and GPU failures that took something down.
        public var failureEvents: Int
        /// Jobs killed by failures (summed over jobs), and GPU-seconds of running time they lost.
        public var jobKills: Int
        public var lostGPUSeconds: Double
        /// GPU-seconds of capacity down (failed, awaiting repair).
        public var downGPUSeconds: Double

        /// Derives the inputs from job outcomes and the run's failure totals.
        public init(jobs: [JobOutcome], busyGPUSeconds: Double, clusterGPUs: Int, failureEvents: Int = 0, downGPUSeconds: Double = 0) {
            let done = jobs.filter { $0.finish != nil }
            let firstSubmit = jobs.map(\.submit).min() ?? .zero
            let lastFinish = done.compactMap(\.finish).max() ?? firstSubmit
            self.jobCount = jobs.count
            self.completedCount = done.count
            self.sortedJCTs = done.compactMap(\.jctSeconds).sorted()
            self.sortedQueueingDelays = done.compactMap(\.queueingDelaySeconds).sorted()
            self.makespanSeconds = (lastFinish - firstSubmit).seconds
            self.busyGPUSeconds = busyGPUSeconds
            self.clusterGPUs = clusterGPUs
            self.preemptions = jobs.reduce(0) { $0 + $1.preemptions }
            self.migrations = jobs.reduce(0) { $0 + $1.migrations }
            self.restarts = jobs.reduce(0) { $0 + $1.restarts }
            self.overheadGPUSeconds = jobs.reduce(0) { $0 + $1.overheadGPUSeconds }
            self.sortedRhos = done.compactMap(\.rho).sorted()
            self.failureEvents = failureEvents
            self.jobKills = jobs.reduce(0) { $0 + $1.failures }
            self.lostGPUSeconds = jobs.reduce(0) { $0 + $1.lostGPUSeconds }
            self.downGPUSeconds = downGPUSeconds
        }
    }

    /// Every catalog metric of the run, in catalog order.
    public static func summary(
        jobs: [JobOutcome], busyGPUSeconds: Double, clusterGPUs: Int, failureEvents: Int = 0, downGPUSeconds: Double = 0
    ) -> [SummaryMetric] {
        let inputs = Inputs(jobs: jobs, busyGPUSeconds: busyGPUSeconds, clusterGPUs: clusterGPUs,
                            failureEvents: failureEvents, downGPUSeconds: downGPUSeconds)
        return SummaryMetricKind.allCases.map { SummaryMetric($0, value: $0.value(inputs)) }
    }

    /// Arithmetic mean; 0 for no values.
    public static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }

    /// Jain's fairness index (Σx)² / (n·Σx²) of `xs`: 1 when all are equal, 1/n at the most unequal; 0 for none.
    public static func jainIndex(_ xs: [Double]) -> Double {
        let sum = xs.reduce(0, +)
        let squares = xs.reduce(0) { $0 + $1 * $1 }
        return squares > 0 ? sum * sum / (Double(xs.count) * squares) : 0
    }

    /// The p-th percentile (0–100) of sorted values with linear interpolation; 0 for no values.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double { linearPercentile(sorted, p) }
}
