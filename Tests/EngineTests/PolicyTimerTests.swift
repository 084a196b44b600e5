import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Wake-ups: a new request replaces the previous one, and a wake-up at the same instant as an arrival or a
/// completion shares that instant's one round.
final class PolicyTimerTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    /// Times at which the policy was asked.
    private final class Calls { var times: [Double] = [] }

    private func roundTimes(_ jobs: [JobSpec], wakeUps: [Double: [Double]]) throws -> (times: [Double], log: EventLogObserver) {
        let calls = Calls()
        let log = EventLogObserver()
        let sim = makeSimulation(jobs: jobs, topology: four, policy: ScriptedPolicy { s, planner in
            calls.times.append(s.now.seconds)
            var out: [SchedulingDecision] = s.queue.compactMap { id in planner.place(s[id]).map { .start(id, gpus: $0) } }
            out += (wakeUps[s.now.seconds] ?? []).map { .wakeUp(at: .seconds($0)) }
            return out
        }, observers: [log])
        _ = try sim.run()
        return (calls.times, log)
    }

    // Two requests in one round: only the later one fires.
    func testLaterRequestInOneRoundReplacesEarlier() throws {
        let r = try roundTimes([job(0, submit: 0, gpus: 1, duration: 100)], wakeUps: [0: [5, 7]])
        XCTAssertEqual(r.times, [0, 7])
    }

    // A request at 0 for 10, replaced at 3 (J1's arrival) by one for 6: rounds at 0, 3, 6, then J0's completion
    // at 100 (J1 still runs); never at 10.
    func testRequestInLaterRoundReplacesEarlier() throws {
        let jobs = [job(0, submit: 0, gpus: 1, duration: 100), job(1, submit: 3, gpus: 1, duration: 100)]
        let r = try roundTimes(jobs, wakeUps: [0: [10], 3: [6]])
        XCTAssertEqual(r.times, [0, 3, 6, 100])
    }

    // A wake-up at 3, when J1 also arrives, and one at 100, when J0 completes: one round at each instant.
    func testWakeUpAtAnArrivalOrCompletionRunsOneRound() throws {
        let jobs = [job(0, submit: 0, gpus: 1, duration: 100), job(1, submit: 3, gpus: 1, duration: 100)]
        let r = try roundTimes(jobs, wakeUps: [0: [3], 3: [100]])
        XCTAssertEqual(r.times, [0, 3, 100])
        let rounds = r.log.events.filter { $0.event == .schedulingRound }.map(\.time)
        XCTAssertEqual(rounds, [0, 3, 100])  // the run ends with J1 at 103, before that instant's round
        XCTAssertEqual(r.log.events.filter { if case .policyTimer = $0.event { return true } else { return false } }.map(\.time), [3, 100])
    }

    // A policy that only ever wakes itself up while a job waits on an idle cluster would run forever: the engine
    // stops it after `Simulation.stallLimit` such rounds with a located error. A policy that waits a while and then
    // starts the job is not stopped.
    func testEndlessIdleWakeUpsAreAStall() throws {
        let jobs = [job(0, submit: 0, gpus: 1, duration: 5)]
        let idle = ScriptedPolicy { s, _ in [.wakeUp(at: s.now + SimTime.seconds(1.0))] }
        XCTAssertThrowsError(try makeSimulation(jobs: jobs, topology: four, policy: idle).run()) { error in
            guard case SimulationError.stalled(let policy, let time, let waiting, let rounds)? = error as? SimulationError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(policy, "scripted")
            XCTAssertEqual(waiting, 1)
            XCTAssertEqual(rounds, Simulation.stallLimit)
            XCTAssertEqual(time.seconds, Double(Simulation.stallLimit - 1))
            XCTAssertTrue("\(error)".contains("stalled at t=9999.0 s: 1 jobs wait"), "\(error)")
        }
        let patient = ScriptedPolicy { s, planner in
            guard s.now.seconds >= 500, let g = planner.place(s[JobID(0)]) else { return [.wakeUp(at: s.now + SimTime.seconds(1.0))] }
            return [.start(JobID(0), gpus: g)]
        }
        let r = try makeSimulation(jobs: jobs, topology: four, policy: patient).run()
        XCTAssertEqual(r.jobs[0].finish?.seconds, 505)
    }
}
