import ClusterModel
import Engine
import Performance
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// `SimulationOptions.shouldStop`: the run stops at an event boundary, asked every 16 events, and a question that
/// always answers "go on" changes nothing.
final class StopRequestTests: XCTestCase {
    /// 1 DGX A100 (8 GPUs) and 200 jobs arriving every 10 s: hundreds of events.
    private func workload() -> (Topology, [JobSpec]) {
        let topo = ClusterFixtures.dgxA100(nodes: 1, racks: 1)
        let jobs = (0..<200).map { i in job(i, submit: Double(i * 10), gpus: [1, 2, 4][i % 3], duration: Double(60 + (i * 37) % 400)) }
        return (topo, inSubmissionOrder(jobs))
    }

    private func simulation(_ topo: Topology, _ jobs: [JobSpec], shouldStop: (() -> Bool)?) -> Simulation {
        var options = SimulationOptions(checkInvariants: true)
        options.shouldStop = shouldStop
        return Simulation(topology: topo, jobs: jobs, policy: FIFOPolicy(), placement: FirstFitPlacement(), interconnect: nil,
                          costs: FreeTransitions(), failures: nil, sharing: GPUSharingModel(), options: options)
    }

    func testStopsAtAnEventBoundaryWhenAsked() throws {
        let (topo, jobs) = workload()
        let full = try simulate(jobs: jobs, topology: topo)
        XCTAssertGreaterThan(full.eventsProcessed, 200)
        final class Counter { var calls = 0 }
        let counter = Counter()
        // "Stop" from the 5th question on: questions come before events 0, 16, 32, 48 and 64.
        let sim = simulation(topo, jobs, shouldStop: { counter.calls += 1; return counter.calls >= 5 })
        XCTAssertThrowsError(try sim.run()) { error in
            guard case .interrupted(let time, let events)? = error as? SimulationError else {
                return XCTFail("expected .interrupted, got \(error)")
            }
            XCTAssertEqual(events, 64)
            XCTAssertEqual(events, sim.eventsProcessed, "no event after the stop")
            XCTAssertEqual(time, sim.now)
            XCTAssertGreaterThan(time, .zero)
            XCTAssertTrue("\(error)".hasPrefix("interrupted at t="), "\(error)")
        }
        XCTAssertEqual(counter.calls, 5)
    }

    func testAQuestionThatNeverStopsChangesNothing() throws {
        let (topo, jobs) = workload()
        let plain = try simulate(jobs: jobs, topology: topo)
        let asked = try simulation(topo, jobs, shouldStop: { false }).run()
        XCTAssertEqual(asked.jobs, plain.jobs)
        XCTAssertEqual(asked.allocations, plain.allocations)
        XCTAssertEqual(asked.summary, plain.summary)
        XCTAssertEqual(asked.eventsProcessed, plain.eventsProcessed)
    }
}
