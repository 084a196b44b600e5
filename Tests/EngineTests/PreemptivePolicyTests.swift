import ClusterModel
import Engine
import Models
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Hand-computed timelines of the preemptive policies (SRTF, Tiresias' discretized 2D-LAS) on the 4-GPU micro
/// node with model-less duration jobs, so every time is exact. Free transitions: preempting and resuming cost
/// nothing. Times in seconds.
final class PreemptivePolicyTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    private func run(_ jobs: [JobSpec], _ policy: any SchedulingPolicy, log: EventLogObserver? = nil,
                     file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: four, policy: policy, observers: [check] + (log.map { [$0] } ?? []))
        XCTAssertNil(check.firstViolation, file: file, line: line)
        XCTAssertEqual(check.eventsChecked, r.eventsProcessed, file: file, line: line)
        XCTAssertEqual(r.unfinishedJobs, [], file: file, line: line)
        for (o, spec) in zip(r.jobs, jobs) {
            guard case .duration(let d) = spec.work else { continue }
            XCTAssertEqual(o.runSeconds, d.seconds, accuracy: 1e-9, "\(spec.id) ran its duration", file: file, line: line)
        }
        return r
    }

    /// Allocation intervals as [job, start, end].
    private func intervals(_ r: RunResult) -> [[Double]] {
        r.allocations.map { [Double($0.job.index), $0.start.seconds, $0.end.seconds] }
    }

    // MARK: - SRTF

    // J0 (4 GPUs, 100 s) runs from 0. 20: J1 (4 GPUs, 10 s) arrives with 10 s left against J0's 80: J0 is preempted,
    // J1 runs 20 → 30. 30: J0 resumes with 80 s left → 110. 40: J2 (4 GPUs, 95 s) arrives; J0 has 70 s left < 95,
    // so no preemption; J2 runs 110 → 205. JCT 110, 10, 165.
    func testSRTFPreemptsForShorterArrivalAndResumes() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 100), job(1, submit: 20, gpus: 4, duration: 10),
                    job(2, submit: 40, gpus: 4, duration: 95)]
        let r = try run(jobs, SRTFPolicy())
        XCTAssertEqual(r.starts, [0, 20, 110])
        XCTAssertEqual(r.finishes, [110, 30, 205])
        XCTAssertEqual(r.jcts, [110, 10, 165])
        XCTAssertEqual(r.jobs.map(\.preemptions), [1, 0, 0])
        XCTAssertEqual(intervals(r), [[0, 0, 20], [1, 20, 30], [0, 30, 110], [2, 110, 205]])
        // FIFO for contrast: J1 waits for J0. JCT 100, 90, 165.
        XCTAssertEqual(try run(jobs, FIFOPolicy()).jcts, [100, 90, 165])
    }

    // J0 (1 GPU, 100 s) from 0; 10: J1 (4 GPUs, 30 s). By remaining time J1 (30) beats J0 (90): J0 is preempted, J1
    // runs 10 → 40, J0 resumes 40 → 130 (JCT 130, 30). By remaining GPU-time J0 (90 GPU·s) beats J1 (120 GPU·s):
    // J0 keeps its GPU, J1 (4 GPUs, 3 left) is skipped and starts when J0 ends: 100 → 130 (JCT 100, 120).
    func testSRTFGPUWeightedChangesTheOrder() throws {
        let jobs = [job(0, submit: 0, gpus: 1, duration: 100), job(1, submit: 10, gpus: 4, duration: 30)]
        let plain = try run(jobs, SRTFPolicy())
        XCTAssertEqual(plain.jcts, [130, 30])
        XCTAssertEqual(plain.jobs.map(\.preemptions), [1, 0])
        XCTAssertEqual(intervals(plain), [[0, 0, 10], [1, 10, 40], [0, 40, 130]])
        let weighted = try run(jobs, SRTFPolicy(.init(gpuWeighted: true)))
        XCTAssertEqual(weighted.jcts, [100, 120])
        XCTAssertEqual(weighted.jobs.map(\.preemptions), [0, 0])
        XCTAssertEqual(weighted.starts, [0, 100])
    }

    // A job that does not fit is skipped, not blocking. J0 (3 GPUs, 10 s) from 0. 1: J1 (2 GPUs, 50 s) ranks after
    // J0 and needs 2 of the 1 GPU left: skipped. 2: J2 (1 GPU, 100 s) ranks after J1 but fits: starts at 2. 10: J0
    // ends; J1 (50) and J2 (92 left) both fit: J1 runs 10 → 60, J2 keeps running → 102. No preemptions.
    func testSRTFSkipsJobThatDoesNotFit() throws {
        let jobs = [job(0, submit: 0, gpus: 3, duration: 10), job(1, submit: 1, gpus: 2, duration: 50),
                    job(2, submit: 2, gpus: 1, duration: 100)]
        let r = try run(jobs, SRTFPolicy())
        XCTAssertEqual(r.starts, [0, 10, 2])
        XCTAssertEqual(r.finishes, [10, 60, 102])
        XCTAssertEqual(r.jobs.map(\.preemptions), [0, 0, 0])
    }

    // A running job that stays in the desired set keeps its GPUs: J0 (2 GPUs, 100 s) and J1 (2 GPUs, 50 s) from 0
    // (J1, shorter, is placed first: gpu0–1; J0 gets gpu2–3). 5: J2 (2 GPUs, 10 s) displaces the longest (J0), not
    // J1, and takes J0's GPUs; J1 is never moved. J2 5 → 15, J0 resumes 15 → 110.
    func testSRTFRunningJobKeepsItsGPUs() throws {
        let jobs = [job(0, submit: 0, gpus: 2, duration: 100), job(1, submit: 0, gpus: 2, duration: 50),
                    job(2, submit: 5, gpus: 2, duration: 10)]
        let r = try run(jobs, SRTFPolicy())
        XCTAssertEqual(r.jobs.map(\.preemptions), [1, 0, 0])
        XCTAssertEqual(r.finishes, [110, 50, 15])
        let j1 = r.allocations.filter { $0.job == JobID(1) }
        XCTAssertEqual(j1.count, 1)
        XCTAssertEqual(j1.map(\.localGPUs), [[0, 1]])
        XCTAssertEqual(r.allocations.filter { $0.job == JobID(2) }.map(\.localGPUs), [[2, 3]])
    }

    // A preempted job waits keyed at the speed its placement allowed, not at its reference (packed) speed, so the job
    // that displaced it is not displaced back at the next round. Two nodes of two t4s with a slow NIC (0.1 GB/s),
    // spread placement (one GPU per node, so every 2-GPU ring crosses the network). A (ResNet-50, 2 GPUs) needs F s
    // packed on one node and S ≫ F spread over both (both measured by running A alone). b = (F + S) / 2, rounded.
    // 0: D0 and D1 (1 GPU, b + 100 s) take one GPU of each node. 1: A arrives and runs spread on the other two. 10: B
    // (2 GPUs, b s) arrives: D0, D1 (b + 90 left) and B rank before A (S − 9 s left at its speed), so A is displaced
    // and B takes its GPUs. 20: C (2 GPUs, 200,000 s) arrives and waits; its round ranks A, waiting with S − 9 s left
    // at the speed its placement allowed, after B, D0 and D1: nothing changes. (Keyed at its packed speed, A would
    // have (S − 9)·F/S s left, rank first, and D0 and D1 would be preempted for it.) 10 + b: B ends, A resumes on
    // the same two GPUs and ends S − 9 s later; b + 100: D0 and D1 end, C starts.
    func testSRTFPreemptedJobWaitsKeyedAtTheSpeedItsPlacementAllowed() throws {
        let node = NodeTemplate(
            name: "slow-nic-2-t4", summary: "test node", gpuType: GPUCatalog.named("t4")!, gpuCount: 2, intraNodeClass: .pcie,
            intraNode: LinkParameters(bandwidthBytesPerSecond: 10e9, latencySeconds: 5e-6),
            nicCount: 1, nic: LinkParameters(bandwidthBytesPerSecond: 0.1e9, latencySeconds: 10e-6), source: "test")
        let two = ClusterFixtures.topology(nodesPerRack: [[node, node]])
        let resnet = ModelZoo.index(named: "resnet50")!
        let a = JobSpec(id: JobID(0), name: "a", submitTime: .zero, gpuCount: 2, model: resnet, work: .iterations(2000))
        func alone(_ placement: any PlacementStrategy) throws -> Double {
            try XCTUnwrap(simulate(jobs: [a], topology: two, placement: placement).jobs[0].runSeconds)
        }
        let f = try alone(FirstFitPlacement())
        let slow = try alone(SpreadPlacement())
        let b = ((f + slow) / 2).rounded()
        // What the timeline needs: at 10, D0 and D1 rank before A; at 20, keyed at its packed speed A would rank first.
        XCTAssertLessThan(b + 90, slow - 9)
        XCTAssertLessThan((slow - 9) * f / slow, b - 10)
        var timedA = a
        timedA.id = JobID(2)
        timedA.submitTime = SimTime.seconds(1.0)
        let jobs = [job(0, submit: 0, gpus: 1, duration: b + 100), job(1, submit: 0, gpus: 1, duration: b + 100), timedA,
                    job(3, submit: 10, gpus: 2, duration: b), job(4, submit: 20, gpus: 2, duration: 200_000)]
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: two, policy: SRTFPolicy(), placement: SpreadPlacement(), observers: [check])
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.unfinishedJobs, [])
        XCTAssertEqual(r.jobs.map(\.preemptions), [0, 0, 1, 0, 0])
        // One allocation row per node held: A's two stints, each on both nodes.
        let spans = r.allocations.filter { $0.job == JobID(2) }.map { [$0.start.seconds, $0.end.seconds] }
        XCTAssertEqual(spans.count, 4)
        XCTAssertEqual(spans.first ?? [], [1, 10])
        XCTAssertEqual(spans.last?[0] ?? 0, 10 + b, accuracy: 1e-6)
        XCTAssertEqual(r.finishes[2] ?? 0, 10 + b + (slow - 9), accuracy: 1e-3)
        XCTAssertEqual(r.starts[3], 10)
        XCTAssertEqual(r.finishes[3] ?? 0, 10 + b, accuracy: 1e-6)
        XCTAssertEqual(r.starts[4] ?? 0, b + 100, accuracy: 1e-6)
    }

    // On another GPU type the type's own speed does not count against a preempted job: only its placement's slowdown
    // does. Node 0: two a100-80s, held from 0 by D0 and D1 (pinned); node 1: one t4. A (ResNet-50, 1 GPU, any type;
    // reference on the a100s, F s; S s on the t4, alone there: no placement slowdown) arrives at 1 and runs on the t4.
    // 10: B (pinned t4, b = (F + S) / 2 s) displaces it. 20: C (pinned a100) arrives; A waits keyed at its reference
    // speed, (S − 9)·F/S s, the shortest: it is admitted and D1, the later of the two longest, is preempted for it.
    func testSRTFPreemptedJobOnAnotherTypeWaitsKeyedAtItsReferenceSpeed() throws {
        let mixed = ClusterFixtures.topology(nodesPerRack: [[
            ClusterFixtures.micro(gpus: 2, gpuType: "a100-80"), ClusterFixtures.micro(gpus: 1, gpuType: "t4"),
        ]])
        let resnet = ModelZoo.index(named: "resnet50")!
        var a = JobSpec(id: JobID(2), name: "a", submitTime: .zero, gpuCount: 1, model: resnet, work: .iterations(1))
        let perIteration = JobSetup.estimatedDuration(for: a, template: mixed.nodeTemplates[0]).seconds
        a.work = .iterations((1000 / perIteration).rounded())
        a.submitTime = SimTime.seconds(1.0)
        let f = JobSetup.estimatedDuration(for: a, template: mixed.nodeTemplates[0]).seconds
        let slow = JobSetup.estimatedDuration(for: a, template: mixed.nodeTemplates[1]).seconds
        XCTAssertGreaterThan(slow, 2 * f, "the t4 must be much slower than the a100 for this timeline")
        let b = ((f + slow) / 2).rounded()
        let jobs = [job(0, submit: 0, gpus: 1, duration: b + 100, gpuType: "a100-80"),
                    job(1, submit: 0, gpus: 1, duration: b + 100, gpuType: "a100-80"), a,
                    job(3, submit: 10, gpus: 1, duration: b, gpuType: "t4"),
                    job(4, submit: 20, gpus: 1, duration: 200_000, gpuType: "a100-80")]
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: mixed, policy: SRTFPolicy(), observers: [check])
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.unfinishedJobs, [])
        XCTAssertEqual(r.jobs.map(\.preemptions), [0, 1, 1, 0, 0])
        XCTAssertEqual(r.allocations.filter { $0.job == JobID(2) }.map { [$0.start.seconds, $0.end.seconds] }.first ?? [], [1, 10])
        XCTAssertEqual(r.allocations.filter { $0.job == JobID(2) }.dropFirst().first?.start.seconds, 20)
        XCTAssertEqual(r.allocations.filter { $0.job == JobID(1) }.first?.end.seconds, 20)
    }

    // MARK: - Tiresias

    // 2D-LAS demotes at the exact GPU-second threshold. J0 (4 GPUs, 2000 s) from 0; 100: J1 (1 GPU, 100 s) arrives
    // into the top queue but J0 (top queue, running) stays ahead of it and J1 does not fit. J0 reaches 3250 GPU·s at
    // 3250 / 4 = 812.5 s: the policy's wake-up runs a round exactly then, J0 drops to queue 1, J1 overtakes it (J0
    // preempted at 812.5), runs 812.5 → 912.5, J0 resumes 912.5 → 2100. J0 reaches 7200 GPU·s at 912.5 + 3950/4 =
    // 1900 (another wake-up round, nothing to change).
    func testTiresiasDemotesAtExactGPUSecondThreshold() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 2000), job(1, submit: 100, gpus: 1, duration: 100)]
        let log = EventLogObserver()
        let r = try run(jobs, TiresiasPolicy(), log: log)
        XCTAssertEqual(intervals(r), [[0, 0, 812.5], [1, 812.5, 912.5], [0, 912.5, 2100]])
        XCTAssertEqual(r.jobs.map(\.preemptions), [1, 0])
        XCTAssertEqual(r.jcts, [2100, 812.5])
        let timers = log.events.filter { if case .policyTimer = $0.event { return true } else { return false } }.map(\.time)
        XCTAssertTrue(timers.contains(812.5), "\(timers)")
        XCTAssertTrue(timers.contains(1900), "\(timers)")
        // FIFO for contrast: J1 waits for all of J0.
        XCTAssertEqual(try run(jobs, FIFOPolicy()).jcts, [2000, 2000])
    }

    // A short job arriving after the long one was demoted overtakes it at once: J0 (4 GPUs, 2000 s) is in queue 1
    // from 812.5; 1000: J1 (2 GPUs, 50 s) arrives in the top queue and J0 is preempted at 1000; J1 runs → 1050, J0
    // resumes 1050 → 2050.
    func testTiresiasNewShortJobOvertakesDemotedJob() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 2000), job(1, submit: 1000, gpus: 2, duration: 50)]
        let r = try run(jobs, TiresiasPolicy())
        XCTAssertEqual(intervals(r), [[0, 0, 1000], [1, 1000, 1050], [0, 1050, 2050]])
    }

    // `service: time` counts seconds, not GPU-seconds. One threshold at 500 (two queues); J0 (4 GPUs, 2000 s) from 0,
    // J1 (1 GPU, 100 s) at 100. gpu-time: J0 reaches 500 GPU·s at 125, so J1 runs 125 → 225. time: J0 reaches 500 s
    // at 500, so J1 runs 500 → 600. J0 ends at 2100 either way.
    func testTiresiasTimeServiceUsesSeconds() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 2000), job(1, submit: 100, gpus: 1, duration: 100)]
        let gpuTime = try run(jobs, TiresiasPolicy(.init(queueThresholds: [500])))
        XCTAssertEqual(intervals(gpuTime), [[0, 0, 125], [1, 125, 225], [0, 225, 2100]])
        let time = try run(jobs, TiresiasPolicy(.init(service: .time, queueThresholds: [500])))
        XCTAssertEqual(intervals(time), [[0, 0, 500], [1, 500, 600], [0, 600, 2100]])
    }

    // interval_s 60 (the Pollux simulator's cadence): the same two jobs decide only at 0, 60, 120, ... J1 arrives at
    // 100 and waits for 120, when J0 (480 GPU·s) is still in the top queue and running ahead of it; at 180 J0 (720) is
    // in queue 1 and J1 preempts it, running 180 → 280; J0 resumes at the next boundary, 300, and ends at 2120.
    func testTiresiasIntervalDecidesOnlyAtBoundaries() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 2000), job(1, submit: 100, gpus: 1, duration: 100)]
        let r = try run(jobs, TiresiasPolicy(.init(queueThresholds: [500], intervalSeconds: 60)))
        XCTAssertEqual(intervals(r), [[0, 0, 180], [1, 180, 280], [0, 300, 2120]])
    }

    // Within a queue, running jobs stay ahead of waiting ones even with a higher JobID. All at 0: J0 (3 GPUs, 100 s),
    // J1 (4 GPUs, 1000 s), J2 (1 GPU, 1000 s). 0: J0 starts, J1 does not fit (1 left), J2 starts. 100: J0 ends;
    // J2 (top queue, 100 GPU·s, running) stays ahead of J1 (top queue, waiting, lower JobID), so J1 (4 GPUs, 3 left)
    // waits and J2 is not preempted. 1000: J2 ends, J1 runs 1000 → 2000 (reaching its thresholds at 1812.5 and
    // 2800 would be later; it is alone anyway).
    func testTiresiasRunningJobsStayAheadWithinQueue() throws {
        let jobs = [job(0, submit: 0, gpus: 3, duration: 100), job(1, submit: 0, gpus: 4, duration: 1000),
                    job(2, submit: 0, gpus: 1, duration: 1000)]
        let r = try run(jobs, TiresiasPolicy())
        XCTAssertEqual(r.starts, [0, 1000, 0])
        XCTAssertEqual(r.finishes, [100, 2000, 1000])
        XCTAssertEqual(r.jobs.map(\.preemptions), [0, 0, 0])
    }

    // `order: arrival` (the Pollux artifact's Tiresias): the same three jobs, one queue (threshold 1e6 GPU·s). At 0
    // J0 starts, J1 (4 GPUs) does not fit, J2 backfills. 100: J0 ends; J1 entered the queue with J2 and has the lower
    // JobID, so it outranks the running J2: J2 is preempted, J1 runs 100 → 1100, J2 resumes 1100 → 2000 (900 s left).
    func testTiresiasArrivalOrderPreemptsTheBackfilledJob() throws {
        let jobs = [job(0, submit: 0, gpus: 3, duration: 100), job(1, submit: 0, gpus: 4, duration: 1000),
                    job(2, submit: 0, gpus: 1, duration: 1000)]
        let r = try run(jobs, TiresiasPolicy(.init(queueThresholds: [1e6], order: .arrival)))
        XCTAssertEqual(r.starts, [0, 100, 0])
        XCTAssertEqual(r.finishes, [100, 1100, 2000])
        XCTAssertEqual(r.jobs.map(\.preemptions), [0, 0, 1])
        // Running first (the default) keeps J2 running, as in the test above.
        let first = try run(jobs, TiresiasPolicy(.init(queueThresholds: [1e6])))
        XCTAssertEqual(first.finishes, [100, 2000, 1000])
        XCTAssertEqual(first.jobs.map(\.preemptions), [0, 0, 0])
    }

    // `order: arrival` in a lower queue: the job demoted first outranks one demoted later even while that one runs.
    // One threshold at 400 GPU·s. J0 (1 GPU, 1000 s) from 0; 10: J1 (4 GPUs, 1000 s) arrives and does not fit. 400:
    // J0 reaches 400 GPU·s and enters queue 1; J1 (top queue) preempts it and runs from 400. 500: J1 reaches 400 GPU·s
    // and enters queue 1 after J0, which outranks it: J1 is preempted, J0 resumes 500 → 1100 (600 s left), J1 resumes
    // 1100 → 2000 (900 s left). Running first (the default) keeps J1 running at 500 until 1400; J0 resumes 1400 → 2000.
    func testTiresiasArrivalOrderKeepsDemotionOrder() throws {
        let jobs = [job(0, submit: 0, gpus: 1, duration: 1000), job(1, submit: 10, gpus: 4, duration: 1000)]
        let r = try run(jobs, TiresiasPolicy(.init(queueThresholds: [400], order: .arrival)))
        XCTAssertEqual(r.finishes, [1100, 2000])
        XCTAssertEqual(r.jobs.map(\.preemptions), [1, 1])
        let first = try run(jobs, TiresiasPolicy(.init(queueThresholds: [400])))
        XCTAssertEqual(first.finishes, [2000, 1400])
        XCTAssertEqual(first.jobs.map(\.preemptions), [1, 0])
    }

    // `order: arrival` ranks a lower queue by demotion time, not by JobID: here the higher JobID is demoted first.
    // One threshold at 400 GPU·s. J0 (1 GPU, 1000 s) from 0; J1 (2 GPUs, 1000 s) from 10; both run (3 of 4 GPUs).
    // J1 reaches 400 GPU·s at 210 and enters queue 1; J0 at 400, after it. 500: J2 (2 GPUs, 100 s, top queue) arrives;
    // one GPU is free. The walk takes J2 (2 of 4), then queue 1 in demotion order: J1 keeps its 2, J0 no longer fits
    // and is preempted. J2 runs 500 → 600 (200 GPU·s, still in the top queue); J0 resumes 600 → 1100 (500 s left).
    // J1 runs on, 10 → 1010. Ranking queue 1 by JobID would preempt J1 instead (J0 first, then J1 not fitting), which
    // is what running first (the default, both running, ties by JobID) does: J1 waits 500 → 600 and ends at 1110.
    func testTiresiasArrivalOrderRanksByDemotionNotJobID() throws {
        let jobs = [job(0, submit: 0, gpus: 1, duration: 1000), job(1, submit: 10, gpus: 2, duration: 1000),
                    job(2, submit: 500, gpus: 2, duration: 100)]
        let r = try run(jobs, TiresiasPolicy(.init(queueThresholds: [400], order: .arrival)))
        XCTAssertEqual(r.finishes, [1100, 1010, 600])
        XCTAssertEqual(r.jobs.map(\.preemptions), [1, 0, 0])
        XCTAssertEqual(intervals(r), [[0, 0, 500], [2, 500, 600], [1, 10, 1010], [0, 600, 1100]])
        let first = try run(jobs, TiresiasPolicy(.init(queueThresholds: [400])))
        XCTAssertEqual(intervals(first), [[1, 10, 500], [2, 500, 600], [0, 0, 1000], [1, 600, 1110]])
        XCTAssertEqual(first.jobs.map(\.preemptions), [0, 1, 0])
    }

    // `order: gittins` (Discretized 2D-Gittins): inside a queue, by the Gittins index of each job's service. J0 (4 GPUs,
    // 2500 s) from 0; 50: J1 (4 GPUs, 20 s) arrives. Both are in the top queue (J0 has 200 GPU·s < 3250). Samples 100,
    // 100, 10,000, 10,000 GPU·s, Δ = the first threshold, 3250: J0's index at 200 is 0 (it has outlived the short mass
    // and no sample lies in (200, 3450]); J1's at 0 is 2 / (200 + 2 · 3250) > 0. So J1 preempts J0 at 50 and runs
    // 50 → 70; J0 resumes 70 → 2520 (demoted at 832.5, alone). The workload's own distribution (10,000 and 80 GPU·s)
    // ranks them alike (J1: 1 / (80 + 3250)). Under LAS (running-first) J1 waits for J0's demotion at 812.5.
    func testTiresiasGittinsPreemptsInsideAQueue() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 2500), job(1, submit: 50, gpus: 4, duration: 20)]
        let samples = try run(jobs, TiresiasPolicy(.init(order: .gittins, gittinsSamples: [100, 100, 10_000, 10_000])))
        XCTAssertEqual(intervals(samples), [[0, 0, 50], [1, 50, 70], [0, 70, 2520]])
        XCTAssertEqual(samples.jcts, [2520, 20])
        XCTAssertEqual(samples.jobs.map(\.preemptions), [1, 0])
        let workload = try run(jobs, TiresiasPolicy(.init(order: .gittins)))
        XCTAssertEqual(intervals(workload), [[0, 0, 50], [1, 50, 70], [0, 70, 2520]])
        let las = try run(jobs, TiresiasPolicy())
        XCTAssertEqual(intervals(las), [[0, 0, 812.5], [1, 812.5, 832.5], [0, 832.5, 2520]])
    }

    // The quantum decides how far ahead the index looks. One queue (threshold 1e6 GPU·s); J0 (4 GPUs, 1000 s) from 0,
    // J1 (4 GPUs, 1 s) at 500, when J0 has 2000 GPU·s; samples 4, 4000, 4000, 4000 GPU·s.
    // - Δ = 40: J1's index is 1 / (4 + 3 · 40) = 1/124 (the 4 GPU·s sample lies within its quantum), J0's is 0 (no
    //   sample in (2000, 2040]): J1 preempts J0 at 500 and runs 500 → 501; J0 resumes 501 → 1001.
    // - Δ = 8000: both look a whole job ahead: J1 4 / 12,004 ≈ 1/3001, J0 3 / (12,000 − 3 · 2000) = 1/2000 (it is
    //   nearer its likely end): J0 keeps its GPUs; J1 runs 1000 → 1001.
    // - Δ = 40 over long samples only (4000): both indices are 0; the tie goes to the lower JobID, J0, which stays.
    func testTiresiasGittinsQuantumAndSamplesDecide() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 1000), job(1, submit: 500, gpus: 4, duration: 1)]
        func gittins(_ delta: Double, _ samples: [Double]) -> TiresiasPolicy {
            TiresiasPolicy(.init(queueThresholds: [1e6], order: .gittins, gittinsDelta: delta, gittinsSamples: samples))
        }
        XCTAssertEqual(intervals(try run(jobs, gittins(40, [4, 4000, 4000, 4000]))), [[0, 0, 500], [1, 500, 501], [0, 501, 1001]])
        XCTAssertEqual(intervals(try run(jobs, gittins(8000, [4, 4000, 4000, 4000]))), [[0, 0, 1000], [1, 1000, 1001]])
        XCTAssertEqual(intervals(try run(jobs, gittins(40, [4000]))), [[0, 0, 1000], [1, 1000, 1001]])
    }

    // A threshold so high that reaching it lies past the clock's range (1e300 GPU·s): every job stays in the top queue
    // and no wake-up is asked for, so it is FIFO inside one queue with running jobs ahead. J0 (4 GPUs, 100 s) runs
    // 0 → 100; J1 (4 GPUs, 10 s) arrives at 20 and waits behind it, 100 → 110. The same with promotion on.
    func testTiresiasThresholdPastTheClockNeverDemotes() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 100), job(1, submit: 20, gpus: 4, duration: 10)]
        for policy in [TiresiasPolicy(.init(queueThresholds: [1e300])),
                       TiresiasPolicy(.init(queueThresholds: [1e300], promoteAfter: 1))] {
            let r = try run(jobs, policy)
            XCTAssertEqual(r.starts, [0, 100])
            XCTAssertEqual(r.finishes, [100, 110])
            XCTAssertEqual(r.jobs.map(\.preemptions), [0, 0])
        }
    }

    // Starvation promotion, `service: time`, one threshold at 10 s, promote_after 2. J0 (4 GPUs, 100 s) from 0,
    // reaches queue 1 at 10. 20: J1 (4 GPUs, 100 s) arrives in the top queue, J0 (executed 20 s) is preempted.
    // 30: J1 reaches queue 1; running, it stays ahead of J0. Without promotion J1 runs to 120 and J0 120 → 200.
    // With it: J0 has waited 2 × 20 s at 60, goes back to the top queue, and J1 (executed 40 s) is preempted;
    // J0 runs 60 → 140 (back in queue 1 at 70, but running). J1 would be promoted at 60 + 2 × 40 = 140, when J0
    // ends anyway: J1 runs 140 → 200.
    func testTiresiasPromotionBringsStarvedJobBack() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 100), job(1, submit: 20, gpus: 4, duration: 100)]
        let off = try run(jobs, TiresiasPolicy(.init(service: .time, queueThresholds: [10])))
        XCTAssertEqual(intervals(off), [[0, 0, 20], [1, 20, 120], [0, 120, 200]])
        let on = try run(jobs, TiresiasPolicy(.init(service: .time, queueThresholds: [10], promoteAfter: 2)))
        XCTAssertEqual(intervals(on), [[0, 0, 20], [1, 20, 60], [0, 60, 140], [1, 140, 200]])
        XCTAssertEqual(on.jcts, [140, 180])
    }

    // The promotion resets the job's service baseline: after it, J0 ranks by service since then. Same setup plus
    // J2 (4 GPUs, 5 s) at 65. 60: J0 promoted (its 20 s so far no longer count), J1 preempted. 65: J2 arrives in the
    // top queue, where J0 (5 s since promotion, running) stays ahead of it. 70: J0 has 10 s since promotion and
    // drops to queue 1; J2 overtakes it (J0 preempted). 75: J2 ends; J0 and J1 both wait in queue 1, J0 first by
    // JobID: J0 runs with 70 s left. 140: J1's promotion is due (waiting since 60, 40 s executed): J1 goes back to
    // the top queue and J0 is preempted with 5 s left. 150: J1 drops to queue 1 but runs on (ahead of waiting J0,
    // whose promotion would be due only at 140 + 2 × 75 = 290). 200: J1 ends, J0 runs 200 → 205.
    func testTiresiasPromotionResetsServiceBaseline() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 100), job(1, submit: 20, gpus: 4, duration: 100),
                    job(2, submit: 65, gpus: 4, duration: 5)]
        let r = try run(jobs, TiresiasPolicy(.init(service: .time, queueThresholds: [10], promoteAfter: 2)))
        XCTAssertEqual(intervals(r), [[0, 0, 20], [1, 20, 60], [0, 60, 70], [2, 70, 75], [0, 75, 140], [1, 140, 200],
                                      [0, 200, 205]])
        XCTAssertEqual(r.jobs.map(\.preemptions), [3, 1, 0])
    }

    // With a 1 s checkpoint the preempted job keeps its GPUs while it checkpoints (the snapshot says so), so the
    // policies do not plan J1 onto them that round: J0 (4 GPUs, 100 s) is preempted at 20 for J1 (4 GPUs, 10 s),
    // checkpoints 20 → 21, J1 runs 21 → 31, J0 resumes with 80 s left and ends at 111. Under Tiresias J0 was demoted
    // at 10 (40 GPU·s), so J1 is ahead of it too.
    func testCheckpointCostDelaysTheStartUntilTheGPUsAreFree() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 100), job(1, submit: 20, gpus: 4, duration: 10)]
        for policy: any SchedulingPolicy in [SRTFPolicy(), TiresiasPolicy(.init(queueThresholds: [40]))] {
            let check = InvariantObserver()
            let r = try simulate(jobs: jobs, topology: four, policy: policy, observers: [check],
                                 costs: FixedTransitionCosts(checkpoint: 1))
            XCTAssertNil(check.firstViolation, policy.name)
            XCTAssertEqual(r.finishes, [111, 31], policy.name)
            XCTAssertEqual(r.starts, [0, 21], policy.name)
            XCTAssertEqual(r.jobs.map(\.preemptions), [1, 0], policy.name)
        }
    }
}
