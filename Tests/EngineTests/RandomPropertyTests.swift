import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// Seeded random small clusters and duration jobs, run under every policy × placement with invariants
/// checked after every event.
final class RandomPropertyTests: XCTestCase {

    /// 1–2 racks of 1–2 nodes with 1, 2, 4 or 8 GPUs of t4 or a100-80; 3–12 duration jobs (1–20 s) arriving
    /// over 0–30 s, some pinned to a GPU type; every job can run on the cluster.
    static func scenario(seed: Int) -> (Topology, [JobSpec]) {
        var rng = SeededGenerator(seed: UInt64(seed) &* 7919 &+ 1)
        var racks: [[NodeTemplate]] = []
        for _ in 0..<rng.int(1...2) {
            racks.append((0..<rng.int(1...2)).map { _ in
                ClusterFixtures.micro(gpus: [1, 2, 4, 8][rng.int(0...3)], gpuType: rng.int(0...1) == 0 ? "t4" : "a100-80")
            })
        }
        let topo = ClusterFixtures.topology(nodesPerRack: racks)
        var jobs: [JobSpec] = []
        let n = rng.int(3...12)
        while jobs.count < n {
            let type: String? = rng.int(0...3) == 0 ? topo.gpuTypes[rng.int(0...(topo.gpuTypes.count - 1))].name : nil
            let capacity = type.map { t in topo.gpuCount(ofType: topo.typeIndex(named: t)!) } ?? topo.gpuCount
            let j = job(jobs.count, submit: Double(rng.int(0...30)), gpus: rng.int(1...min(capacity, 8)),
                        duration: Double(rng.int(1...20)), gpuType: type)
            jobs.append(j)
        }
        return (topo, inSubmissionOrder(jobs))
    }

    // For 100 seeds × every catalog policy × every placement: invariants hold after every event, every job finishes, each
    // runs exactly its duration (in one piece under start-only policies), no GPU is held by two jobs at once in the
    // recorded allocations, and busy GPU-seconds (gpu_hours·3600) equal Σ gpus × duration.
    func testInvariantsAndConservationOnRandomScenarios() {
        withEvery("random scenario", in: 0..<100) { seed in
            let (topo, jobs) = Self.scenario(seed: seed)
            XCTAssertEqual(JobSetup.problems(jobs: jobs, topology: topo), [])
            for (_, makePolicy) in everyCatalogPolicy {
                for placement in everyPlacement {
                    let policy = makePolicy()
                    let label = "seed \(seed) \(policy.name)/\(placement.name)"
                    let check = InvariantObserver()
                    let r = try simulate(jobs: jobs, topology: topo, policy: policy, placement: placement, observers: [check])
                    XCTAssertNil(check.firstViolation, label)
                    XCTAssertEqual(check.eventsChecked, r.eventsProcessed, label)
                    XCTAssertEqual(r.unfinishedJobs, [], label)
                    XCTAssertEqual(r.metric("jobs_completed"), Double(jobs.count), label)
                    // Sharing policies (gandiva) slow the jobs that share, so their GPU-time is not the demand; with
                    // at most two jobs per GPU the held GPU-time is the busy plus the shared GPU-time.
                    let shared = r.metric("shared_gpu_hours") * 3600
                    if shared == 0 {
                        XCTAssertEqual(r.metric("gpu_hours") * 3600, gpuSecondsDemand(jobs), accuracy: 1e-6, label)
                    }
                    let held = r.allocations.reduce(0.0) { $0 + Double($1.localGPUs.count) * ($1.end - $1.start).seconds }
                    XCTAssertEqual(held, r.metric("gpu_hours") * 3600 + shared, accuracy: 1e-6, label)
                    // Start-only policies never preempt, so a job runs in one piece; preemptive ones (free
                    // transitions) may split it, but it still runs exactly its duration in all (at least it, when
                    // it shared a GPU and ran slower).
                    let startOnly = type(of: policy).onlyStartsWaitingJobs
                    for (o, spec) in zip(r.jobs, jobs) {
                        guard case .duration(let d) = spec.work, let s = o.firstStart, let f = o.finish else {
                            XCTFail("\(label): \(spec.id) did not run"); continue
                        }
                        XCTAssertGreaterThanOrEqual(s, spec.submitTime, label)
                        if startOnly {
                            XCTAssertEqual(f - s, d, label)
                            XCTAssertEqual(o.preemptions, 0, label)
                        } else {
                            XCTAssertGreaterThanOrEqual(f - s, d, label)
                        }
                        if shared == 0 {
                            XCTAssertEqual(o.runSeconds, d.seconds, accuracy: 1e-9, label)
                        } else {
                            XCTAssertGreaterThanOrEqual(o.runSeconds, d.seconds - 1e-9, label)
                        }
                        if let t = spec.gpuType { XCTAssertEqual(o.gpuType, t, label) }
                    }
                    assertNoDoubleBooking(r, jobs: jobs, label: label, maxJobsPerGPU: shared > 0 ? 2 : 1)
                    if policy.name == "fifo" {
                        // FIFO starts jobs in submission order.
                        let starts = r.jobs.compactMap(\.firstStart)
                        XCTAssertEqual(starts, starts.sorted(), label)
                    }
                }
            }
        }
    }

    // The preemptive policies with parameters that make them preempt on these short jobs (Tiresias thresholds of a
    // few GPU-seconds, with and without starvation promotion, on both service measures, LAS and 2D-Gittins inside a
    // queue; GPU-weighted SRTF; Gavel with short rounds and allocation resets): for 100
    // seeds × every placement, the same invariants and conservation as above, each job runs exactly its duration in
    // all, a second run is identical, and preemptions really happen.
    func testPreemptivePolicyVariantsOnRandomScenarios() {
        let variants: [(String, () -> any SchedulingPolicy)] = [
            ("tiresias [5, 20]", { TiresiasPolicy(.init(queueThresholds: [5, 20])) }),
            ("tiresias time [3, 8] promote 1", { TiresiasPolicy(.init(service: .time, queueThresholds: [3, 8], promoteAfter: 1)) }),
            ("tiresias [10] promote 0.5", { TiresiasPolicy(.init(queueThresholds: [10], promoteAfter: 0.5)) }),
            ("tiresias gittins [5, 20]", { TiresiasPolicy(.init(queueThresholds: [5, 20], order: .gittins)) }),
            ("tiresias gittins time [3] promote 1 samples", {
                TiresiasPolicy(.init(service: .time, queueThresholds: [3], promoteAfter: 1, order: .gittins,
                                     gittinsDelta: 2, gittinsSamples: [1, 1, 2, 4, 8, 16]))
            }),
            ("srtf gpu_weighted", { SRTFPolicy(.init(gpuWeighted: true)) }),
            ("gavel round 5 reset 20", { GavelPolicy(.init(roundSeconds: 5, allocationResetSeconds: 20)) }),
        ]
        var preemptions = Array(repeating: 0, count: variants.count)
        withEvery("random scenario, preemptive variants", in: 0..<100) { seed in
            let (topo, jobs) = Self.scenario(seed: seed)
            for (v, (name, make)) in variants.enumerated() {
                for placement in everyPlacement {
                    let label = "seed \(seed) \(name)/\(placement.name)"
                    let check = InvariantObserver()
                    let r = try simulate(jobs: jobs, topology: topo, policy: make(), placement: placement, observers: [check])
                    XCTAssertNil(check.firstViolation, label)
                    XCTAssertEqual(r.unfinishedJobs, [], label)
                    XCTAssertEqual(r.metric("gpu_hours") * 3600, gpuSecondsDemand(jobs), accuracy: 1e-6, label)
                    for (o, spec) in zip(r.jobs, jobs) {
                        guard case .duration(let d) = spec.work, let s = o.firstStart, let f = o.finish else {
                            XCTFail("\(label): \(spec.id) did not run"); continue
                        }
                        XCTAssertGreaterThanOrEqual(s, spec.submitTime, label)
                        XCTAssertGreaterThanOrEqual(f - s, d, label)
                        XCTAssertEqual(o.runSeconds, d.seconds, accuracy: 1e-9, label)
                        if let t = spec.gpuType { XCTAssertEqual(o.gpuType, t, label) }
                    }
                    assertNoDoubleBooking(r, jobs: jobs, label: label)
                    preemptions[v] += r.jobs.reduce(0) { $0 + $1.preemptions }
                    let again = try simulate(jobs: jobs, topology: topo, policy: make(), placement: placement)
                    XCTAssertEqual(again.jobs, r.jobs, label)
                    XCTAssertEqual(again.allocations, r.allocations, label)
                }
            }
        }
        for (v, (name, _)) in variants.enumerated() { XCTAssertGreaterThan(preemptions[v], 0, name) }
    }

    // Tiresias without starvation promotion keeps its queues across rounds (TiresiasLevels); with promotion it
    // rebuilds them every round. A promotion that can never fall due (S = 1e12) changes nothing but that, so both must
    // run every job the same way, here with timed checkpoints and restores (jobs between lists) and node failures
    // (jobs leaving the running list unannounced), for 60 seeds × every placement. Debug builds also check the kept
    // lists, queues and wake-ups against a fresh computation after every round.
    func testTiresiasKeptQueuesMatchRebuiltQueues() {
        let costs = FixedTransitionCosts(restore: 0.5, checkpoint: 1.5)
        var preemptions = 0
        var restarts = 0
        withEvery("random scenario, Tiresias kept vs rebuilt queues", in: 0..<60) { seed in
            let (topo, jobs) = Self.scenario(seed: seed)
            let failures = FailureModel(
                node: FailureProcess(timeBetweenFailuresHours: .constant(37.0 / 3600), repairHours: .constant(3.0 / 3600)),
                seed: UInt64(seed), checkpointIntervalSeconds: 4)
            for placement in everyPlacement {
                let label = "seed \(seed) \(placement.name)"
                let kept = try simulate(jobs: jobs, topology: topo, policy: TiresiasPolicy(.init(queueThresholds: [5, 20])),
                                        placement: placement, costs: costs, failures: failures)
                let rebuilt = try simulate(
                    jobs: jobs, topology: topo, policy: TiresiasPolicy(.init(queueThresholds: [5, 20], promoteAfter: 1e12)),
                    placement: placement, costs: costs, failures: failures)
                XCTAssertEqual(kept.unfinishedJobs, [], label)
                XCTAssertEqual(kept.jobs, rebuilt.jobs, label)
                XCTAssertEqual(kept.allocations, rebuilt.allocations, label)
                preemptions += kept.jobs.reduce(0) { $0 + $1.preemptions }
                restarts += kept.jobs.reduce(0) { $0 + $1.restarts }
            }
        }
        XCTAssertGreaterThan(preemptions, 0)
        XCTAssertGreaterThan(restarts, preemptions)  // failures restart jobs too
    }

    /// Every job's allocation rows cover exactly its GPU count in each of its run intervals (first start, resumes,
    /// migrations), and at no instant does a GPU appear in more than `maxJobsPerGPU` rows (1: never in two).
    private func assertNoDoubleBooking(_ r: RunResult, jobs: [JobSpec], label: String, maxJobsPerGPU: Int = 1) {
        for spec in jobs {
            let rows = r.allocations.filter { $0.job == spec.id }
            let intervals = 1 + r.jobs[spec.id.index].preemptions + r.jobs[spec.id.index].migrations
            XCTAssertEqual(rows.reduce(0) { $0 + $1.localGPUs.count }, spec.gpuCount * intervals, label)
        }
        // The most rows covering a GPU at once is reached at some row's start: count there.
        for a in r.allocations {
            for g in a.localGPUs {
                let covering = r.allocations.filter {
                    $0.node == a.node && $0.localGPUs.contains(g) && $0.start <= a.start && a.start < $0.end
                }
                XCTAssertLessThanOrEqual(covering.count, maxJobsPerGPU, "\(label): gpu \(g) of \(a.node) at \(a.start): \(covering)")
            }
        }
    }

    // Samples integrate to the same busy GPU-seconds as the summary (the utilisation timeline is consistent).
    func testSamplesIntegrateToBusyGPUSeconds() {
        withEvery("samples", in: 0..<30) { seed in
            let (topo, jobs) = Self.scenario(seed: seed)
            let r = try simulate(jobs: jobs, topology: topo, policy: EASYBackfillPolicy(), placement: PackedPlacement())
            var area = 0.0
            for (a, b) in zip(r.samples, r.samples.dropFirst()) { area += Double(a.busyGPUs) * (b.time - a.time).seconds }
            XCTAssertEqual(area, r.metric("gpu_hours") * 3600, accuracy: 1e-6)
            XCTAssertEqual(r.samples.last?.busyGPUs, 0)
            XCTAssertEqual(r.samples.map(\.time), r.samples.map(\.time).sorted())
        }
    }
}
