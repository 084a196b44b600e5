import ClusterModel
import SimKernel
import Workload

/// A duration job (no model, so it runs exactly `duration` seconds wherever it is placed).
public func job(
    _ i: Int, submit: Double, gpus: Int, duration: Double, gpuType: String? = nil, priority: Int = 0,
    name: String? = nil
) -> JobSpec {
    JobSpec(
        id: JobID(i), name: name ?? "j\(i)", submitTime: .seconds(submit), gpuCount: gpus, model: nil,
        work: .duration(.seconds(duration)), gpuType: gpuType, priority: priority)
}

/// Renumbers jobs 0..<n after a stable sort by submit time (what the engine requires).
public func inSubmissionOrder(_ jobs: [JobSpec]) -> [JobSpec] {
    jobs.enumerated()
        .sorted { ($0.element.submitTime, $0.offset) < ($1.element.submitTime, $1.offset) }
        .enumerated()
        .map { i, e in
            var s = e.element
            s.id = JobID(i)
            return s
        }
}

/// Σ gpus × duration seconds over duration jobs.
public func gpuSecondsDemand(_ jobs: [JobSpec]) -> Double {
    jobs.reduce(0) { acc, j in
        guard case .duration(let d) = j.work else { return acc }
        return acc + Double(j.gpuCount) * d.seconds
    }
}
