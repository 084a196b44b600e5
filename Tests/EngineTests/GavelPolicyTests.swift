import ClusterModel
import Engine
import Models
import Scheduling
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// Gavel end to end on micro clusters: rounds, preemption at boundaries, heterogeneity, equal sharing.
final class GavelPolicyTests: XCTestCase {
    /// An iteration job of zoo model `model` on `gpus` GPUs.
    private func zooJob(_ i: Int, _ model: String, iterations: Double, gpus: Int = 1, submit: Double = 0) -> JobSpec {
        JobSpec(id: JobID(i), name: "\(model)-\(i)", submitTime: .seconds(submit), gpuCount: gpus,
                model: ModelZoo.index(named: model)!, work: .iterations(iterations))
    }

    /// One rack: a 1-GPU v100-32 node and a 1-GPU a100-80 node (types V = 0, A = 1).
    private let twoTypes = ClusterFixtures.topology(nodesPerRack: [[
        ClusterFixtures.micro(gpus: 1, gpuType: "v100-32"), ClusterFixtures.micro(gpus: 1, gpuType: "a100-80"),
    ]])

    private func run(_ jobs: [JobSpec], _ policy: GavelPolicy, topology: Topology,
                     placement: any PlacementStrategy = FirstFitPlacement(), line: UInt = #line) throws -> RunResult {
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: topology, policy: policy, placement: placement, observers: [check])
        XCTAssertNil(check.firstViolation, line: line)
        XCTAssertEqual(check.eventsChecked, r.eventsProcessed, line: line)
        XCTAssertEqual(r.unfinishedJobs, [], line: line)
        XCTAssertEqual(r.metric("jobs_completed"), Double(jobs.count), line: line)
        return r
    }

    /// Whether `t` (seconds) is a multiple of `round`.
    private func onBoundary(_ t: SimTime, _ round: Double) -> Bool {
        let k = (t.seconds / round).rounded()
        return abs(t.seconds - k * round) < 1e-6
    }

    // Three 1-GPU jobs of different models on one V and one A GPU: one job waits each round, so jobs alternate.
    // Without mid-round filling, every allocation interval starts at a round boundary and ends at one or at the
    // job's finish; jobs get preempted; every job runs within the first three rounds; all finish.
    func testJobsAlternateAtRoundBoundaries() throws {
        let jobs = [zooJob(0, "resnet50", iterations: 20000), zooJob(1, "bert-base", iterations: 20000),
                    zooJob(2, "transformer", iterations: 20000)]
        let round = 360.0
        let r = try run(jobs, GavelPolicy(.init(roundSeconds: round, fillIdle: false)), topology: twoTypes)
        let finishes = r.jobs.map { $0.finish! }
        for a in r.allocations {
            XCTAssertTrue(onBoundary(a.start, round), "\(a) starts off a round boundary")
            XCTAssertTrue(onBoundary(a.end, round) || a.end == finishes[a.job.index], "\(a) ends off a boundary")
        }
        XCTAssertGreaterThan(r.jobs.map(\.preemptions).reduce(0, +), 0)
        for j in r.jobs { XCTAssertLessThanOrEqual(j.firstStart!.seconds, 2 * round, "\(j.id) waited more than two rounds") }
        // Both types are used, and each job that runs long enough visits both (heterogeneity-aware time shares).
        let typesUsed = Set(r.allocations.map { twoTypes.typeIndex(of: $0.node) })
        XCTAssertEqual(typesUsed, [0, 1])
        // With fill_idle (the default) the same jobs also finish; preemptions still happen only at boundaries.
        let filled = try run(jobs, GavelPolicy(), topology: twoTypes)
        let filledFinishes = filled.jobs.map { $0.finish! }
        for a in filled.allocations {
            XCTAssertTrue(onBoundary(a.end, round) || a.end == filledFinishes[a.job.index], "\(a) ends off a boundary")
        }
    }

    // On one GPU type max-min is equal time sharing: three identical 1-GPU jobs on 2 GPUs each get 2/3 of the
    // time, so they finish within a round of each other, near 1.5× their run time alone; FIFO finishes two at
    // T and the third at 2T.
    func testHomogeneousClusterSharesTimeEqually() throws {
        let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro(gpus: 2, gpuType: "a100-80")]])
        let jobs = (0..<3).map { zooJob($0, "resnet50", iterations: 30000) }
        let fifo = try simulate(jobs: jobs, topology: topo, policy: FIFOPolicy())
        let alone = fifo.jobs[0].finish!.seconds
        XCTAssertGreaterThan(alone, 4 * 360, "jobs should span several rounds")
        let r = try run(jobs, GavelPolicy(), topology: topo)
        let f = r.jobs.map { $0.finish!.seconds }
        XCTAssertLessThanOrEqual(f.max()! - f.min()!, 360 + 1e-6, "\(f)")
        for x in f { XCTAssertEqual(x, 1.5 * alone, accuracy: 360, "\(f) vs alone \(alone)") }
        for j in r.jobs { XCTAssertEqual(j.runSeconds, alone, accuracy: 1e-6) }  // same GPU type: same speed
        // Received time stays balanced throughout: at every round boundary before the first finish, no job is more
        // than one round behind another in time received.
        var received = [Double](repeating: 0, count: 3)
        for t in stride(from: 360.0, to: f.min()!, by: 360) {
            for j in 0..<3 {
                received[j] = r.allocations.filter { $0.job.index == j }
                    .reduce(0) { $0 + max(0, min($1.end.seconds, t) - $1.start.seconds) }
            }
            XCTAssertLessThanOrEqual(received.max()! - received.min()!, 360 + 1e-6, "at \(t): \(received)")
        }
    }

    // Jobs without a model (trace-style durations) run at the same rate on every type: the policy handles them
    // (rate from the oracle's model-free answer), time-shares, and each job's held time equals its duration.
    func testDurationJobsWithoutModels() throws {
        let jobs = [job(0, submit: 0, gpus: 1, duration: 1000), job(1, submit: 0, gpus: 1, duration: 800),
                    job(2, submit: 10, gpus: 1, duration: 900), job(3, submit: 20, gpus: 2, duration: 500)]
        let r = try run(jobs, GavelPolicy(), topology: twoTypes)
        for (o, spec) in zip(r.jobs, jobs) {
            guard case .duration(let d) = spec.work else { continue }
            XCTAssertEqual(o.runSeconds, d.seconds, accuracy: 1e-6, "\(spec.id)")
        }
        // Job 3 needs 2 GPUs, more than either type has: it runs across both types.
        XCTAssertEqual(Set(r.allocations.filter { $0.job == JobID(3) }.map(\.node)).count, 2)
    }

    // The finish-time objective end to end: staggered jobs of different models and sizes on two types, under
    // every placement, with invariants checked; and the same run twice gives the same result.
    func testFinishTimeObjectiveEndToEnd() throws {
        let topo = ClusterFixtures.topology(nodesPerRack: [[
            ClusterFixtures.micro(gpus: 2, gpuType: "v100-32"), ClusterFixtures.micro(gpus: 2, gpuType: "a100-80"),
        ]])
        let jobs = inSubmissionOrder([
            zooJob(0, "resnet50", iterations: 3000), zooJob(1, "bert-base", iterations: 2000, gpus: 2),
            zooJob(2, "transformer", iterations: 5000, submit: 100), zooJob(3, "lm", iterations: 4000, submit: 400),
            zooJob(4, "resnet18", iterations: 6000, submit: 700), job(5, submit: 50, gpus: 1, duration: 900),
        ])
        let policy = GavelPolicy(.init(objective: .finishTime, roundSeconds: 120))
        for placement in everyPlacement {
            let a = try run(jobs, policy, topology: topo, placement: placement)
            let b = try simulate(jobs: jobs, topology: topo, policy: policy, placement: placement)
            XCTAssertEqual(a.jobs, b.jobs, placement.name)
            XCTAssertEqual(a.allocations, b.allocations, placement.name)
        }
    }

    // A round preempts at most what the allocation says: a single job on an otherwise empty cluster runs
    // undisturbed across many boundaries on the faster type.
    func testLoneJobIsNeverPreemptedAndGetsTheFastType() throws {
        let r = try run([zooJob(0, "resnet50", iterations: 20000)], GavelPolicy(), topology: twoTypes)
        XCTAssertEqual(r.jobs[0].preemptions, 0)
        XCTAssertEqual(r.allocations.count, 1)
        XCTAssertEqual(r.jobs[0].gpuType, "a100-80")
    }

    // With timed transitions (restores, checkpoints and migrations cost time), jobs in a transition are left
    // alone: no decision is ever invalid (the run would fail), invariants hold, everything finishes.
    func testTimedTransitionsAreRespected() throws {
        let jobs = [zooJob(0, "resnet50", iterations: 20000), zooJob(1, "bert-base", iterations: 20000),
                    zooJob(2, "transformer", iterations: 20000, submit: 30), job(3, submit: 200, gpus: 1, duration: 2000)]
        let costs = FixedTransitionCosts(firstStart: 5, restore: 20, checkpoint: 30, resize: 10, migrate: 40)
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: twoTypes, policy: GavelPolicy(.init(roundSeconds: 100)),
                             observers: [check], costs: costs)
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.unfinishedJobs, [])
        XCTAssertGreaterThan(r.jobs.map(\.preemptions).reduce(0, +), 0)
    }

    // Failures kill jobs while they run, restore or checkpoint, and checkpoints end between calls: such a job stops
    // holding GPUs without a decision of the policy, and its received time stops at the last call that saw it hold
    // them (debug builds check, at every call, that each holder's open stint is on its GPUs' type). Runs with kills,
    // preemptions and checkpoints, keeps the invariants and finishes everything.
    func testKillsAndCheckpointsEndReceivedTimeStints() throws {
        let models = ["resnet50", "bert-base", "transformer"]
        let jobs = (0..<8).map { zooJob($0, models[$0 % 3], iterations: 20000, submit: Double($0 * 20)) }
        let costs = FixedTransitionCosts(firstStart: 5, restore: 20, checkpoint: 30, resize: 10, migrate: 40)
        let failures = FailureModel(
            gpu: FailureProcess(timeBetweenFailuresHours: .constant(0.25), repairHours: .constant(0.05)), seed: 2,
            checkpointIntervalSeconds: 60)
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: twoTypes, policy: GavelPolicy(.init(roundSeconds: 100)),
                             observers: [check], costs: costs, failures: failures)
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.unfinishedJobs, [])
        XCTAssertGreaterThan(r.jobs.map(\.failures).reduce(0, +), 0)
        XCTAssertGreaterThan(r.jobs.map(\.preemptions).reduce(0, +), 0)
    }

    /// The first time `id` was given GPUs in `r`.
    private func firstStart(_ r: RunResult, _ id: Int) -> Double { r.jobs[id].firstStart!.seconds }

    /// Who holds the GPU at `t` seconds (an allocation interval [start, end) covering it), on a one-GPU cluster.
    private func holder(_ r: RunResult, at t: Double) -> JobID? {
        r.allocations.first { $0.start.seconds <= t && t < $0.end.seconds }?.job
    }

    // `allocation_reset_s` (Gavel's simulator: the allocation is recomputed at most that often): one GPU, A from 0 and
    // B from 100 s, 360 s rounds. By default the 360 s boundary re-solves (X = ½ each) and B, which has received
    // nothing, takes the GPU. With a 3,600 s reset B has no allocation until the solve at 3,600 s; there both have
    // received nothing since the solve (fractions 0, equal priorities), both deficits are 0 (A was promised all of
    // 3,600 s and got it; B was promised nothing), so JobID order keeps A; at 3,960 s A has received all 360 s since
    // the solve and B none, so B starts.
    func testAllocationResetDelaysNewJobsToTheNextSolve() throws {
        let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro(gpus: 1, gpuType: "a100-80")]])
        let jobs = [job(0, submit: 0, gpus: 1, duration: 6000), job(1, submit: 100, gpus: 1, duration: 600)]
        let byDefault = try run(jobs, GavelPolicy(), topology: topo)
        XCTAssertEqual(firstStart(byDefault, 1), 360, accuracy: 1e-9)
        let reset = try run(jobs, GavelPolicy(.init(allocationResetSeconds: 3600)), topology: topo)
        XCTAssertEqual(firstStart(reset, 1), 3960, accuracy: 1e-9)
        XCTAssertEqual(holder(reset, at: 3700), JobID(0))
        // A reset period no longer than the round re-solves at every boundary whose active set changed, as the
        // default does, but counts received time from each solve: at 360 s both fractions are 0 and A keeps the GPU
        // (deficits 0 and 0: A got the 360 s it was promised); at 720 s A has had all of the 360 s since, B none.
        let everyRound = try run(jobs, GavelPolicy(.init(allocationResetSeconds: 360)), topology: topo)
        XCTAssertEqual(firstStart(everyRound, 1), 720, accuracy: 1e-9)
    }

    // Deficits break ties of priority, as in Gavel's simulator: one GPU, A and B from 0 (X = ½ each), C from 1,000 s,
    // 360 s rounds, a 1,080 s reset. A runs 0–360 (JobID order on a tie), B 360–720, A 720–1,080. At the solve at
    // 1,080 s, deficits (½ × 1,080 promised − received): A 540 − 720 = −180, B 540 − 360 = +180, C 0 − 0 = 0; every
    // fraction is 0, so priorities tie (X = ⅓ each) and the deficit decides: B at 1,080 s, then C (0 > −180) at 1,440 s.
    func testDeficitsOrderJobsOfEqualPriority() throws {
        let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro(gpus: 1, gpuType: "a100-80")]])
        let jobs = [job(0, submit: 0, gpus: 1, duration: 5000), job(1, submit: 0, gpus: 1, duration: 5000),
                    job(2, submit: 1000, gpus: 1, duration: 5000)]
        let r = try run(jobs, GavelPolicy(.init(allocationResetSeconds: 1080)), topology: topo)
        XCTAssertEqual(holder(r, at: 100), JobID(0))
        XCTAssertEqual(holder(r, at: 500), JobID(1))
        XCTAssertEqual(holder(r, at: 900), JobID(0))
        XCTAssertEqual(holder(r, at: 1200), JobID(1))
        XCTAssertEqual(holder(r, at: 1500), JobID(2))
        XCTAssertEqual(firstStart(r, 2), 1440, accuracy: 1e-9)
    }
}
