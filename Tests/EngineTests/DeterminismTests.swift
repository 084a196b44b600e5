import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

final class DeterminismTests: XCTestCase {
    /// 2 racks × 2 DGX A100; 150 jobs mixing duration jobs and resnet50/gpt iteration jobs, many arriving at
    /// the same instants (ties) — from a fixed seed.
    private func workload() -> (Topology, [JobSpec]) {
        let topo = ClusterFixtures.dgxA100(nodes: 4, racks: 2)
        var rng = SeededGenerator(seed: 2024)
        var jobs: [JobSpec] = []
        for i in 0..<150 {
            let submit = Double(rng.int(0...60) * 5)
            let gpus = [1, 2, 4, 8, 16][rng.int(0...4)]
            if rng.int(0...2) == 0 {
                jobs.append(JobSpec(id: JobID(i), name: "m\(i)", submitTime: .seconds(submit), gpuCount: gpus,
                                    model: rng.int(0...1) == 0 ? 0 : 5, work: .iterations(Double(rng.int(100...3000)))))
            } else {
                jobs.append(job(i, submit: submit, gpus: gpus, duration: Double(rng.int(10...900))))
            }
        }
        return (topo, inSubmissionOrder(jobs))
    }

    // Running the same inputs twice gives identical jobs, allocations, samples, summary and event count,
    // for every policy × placement of the catalogs.
    func testSameInputsSameResult() throws {
        let (topo, jobs) = workload()
        for (_, make) in everyCatalogPolicy {
            for placement in everyPlacement {
                let a = try simulate(jobs: jobs, topology: topo, policy: make(), placement: placement)
                let b = try simulate(jobs: jobs, topology: topo, policy: make(), placement: placement)
                let label = "\(make().name)/\(placement.name)"
                XCTAssertEqual(a.jobs, b.jobs, label)
                XCTAssertEqual(a.allocations, b.allocations, label)
                XCTAssertEqual(a.samples, b.samples, label)
                XCTAssertEqual(a.summary, b.summary, label)
                XCTAssertEqual(a.eventsProcessed, b.eventsProcessed, label)
                XCTAssertEqual(a.simulatedEnd, b.simulatedEnd, label)
                XCTAssertEqual(a.unfinishedJobs, [], label)
            }
        }
    }

    // Placement changes iteration jobs' run time (spread over nodes is slower), so first-fit and packed
    // produce different outcomes on this workload: the comparison above is not vacuous.
    func testPlacementMatters() throws {
        let (topo, jobs) = workload()
        let ff = try simulate(jobs: jobs, topology: topo, policy: FIFOPolicy(), placement: FirstFitPlacement())
        let packed = try simulate(jobs: jobs, topology: topo, policy: FIFOPolicy(), placement: PackedPlacement())
        XCTAssertNotEqual(ff.allocations, packed.allocations)
    }
}
