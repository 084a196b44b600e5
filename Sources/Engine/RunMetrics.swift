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
        /// GPU-seconds of GPUs held by two or more jobs at once (GPU sharing).
        public var sharedGPUSeconds: Double
        /// Resizes summed over jobs, GPU-seconds held while resizing or migrating, and GPU-seconds held by all jobs.
        public var resizes: Int
        public var reallocationGPUSeconds: Double
        public var heldGPUSeconds: Double
        /// Seconds jobs held GPUs, summed over jobs.
        public var heldSeconds: Double
        /// GPU-seconds of training (held while making progress).
        public var trainingGPUSeconds: Double = 0
        /// Training GPU-seconds weighted by the statistical efficiency of the batch trained (`StatisticalEfficiency`;
        /// 1 for jobs without an efficiency profile).
        public var goodputGPUSeconds: Double = 0

        /// Derives the inputs from job outcomes and the run's failure totals.
        public init(
            jobs: [JobOutcome], busyGPUSeconds: Double, clusterGPUs: Int, failureEvents: Int = 0, downGPUSeconds: Double = 0,
            sharedGPUSeconds: Double = 0, trainingGPUSeconds: Double = 0, goodputGPUSeconds: Double = 0
        ) {
            self.trainingGPUSeconds = trainingGPUSeconds
            self.goodputGPUSeconds = goodputGPUSeconds
            // One pass over the outcomes (they are large: filtering or mapping them copies each one); sums run in
            // job order, as they always did, so every value is bit-identical to the former per-metric passes.
            var jcts: [Double] = [], delays: [Double] = [], rhos: [Double] = []
            var firstSubmit: SimTime?
            var lastFinish: SimTime?
            var completed = 0, preemptions = 0, migrations = 0, restarts = 0, kills = 0, resizes = 0
            var overhead = 0.0, lost = 0.0, realloc = 0.0, held = 0.0, heldSeconds = 0.0
            for i in jobs.indices {
                firstSubmit = min(firstSubmit ?? jobs[i].submit, jobs[i].submit)
                preemptions += jobs[i].preemptions
                migrations += jobs[i].migrations
                restarts += jobs[i].restarts
                overhead += jobs[i].overheadGPUSeconds
                kills += jobs[i].failures
                lost += jobs[i].lostGPUSeconds
                resizes += jobs[i].resizes
                realloc += jobs[i].reallocationGPUSeconds
                held += jobs[i].gpuSeconds
                heldSeconds += jobs[i].runSeconds
                guard let finish = jobs[i].finish else { continue }
                completed += 1
                lastFinish = max(lastFinish ?? finish, finish)
                jcts.append((finish - jobs[i].submit).seconds)
                if let start = jobs[i].firstStart { delays.append((start - jobs[i].submit).seconds) }
                if let rho = jobs[i].rho { rhos.append(rho) }
            }
            let first = firstSubmit ?? .zero
            self.jobCount = jobs.count
            self.completedCount = completed
            self.sortedJCTs = jcts.sorted()
            self.sortedQueueingDelays = delays.sorted()
            self.makespanSeconds = ((lastFinish ?? first) - first).seconds
            self.busyGPUSeconds = busyGPUSeconds
            self.clusterGPUs = clusterGPUs
            self.preemptions = preemptions
            self.migrations = migrations
            self.restarts = restarts
            self.overheadGPUSeconds = overhead
            self.sortedRhos = rhos.sorted()
            self.failureEvents = failureEvents
            self.jobKills = kills
            self.lostGPUSeconds = lost
            self.downGPUSeconds = downGPUSeconds
            self.sharedGPUSeconds = sharedGPUSeconds
            self.resizes = resizes
            self.reallocationGPUSeconds = realloc
            self.heldGPUSeconds = held
            self.heldSeconds = heldSeconds
        }
    }

    /// Every catalog metric of the run, in catalog order.
    public static func summary(
        jobs: [JobOutcome], busyGPUSeconds: Double, clusterGPUs: Int, failureEvents: Int = 0, downGPUSeconds: Double = 0,
        sharedGPUSeconds: Double = 0, trainingGPUSeconds: Double = 0, goodputGPUSeconds: Double = 0
    ) -> [SummaryMetric] {
        let inputs = Inputs(jobs: jobs, busyGPUSeconds: busyGPUSeconds, clusterGPUs: clusterGPUs,
                            failureEvents: failureEvents, downGPUSeconds: downGPUSeconds, sharedGPUSeconds: sharedGPUSeconds,
                            trainingGPUSeconds: trainingGPUSeconds, goodputGPUSeconds: goodputGPUSeconds)
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
