import ClusterModel
import Engine
import Models
@testable import Scheduling
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// Gavel's per-stint received time against the per-call count it replaced: after every call of whole runs (two GPU
/// types, so jobs migrate; timed restores, checkpoints and migrations; failures that kill jobs), every active job's
/// time on every type equals what adding each holder's time since the previous call at every call gives, in whole
/// nanoseconds.
final class GavelReceivedTimeReferenceTests: XCTestCase {
    /// What the wrapper found; a class, because the simulation runs its own copy of the wrapper.
    private final class Findings {
        var compared = 0
        var mismatches: [String] = []
    }

    /// Gavel, with the old per-call count kept beside it and compared after every call.
    private struct Checked: SchedulingPolicy {
        static let name = "gavel-checked"
        var gavel: GavelPolicy
        let findings: Findings
        var reference: [Int64] = []
        var lastCall: SimTime?

        mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
            let k = s.topology.gpuTypes.count
            if reference.isEmpty { reference = Array(repeating: 0, count: s.jobs.count * k) }
            if let last = lastCall {
                for i in s.jobs.indices where s.jobs[i].state.holdsGPUs {
                    let t = Int(s.topology.gpuTypeIndex[s.jobs[i].allocation.gpus[0].index])
                    reference[i * k + t] += (s.now - max(last, s.jobs[i].heldSince ?? last)).nanoseconds
                }
            }
            lastCall = s.now
            let decisions = gavel.schedule(s, planner: &planner)
            for i in s.jobs.indices where s.jobs[i].state.holdsGPUs || s.jobs[i].state.isWaiting {
                for t in 0..<k {
                    findings.compared += 1
                    let got = gavel.received.seconds(JobID(i), type: t, now: s.now)
                    let want = SimTime(nanoseconds: reference[i * k + t]).seconds
                    if got != want { findings.mismatches.append("job \(i) type \(t) at \(s.now): \(got) != \(want)") }
                }
            }
            return decisions
        }
    }

    private func zooJob(_ i: Int, _ model: String, iterations: Double, submit: Double) -> JobSpec {
        JobSpec(id: JobID(i), name: "\(model)-\(i)", submitTime: .seconds(submit), gpuCount: 1,
                model: ModelZoo.index(named: model)!, work: .iterations(iterations))
    }

    private func check(costs: any TransitionCostModel, failures: FailureModel?, line: UInt = #line) throws -> RunResult {
        let topo = ClusterFixtures.topology(nodesPerRack: [[
            ClusterFixtures.micro(gpus: 2, gpuType: "v100-32"), ClusterFixtures.micro(gpus: 1, gpuType: "a100-80"),
        ]])
        let models = ["resnet50", "bert-base", "transformer"]
        let jobs = (0..<9).map { zooJob($0, models[$0 % 3], iterations: 15000, submit: Double($0 * 25)) }
        let findings = Findings()
        let r = try simulate(jobs: jobs, topology: topo, policy: Checked(gavel: GavelPolicy(.init(roundSeconds: 100)), findings: findings),
                             costs: costs, failures: failures)
        XCTAssertEqual(r.unfinishedJobs, [], line: line)
        XCTAssertGreaterThan(findings.compared, 100, line: line)
        XCTAssertEqual(findings.mismatches.prefix(5), [], line: line)
        return r
    }

    func testFreeTransitions() throws {
        let r = try check(costs: FreeTransitions(), failures: nil)
        XCTAssertGreaterThan(r.jobs.map(\.preemptions).reduce(0, +), 0)
        XCTAssertGreaterThan(r.jobs.map(\.migrations).reduce(0, +), 0)
    }

    func testTimedTransitionsAndKills() throws {
        let costs = FixedTransitionCosts(firstStart: 5, restore: 20, checkpoint: 30, resize: 10, migrate: 40)
        let failures = FailureModel(
            gpu: FailureProcess(timeBetweenFailuresHours: .constant(0.25), repairHours: .constant(0.05)), seed: 2,
            checkpointIntervalSeconds: 60)
        let r = try check(costs: costs, failures: failures)
        XCTAssertGreaterThan(r.jobs.map(\.preemptions).reduce(0, +), 0)
        XCTAssertGreaterThan(r.jobs.map(\.failures).reduce(0, +), 0)
    }
}
