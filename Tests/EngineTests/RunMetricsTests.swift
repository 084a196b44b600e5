import ClusterModel
import Engine
import SimKernel
import XCTest

final class RunMetricsTests: XCTestCase {
    // Linear interpolation between order statistics (numpy's "linear"): rank = p/100 · (n−1).
    func testPercentileByHand() {
        XCTAssertEqual(RunMetrics.percentile([1, 2, 3, 4], 50), 2.5)            // rank 1.5
        XCTAssertEqual(RunMetrics.percentile([1, 2, 3, 4], 95), 3.85, accuracy: 1e-12)  // rank 2.85
        XCTAssertEqual(RunMetrics.percentile([1, 2, 3, 4], 0), 1)
        XCTAssertEqual(RunMetrics.percentile([1, 2, 3, 4], 100), 4)
        XCTAssertEqual(RunMetrics.percentile([10, 20, 30, 40, 50], 99), 49.6, accuracy: 1e-12)  // rank 3.96
        XCTAssertEqual(RunMetrics.percentile([10, 20, 30, 40, 50], 50), 30)
        XCTAssertEqual(RunMetrics.percentile([7], 95), 7)
        XCTAssertEqual(RunMetrics.percentile([], 50), 0)
        XCTAssertEqual(RunMetrics.mean([1, 2, 6]), 3)
        XCTAssertEqual(RunMetrics.mean([]), 0)
    }

    // Summary over 2 finished jobs and 1 unfinished one: JCT/queue stats over finished only, makespan from the
    // first submit (2) to the last finish (30), util = busy / (GPUs × makespan).
    func testSummaryByHand() {
        func outcome(_ i: Int, submit: Int64, start: Int64?, finish: Int64?) -> JobOutcome {
            JobOutcome(id: JobID(i), name: "j\(i)", submit: .seconds(submit), firstStart: start.map { .seconds($0) },
                       finish: finish.map { .seconds($0) }, gpus: 1, gpuType: nil, model: nil, runSeconds: 0, preemptions: 0)
        }
        let s = RunMetrics.summary(
            jobs: [outcome(0, submit: 2, start: 4, finish: 12), outcome(1, submit: 5, start: 10, finish: 30),
                   outcome(2, submit: 6, start: nil, finish: nil)],
            busyGPUSeconds: 56, clusterGPUs: 4)
        let v = Dictionary(uniqueKeysWithValues: s.map { ($0.name, $0.value) })
        XCTAssertEqual(s.map(\.name), [
            "jobs_total", "jobs_completed", "jobs_unfinished", "jct_mean_s", "jct_p50_s", "jct_p95_s", "jct_p99_s",
            "queue_mean_s", "queue_p95_s", "makespan_s", "gpu_util", "gpu_hours", "preemptions", "migrations", "restarts",
            "checkpoint_gpu_hours", "rho_mean", "rho_p95", "rho_max", "rho_jain", "failures", "job_kills", "lost_gpu_hours",
            "down_gpu_hours", "shared_gpu_hours", "resizes", "realloc_gpu_hours", "mean_gpus_per_job", "goodput",
        ])
        XCTAssertEqual(s.map(\.kind), SummaryMetricKind.allCases)
        // No counters, no isolated times and no failures: zeros.
        for name in ["preemptions", "migrations", "restarts", "checkpoint_gpu_hours", "rho_mean", "rho_max", "rho_jain",
                     "failures", "job_kills", "lost_gpu_hours", "down_gpu_hours", "shared_gpu_hours", "resizes", "realloc_gpu_hours", "goodput"] {
            XCTAssertEqual(v[name], 0, name)
        }
        XCTAssertEqual(v["jobs_total"], 3)
        XCTAssertEqual(v["jobs_completed"], 2)
        XCTAssertEqual(v["jobs_unfinished"], 1)
        XCTAssertEqual(v["jct_mean_s"], 17.5)          // JCTs 10, 25
        XCTAssertEqual(v["jct_p50_s"], 17.5)
        XCTAssertEqual(v["jct_p95_s"]!, 24.25, accuracy: 1e-12)  // 10 + 0.95·15
        XCTAssertEqual(v["jct_p99_s"]!, 24.85, accuracy: 1e-12)
        XCTAssertEqual(v["queue_mean_s"], 3.5)         // delays 2, 5
        XCTAssertEqual(v["queue_p95_s"]!, 4.85, accuracy: 1e-12)
        XCTAssertEqual(v["makespan_s"], 28)
        XCTAssertEqual(v["gpu_util"]!, 0.5, accuracy: 1e-12)  // 56 / (4 · 28)
        XCTAssertEqual(v["gpu_hours"]!, 56.0 / 3600, accuracy: 1e-15)
    }

    // Counters add up over jobs; ρ = JCT / isolated time over completed jobs: JCTs 10 and 25 with isolated times 5
    // and 5 give ρ 2 and 5 (mean 3.5, max 5, p95 2 + 0.95·3 = 4.85); Jain's index (2+5)² / (2·(4+25)) = 49/58.
    // The unfinished job's counters count, its ρ does not. Transition GPU-time: 1800 + 3600 GPU·s = 1.5 GPU-h.
    func testCountersAndFinishTimeFairnessByHand() {
        func outcome(_ i: Int, submit: Int64, finish: Int64?, preemptions: Int, migrations: Int, restarts: Int,
                     overhead: Double) -> JobOutcome {
            var o = JobOutcome(id: JobID(i), name: "j\(i)", submit: .seconds(submit), firstStart: .seconds(submit),
                               finish: finish.map { .seconds($0) }, gpus: 1, gpuType: nil, model: nil, runSeconds: 0,
                               preemptions: preemptions)
            o.migrations = migrations
            o.restarts = restarts
            o.overheadGPUSeconds = overhead
            o.isolatedSeconds = 5
            return o
        }
        let s = RunMetrics.summary(
            jobs: [outcome(0, submit: 2, finish: 12, preemptions: 1, migrations: 0, restarts: 1, overhead: 1800),
                   outcome(1, submit: 5, finish: 30, preemptions: 2, migrations: 3, restarts: 2, overhead: 0),
                   outcome(2, submit: 6, finish: nil, preemptions: 1, migrations: 1, restarts: 0, overhead: 3600)],
            busyGPUSeconds: 56, clusterGPUs: 4)
        let v = Dictionary(uniqueKeysWithValues: s.map { ($0.name, $0.value) })
        XCTAssertEqual(v["preemptions"], 4)
        XCTAssertEqual(v["migrations"], 4)
        XCTAssertEqual(v["restarts"], 3)
        XCTAssertEqual(v["checkpoint_gpu_hours"]!, 1.5, accuracy: 1e-15)
        XCTAssertEqual(v["rho_mean"], 3.5)
        XCTAssertEqual(v["rho_max"], 5)
        XCTAssertEqual(v["rho_p95"]!, 4.85, accuracy: 1e-12)
        XCTAssertEqual(v["rho_jain"]!, 49.0 / 58, accuracy: 1e-15)
        XCTAssertEqual(RunMetrics.jainIndex([3, 3, 3]), 1)
        XCTAssertEqual(RunMetrics.jainIndex([1, 0, 0, 0]), 0.25)
    }

    // Failure metrics: failures and down GPU-seconds come from the engine, kills and lost GPU-time are summed over jobs.
    func testFailureMetricsByHand() {
        var a = JobOutcome(id: JobID(0), name: "a", submit: .zero, firstStart: .zero, finish: .seconds(Int64(10)), gpus: 2,
                           gpuType: nil, model: nil, runSeconds: 10, preemptions: 0)
        a.failures = 2
        a.lostGPUSeconds = 1800
        var b = a
        b.id = JobID(1)
        b.failures = 1
        b.lostGPUSeconds = 5400
        let s = RunMetrics.summary(jobs: [a, b], busyGPUSeconds: 40, clusterGPUs: 4, failureEvents: 2, downGPUSeconds: 7200)
        let v = Dictionary(uniqueKeysWithValues: s.map { ($0.name, $0.value) })
        XCTAssertEqual(v["failures"], 2)
        XCTAssertEqual(v["job_kills"], 3)
        XCTAssertEqual(v["lost_gpu_hours"], 2)
        XCTAssertEqual(v["down_gpu_hours"], 2)
    }
}
