import ClusterModel
import Workload

/// What a run of a scenario needs in memory, estimated from its node, GPU and job counts before anything is built,
/// and the bound (`limits.memory_gb`) it is checked against, so that `jobs: 1e7` on a huge cluster is rejected by
/// `check` with the estimate instead of aborting in an allocation.
///
/// The per-item costs are the resident memory a debug build of `schedlab run --no-db` adds per node, per GPU and per
/// job (maximum resident set, `/usr/bin/time -v`, differences between scenarios that differ in one count only), rounded
/// up; the recorded outputs (allocation intervals, samples) grow with the jobs and are included in the per-job cost.
enum ResourceEstimate {
    /// The default budget, GB: a few GB, which any machine that runs SchedLab has.
    static let defaultBudgetGB = 4.0
    /// Bytes per node: its template, link set, and allocation state.
    static let bytesPerNode = 4_096.0
    /// Bytes per GPU: per-GPU allocation, sharing and round-overlay state.
    static let bytesPerGPU = 512.0
    /// Bytes per job: its spec, state, progress, outcome and recorded intervals.
    static let bytesPerJob = 4_096.0

    /// The estimated bytes of a run with `nodes` nodes, `gpus` GPUs and `jobs` jobs.
    static func bytes(nodes: Double, gpus: Double, jobs: Double) -> Double {
        nodes * bytesPerNode + gpus * bytesPerGPU + jobs * bytesPerJob
    }

    /// Nil when the run fits `budgetGB`, else the problem: the estimate, what it is made of, and how to proceed.
    static func problem(nodes: Double, gpus: Double, jobs: Double, budgetGB: Double) -> String? {
        let needed = bytes(nodes: nodes, gpus: gpus, jobs: jobs)
        guard needed > budgetGB * 1e9 else { return nil }
        return "a run would need about \(gb(needed)) GB (\(count(jobs)) jobs, \(count(nodes)) nodes, \(count(gpus)) GPUs), "
            + "more than the \(gb(budgetGB * 1e9)) GB budget; shrink the scenario or raise limits.memory_gb"
    }

    private static func gb(_ bytes: Double) -> String {
        let g = bytes / 1e9
        return g >= 100 ? ValidRange.text(g.rounded()) : String(Double(Int(g * 100)) / 100)
    }

    private static func count(_ x: Double) -> String { x < 1e15 ? String(Int64(x.rounded())) : "\(x)" }
}
