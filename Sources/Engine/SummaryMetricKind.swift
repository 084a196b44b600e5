/// The catalog of summary metrics: each metric is declared here once, with its definition and its computation.
///
/// Declaration order is report order (the printed table, the `summary` table's rowid order, baselines), so a new
/// metric goes at the end unless every baseline is to be rewritten. Adding one is a case, its definition and its
/// value below; the summary table, the database, `schedlab regress` and `schedlab info metrics` pick it up, and a
/// test fails until the README's metric table lists it.
public enum SummaryMetricKind: String, CaseIterable, Sendable {
    case jobsTotal = "jobs_total"
    case jobsCompleted = "jobs_completed"
    case jobsUnfinished = "jobs_unfinished"
    case jctMean = "jct_mean_s"
    case jctP50 = "jct_p50_s"
    case jctP95 = "jct_p95_s"
    case jctP99 = "jct_p99_s"
    case queueMean = "queue_mean_s"
    case queueP95 = "queue_p95_s"
    case makespan = "makespan_s"
    case gpuUtil = "gpu_util"
    case gpuHours = "gpu_hours"
    case preemptions = "preemptions"
    case migrations = "migrations"
    case restarts = "restarts"
    case checkpointGPUHours = "checkpoint_gpu_hours"
    case rhoMean = "rho_mean"
    case rhoP95 = "rho_p95"
    case rhoMax = "rho_max"
    case rhoJain = "rho_jain"
    case failures = "failures"
    case jobKills = "job_kills"
    case lostGPUHours = "lost_gpu_hours"
    case downGPUHours = "down_gpu_hours"
    case sharedGPUHours = "shared_gpu_hours"
    case resizes = "resizes"
    case reallocationGPUHours = "realloc_gpu_hours"
    case meanGPUsPerJob = "mean_gpus_per_job"
    case goodput = "goodput"

    /// Name, unit and meaning.
    public var definition: MetricDefinition {
        switch self {
        case .jobsTotal: return define(.jobs, "jobs in the workload")
        case .jobsCompleted: return define(.jobs, "jobs that finished")
        case .jobsUnfinished: return define(.jobs, "jobs still waiting or running when events ran out")
        case .jctMean: return define(.seconds, "mean job completion time (finish − submit) over completed jobs")
        case .jctP50: return define(.seconds, "median job completion time over completed jobs")
        case .jctP95: return define(.seconds, "95th-percentile job completion time over completed jobs")
        case .jctP99: return define(.seconds, "99th-percentile job completion time over completed jobs")
        case .queueMean: return define(.seconds, "mean queueing delay (first start − submit) over completed jobs")
        case .queueP95: return define(.seconds, "95th-percentile queueing delay over completed jobs")
        case .makespan: return define(.seconds, "first submit to last finish")
        case .gpuUtil: return define(.fraction, "busy GPU-seconds / (cluster GPUs × makespan)")
        case .gpuHours: return define(.gpuHours, "busy GPU-seconds / 3600")
        case .preemptions: return define(.count, "preemptions over all jobs")
        case .migrations: return define(.count, "migrations over all jobs")
        case .restarts: return define(.count, "starts after a preemption or a failure over all jobs")
        case .checkpointGPUHours: return define(.gpuHours, "GPU-hours held in restores, checkpoints, resizes and migrations")
        case .rhoMean: return define(.ratio, "mean finish-time fairness ρ = JCT / isolated run time, completed jobs")
        case .rhoP95: return define(.ratio, "95th-percentile ρ over completed jobs")
        case .rhoMax: return define(.ratio, "largest ρ over completed jobs")
        case .rhoJain: return define(.fraction, "Jain's index of ρ over completed jobs (1 = every job equally slowed)")
        case .failures: return define(.count, "node and GPU failures, each taking its GPUs down until repaired")
        case .jobKills: return define(.count, "jobs killed by failures, over all jobs (a job killed twice counts twice)")
        case .lostGPUHours: return define(.gpuHours, "GPU-hours of running time thrown away by failures (since each killed job's last checkpoint)")
        case .downGPUHours: return define(.gpuHours, "GPU-hours of capacity down for repair")
        case .sharedGPUHours: return define(.gpuHours, "GPU-hours of GPUs held by two or more jobs at once (packed or time-sliced)")
        case .resizes: return define(.count, "resizes over all jobs (elastic jobs changing GPU count)")
        case .reallocationGPUHours: return define(.gpuHours, "GPU-hours held in resizes and migrations (part of checkpoint_gpu_hours)")
        case .meanGPUsPerJob: return define(.ratio, "GPUs a job held on average while holding any: Σ GPU-seconds held / Σ seconds held")
        case .goodput:
            return define(.fraction, "goodput ÷ throughput: statistical efficiency of the batches trained (Pollux), averaged over training GPU-seconds; 1 for jobs without an efficiency profile")
        }
    }

    /// The metric's value for a run.
    func value(_ run: RunMetrics.Inputs) -> Double {
        switch self {
        case .jobsTotal: return Double(run.jobCount)
        case .jobsCompleted: return Double(run.completedCount)
        case .jobsUnfinished: return Double(run.jobCount - run.completedCount)
        case .jctMean: return RunMetrics.mean(run.sortedJCTs)
        case .jctP50: return RunMetrics.percentile(run.sortedJCTs, 50)
        case .jctP95: return RunMetrics.percentile(run.sortedJCTs, 95)
        case .jctP99: return RunMetrics.percentile(run.sortedJCTs, 99)
        case .queueMean: return RunMetrics.mean(run.sortedQueueingDelays)
        case .queueP95: return RunMetrics.percentile(run.sortedQueueingDelays, 95)
        case .makespan: return run.makespanSeconds
        case .gpuUtil:
            return run.makespanSeconds > 0 ? run.busyGPUSeconds / (Double(run.clusterGPUs) * run.makespanSeconds) : 0
        case .gpuHours: return run.busyGPUSeconds / 3600
        case .preemptions: return Double(run.preemptions)
        case .migrations: return Double(run.migrations)
        case .restarts: return Double(run.restarts)
        case .checkpointGPUHours: return run.overheadGPUSeconds / 3600
        case .rhoMean: return RunMetrics.mean(run.sortedRhos)
        case .rhoP95: return RunMetrics.percentile(run.sortedRhos, 95)
        case .rhoMax: return run.sortedRhos.last ?? 0
        case .rhoJain: return RunMetrics.jainIndex(run.sortedRhos)
        case .failures: return Double(run.failureEvents)
        case .jobKills: return Double(run.jobKills)
        case .lostGPUHours: return run.lostGPUSeconds / 3600
        case .downGPUHours: return run.downGPUSeconds / 3600
        case .sharedGPUHours: return run.sharedGPUSeconds / 3600
        case .resizes: return Double(run.resizes)
        case .reallocationGPUHours: return run.reallocationGPUSeconds / 3600
        case .meanGPUsPerJob: return run.heldSeconds > 0 ? run.heldGPUSeconds / run.heldSeconds : 0
        case .goodput: return run.trainingGPUSeconds > 0 ? run.goodputGPUSeconds / run.trainingGPUSeconds : 0
        }
    }

    /// Every definition, in report order.
    public static var definitions: [MetricDefinition] { allCases.map(\.definition) }

    private func define(_ unit: MetricUnit, _ meaning: String) -> MetricDefinition {
        MetricDefinition(name: rawValue, unit: unit, meaning: meaning)
    }
}

extension SummaryMetric {
    /// A metric of the catalog with its value.
    public init(_ kind: SummaryMetricKind, value: Double) {
        self.init(name: kind.rawValue, value: value)
    }

    /// The catalog entry of this metric; nil for a name the catalog does not declare (e.g. read from an older
    /// database or baseline).
    public var kind: SummaryMetricKind? { SummaryMetricKind(rawValue: name) }

    /// Its definition, when the catalog declares it.
    public var definition: MetricDefinition? { kind?.definition }
}
