import ClusterModel
import Engine
import Models
import Network
import Performance
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// GPU sharing in the engine: packed pairs slow by the co-location table, time-sliced jobs by 1/k less the switch
/// overhead, limits on jobs and memory per GPU, co-tenants re-rated when one leaves, failures kill every holder,
/// and the shared-GPU hours metric; invariants checked after every event.
final class GPUSharingTests: XCTestCase {
    /// One rack of one node with `gpus` v100-32 GPUs (32 GB each).
    private func v100(gpus: Int = 1) -> Topology {
        ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro(gpus: gpus, gpuType: "v100-32")]])
    }

    private func zooJob(_ i: Int, _ model: String?, seconds: Double, gpus: Int = 1, submit: Double = 0) -> JobSpec {
        JobSpec(id: JobID(i), name: "job\(i)", submitTime: .seconds(submit), gpuCount: gpus,
                model: model.map { ModelZoo.index(named: $0)! }, work: .duration(.seconds(seconds)))
    }

    /// Starts waiting job 0 alone and shares every other waiting job onto job 0's GPUs in `mode`, in one round.
    private func shareOntoFirst(_ mode: SharingMode) -> ScriptedPolicy {
        ScriptedPolicy { s, planner in
            var out: [SchedulingDecision] = []
            var first = s.jobs[0].gpus
            for id in s.queue {
                if id == JobID(0), let g = planner.place(s[id]) {
                    out.append(.start(id, gpus: g))
                    first = g
                } else if !first.isEmpty {
                    out.append(.share(id, gpus: first, mode: mode))
                }
            }
            return out
        }
    }

    private func run(
        _ jobs: [JobSpec], _ policy: any SchedulingPolicy, topology: Topology, sharing: GPUSharingModel = GPUSharingModel(),
        line: UInt = #line
    ) throws -> RunResult {
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: topology, policy: policy, observers: [check], sharing: sharing)
        XCTAssertNil(check.firstViolation, line: line)
        XCTAssertEqual(r.unfinishedJobs, [], line: line)
        return r
    }

    // Transformer (1000 s alone) and lm (100 s alone) packed from t = 0: the table gives lm 0.701 of its speed
    // beside a transformer and the transformer 0.790 beside an lm. Hand-computed: lm finishes at 100 / 0.701 =
    // 142.653 s; by then the transformer has done 0.790 × 142.653 = 112.696 s of its work and finishes
    // 1000 − 112.696 s later, at 1029.957 s. Shared GPU-hours: 142.653 s of one GPU.
    func testPackedPairSlowsByTheTableFactors() throws {
        let jobs = [zooJob(0, "transformer", seconds: 1000), zooJob(1, "lm", seconds: 100)]
        let r = try run(jobs, shareOntoFirst(.packed), topology: v100())
        let lmEnd = 100 / 0.701
        XCTAssertEqual(r.jobs[1].finish!.seconds, lmEnd, accuracy: 1e-6)
        XCTAssertEqual(r.jobs[0].finish!.seconds, lmEnd + (1000 - 0.790 * lmEnd), accuracy: 1e-6)
        XCTAssertEqual(r.metric("shared_gpu_hours"), lmEnd / 3600, accuracy: 1e-9)
        // Both held the one GPU: utilization counts it once, GPU-hours held count both jobs.
        XCTAssertEqual(r.metric("gpu_hours"), r.jobs[0].finish!.seconds / 3600, accuracy: 1e-9)
    }

    // A pair the table does not know (bert-base with resnet50) gets the default factor, here set to 0.8.
    func testUnknownPairGetsTheDefaultFactor() throws {
        let jobs = [zooJob(0, "resnet50", seconds: 1000), zooJob(1, "bert-base", seconds: 100)]
        let r = try run(jobs, shareOntoFirst(.packed), topology: v100(), sharing: GPUSharingModel(defaultFactor: 0.8))
        XCTAssertEqual(r.jobs[1].finish!.seconds, 100 / 0.8, accuracy: 1e-6)
    }

    // Three jobs time-sliced on one GPU (limit 3, 60 s slices, 0.6 s switch): each runs at (1 − 0.01) / 3 while all
    // three share it. Job 2 (30 s alone) ends at 30 × 3 / 0.99 = 90.909 s; then two share at 0.99 / 2 until job 1
    // (60 s) ends; then job 0 runs alone.
    func testTimeSlicedJobsShareTheGPUEvenly() throws {
        let jobs = [zooJob(0, nil, seconds: 100), zooJob(1, nil, seconds: 60), zooJob(2, nil, seconds: 30)]
        let sharing = GPUSharingModel(maxJobsPerGPU: 3, timeSliceSeconds: 60, switchOverheadSeconds: 0.6)
        let r = try run(jobs, shareOntoFirst(.timeSliced), topology: v100(), sharing: sharing)
        let third = 0.99 / 3, half = 0.99 / 2
        let t2 = 30 / third
        let t1 = t2 + (60 - 30) / half
        let t0 = t1 + (100 - 60)
        XCTAssertEqual(r.jobs[2].finish!.seconds, t2, accuracy: 1e-6)
        XCTAssertEqual(r.jobs[1].finish!.seconds, t1, accuracy: 1e-6)
        XCTAssertEqual(r.jobs[0].finish!.seconds, t0, accuracy: 1e-6)
        XCTAssertEqual(r.metric("shared_gpu_hours"), t1 / 3600, accuracy: 1e-9)
    }

    // Two identical jobs time-slicing GPUs on two nodes under the flow model. Only the slice holder communicates, so
    // the pair's traffic is one job's: each runs at the time-sliced factor of its speed alone on those GPUs, and both
    // finish at T / f, T being one job's time alone there (measured by the same engine), f = 0.99 / 2. (Both jobs'
    // flows on the links at once would also halve each one's bandwidth, on top of the slices.)
    func testTimeSlicedJobsCommunicateOneAtATime() throws {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 2)
        let interconnect = Interconnect(graph: LinkGraph(topology: topo))
        let gpus = [GPUID(0), GPUID(4)]
        let sharing = GPUSharingModel(maxJobsPerGPU: 2, timeSliceSeconds: 60, switchOverheadSeconds: 0.6)
        let scripted = ScriptedPolicy { s, _ in
            s.queue.map { $0 == JobID(0) ? .start($0, gpus: gpus) : .share($0, gpus: gpus, mode: .timeSliced) }
        }
        let one = [zooJob(0, "bert-base", seconds: 1000, gpus: 2)]
        let alone = try simulate(jobs: one, topology: topo, policy: scripted, interconnect: interconnect, sharing: sharing)
        let t = alone.jobs[0].finish!.seconds
        XCTAssertGreaterThan(t, 1000, "two nodes are slower than the one-node reference placement")
        let pair = one + [zooJob(1, "bert-base", seconds: 1000, gpus: 2)]
        let check = InvariantObserver()
        let r = try simulate(jobs: pair, topology: topo, policy: scripted, observers: [check], interconnect: interconnect, sharing: sharing)
        XCTAssertNil(check.firstViolation)
        for j in 0..<2 { XCTAssertEqual(r.jobs[j].finish!.seconds, t / (0.99 / 2), accuracy: 1e-6 * t) }
    }

    /// Runs a one-round script on `topology` and returns the run's error (nil if none).
    private func failure(of decisions: @escaping (ClusterSnapshot) -> [SchedulingDecision], jobs: [JobSpec],
                         topology: Topology, sharing: GPUSharingModel = GPUSharingModel()) -> (any Error)? {
        var done = false
        let policy = ScriptedPolicy { s, _ in
            if done || s.queue.count < jobs.count { return [] }
            done = true
            return decisions(s)
        }
        do {
            _ = try simulate(jobs: jobs, topology: topology, policy: policy, sharing: sharing)
            return nil
        } catch {
            return error
        }
    }

    func testSharingLimitsAreEnforced() throws {
        let g0 = [GPUID(0)]
        // Over the job limit: three jobs on one GPU with the default limit of two.
        let three = [zooJob(0, "lm", seconds: 10), zooJob(1, "lm", seconds: 10), zooJob(2, "lm", seconds: 10)]
        let over = failure(of: { _ in [.start(JobID(0), gpus: g0), .share(JobID(1), gpus: g0, mode: .timeSliced),
                                        .share(JobID(2), gpus: g0, mode: .timeSliced)] }, jobs: three, topology: v100())
        XCTAssertTrue("\(over.map { "\($0)" } ?? "")".contains("already holds 2 jobs"), "\(String(describing: over))")
        // Sharing off: a share onto a held GPU is a busy GPU.
        let off = failure(of: { _ in [.start(JobID(0), gpus: g0), .share(JobID(1), gpus: g0, mode: .packed)] },
                          jobs: Array(three.prefix(2)), topology: v100(), sharing: GPUSharingModel(maxJobsPerGPU: 1))
        XCTAssertTrue("\(off.map { "\($0)" } ?? "")".contains("GPU sharing is off"), "\(String(describing: off))")
        // Memory: two gpt-1.3b (40 GB each) cannot be packed on an 80 GB A100 with a third model... use 2 × 40 on a
        // 32 GB V100: the single job does not even fit, so pack resnet50 (14 GB) with transformer (12 GB) plus
        // a limit of 3 and a third resnet50: 14 + 12 + 14 = 40 GB > 32 GB.
        let mem = [zooJob(0, "resnet50", seconds: 10), zooJob(1, "transformer", seconds: 10), zooJob(2, "resnet50", seconds: 10)]
        let tooBig = failure(of: { _ in [.start(JobID(0), gpus: g0), .share(JobID(1), gpus: g0, mode: .packed),
                                          .share(JobID(2), gpus: g0, mode: .packed)] },
                             jobs: mem, topology: v100(), sharing: GPUSharingModel(maxJobsPerGPU: 3))
        XCTAssertTrue("\(tooBig.map { "\($0)" } ?? "")".contains("needs 40.0 GB together"), "\(String(describing: tooBig))")
        // Unknown footprint: a job without a zoo model cannot be packed (it can be time-sliced).
        let bare = [zooJob(0, "lm", seconds: 10), zooJob(1, nil, seconds: 10)]
        let unknown = failure(of: { _ in [.start(JobID(0), gpus: g0), .share(JobID(1), gpus: g0, mode: .packed)] },
                              jobs: bare, topology: v100())
        XCTAssertTrue("\(unknown.map { "\($0)" } ?? "")".contains("memory footprint is unknown"), "\(String(describing: unknown))")
        XCTAssertNil(failure(of: { _ in [.start(JobID(0), gpus: g0), .share(JobID(1), gpus: g0, mode: .timeSliced)] },
                             jobs: bare, topology: v100()))
        // One mode per GPU: a packed GPU cannot take a time-sliced third job.
        let mixed = failure(of: { _ in [.start(JobID(0), gpus: g0), .share(JobID(1), gpus: g0, mode: .packed),
                                         .share(JobID(2), gpus: g0, mode: .timeSliced)] },
                            jobs: three, topology: v100(), sharing: GPUSharingModel(maxJobsPerGPU: 3))
        XCTAssertTrue("\(mixed.map { "\($0)" } ?? "")".contains("is packed, not time-sliced"), "\(String(describing: mixed))")
        // A rejected round applies nothing: the same jobs with a valid script still run to the end.
        XCTAssertNil(failure(of: { _ in [.start(JobID(0), gpus: g0), .share(JobID(1), gpus: g0, mode: .packed)] },
                             jobs: Array(three.prefix(2)), topology: v100()))
    }

    // The owner of a shared GPU is preempted: the guest becomes the GPU's only holder and runs at full speed again.
    func testGuestSpeedsUpWhenItsCoTenantLeaves() throws {
        let jobs = [zooJob(0, "transformer", seconds: 1000), zooJob(1, "lm", seconds: 100)]
        var round = 0
        let policy = ScriptedPolicy { s, _ in
            round += 1
            if round == 1 && s.queue.count == 2 {
                return [.start(JobID(0), gpus: [GPUID(0)]), .share(JobID(1), gpus: [GPUID(0)], mode: .packed),
                        .wakeUp(at: SimTime.seconds(50.0))]
            }
            if s.now == SimTime.seconds(50.0) && s.jobs[0].state == .running { return [.preempt(JobID(0))] }
            if s.jobs[1].state == .finished && s.queue == [JobID(0)] { return [.start(JobID(0), gpus: [GPUID(0)])] }
            return []
        }
        let r = try run(jobs, policy, topology: v100())
        // lm: 50 s at 0.701, then the rest alone: 50 + (100 − 35.05) = 114.95 s.
        XCTAssertEqual(r.jobs[1].finish!.seconds, 50 + (100 - 0.701 * 50), accuracy: 1e-6)
        // transformer: 50 s at 0.790 before its preemption, resumed when lm ends.
        XCTAssertEqual(r.jobs[0].finish!.seconds, r.jobs[1].finish!.seconds + (1000 - 0.790 * 50), accuracy: 1e-6)
        XCTAssertEqual(r.metric("shared_gpu_hours"), 50.0 / 3600, accuracy: 1e-9)
    }

    // A GPU failure kills every job sharing the GPU, not only its first holder.
    func testFailureKillsEveryHolder() throws {
        let jobs = [zooJob(0, "lm", seconds: 1000), zooJob(1, "lm", seconds: 1000)]
        let failures = FailureModel(
            gpu: FailureProcess(timeBetweenFailuresHours: .constant(0.01), repairHours: .constant(0.01)), seed: 1)
        var started = false
        let policy = ScriptedPolicy { s, _ in
            guard !started, s.queue.count == 2, s.cluster.isFree(GPUID(0)) else { return [] }
            started = true
            return [.start(JobID(0), gpus: [GPUID(0)]), .share(JobID(1), gpus: [GPUID(0)], mode: .timeSliced)]
        }
        let check = InvariantObserver()
        let sim = makeSimulation(jobs: jobs, topology: v100(), policy: policy, observers: [check], failures: failures)
        try sim.advance(to: SimTime.seconds(37.0))  // the first failure is at 36 s
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(sim.jobs.map(\.failures), [1, 1])
        XCTAssertEqual(sim.cluster.totalGuests, 0)
    }
}
