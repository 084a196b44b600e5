import ClusterModel
import Engine
import Models
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// `SimulationOptions.output`: the chunks a run hands out while it runs are final rows, in order, that the final
/// `RunResult` holds unchanged, and handing them out changes nothing in the run.
final class RunOutputChunkTests: XCTestCase {
    private let topology = ClusterFixtures.dgxA100(nodes: 4, racks: 2)

    /// Zoo-model jobs of 1–32 GPUs (iteration statistics, resizes under elastic policies) with many simultaneous
    /// arrivals (several events per instant, so samples get replaced), some on one GPU type.
    private func jobs() -> [JobSpec] {
        (0..<160).map { i in
            JobSpec(id: JobID(i), name: "job\(i)", submitTime: .seconds(Double(i / 3) * 40),
                    gpuCount: [1, 2, 4, 8, 16, 32][(i * 7) % 6], model: i % 5 == 4 ? nil : i % ModelZoo.all.count,
                    work: i % 5 == 4 ? .duration(.seconds(300 + Double((i * 53) % 900))) : .iterations(Double(200 + (i * 131) % 2000)),
                    user: "u\(i % 3)")
        }
    }

    private func run(_ policy: () -> any SchedulingPolicy, failures: FailureModel?, interval: Int?)
        throws -> (RunResult, [RunOutputChunk]) {
        var options = SimulationOptions(checkInvariants: true)
        var chunks: [RunOutputChunk] = []
        if let interval {
            options.output = { chunks.append($0) }
            options.outputInterval = interval
        }
        let sim = Simulation(topology: topology, jobs: jobs(), policy: policy(), placement: FirstFitPlacement(),
                             failures: failures, options: options)
        return (try sim.run(), chunks)
    }

    func testChunksAreFinalRowsInResultOrder() throws {
        let failures = FailureModel(
            node: FailureProcess(timeBetweenFailuresHours: .constant(0.7), repairHours: .constant(0.1)),
            seed: 3, checkpointIntervalSeconds: 120)
        let policies = everyCatalogPolicy.filter { ["fifo", "tiresias", "srtf"].contains($0.name) }
        XCTAssertEqual(policies.count, 3)
        for (name, make) in policies {
            for failureModel in [nil, failures] {
                let (plain, none) = try run(make, failures: failureModel, interval: nil)
                XCTAssertTrue(none.isEmpty)
                for interval in [1, 7] {
                    let (result, chunks) = try run(make, failures: failureModel, interval: interval)
                    let label = "\(name), failures \(failureModel != nil), every \(interval) events"
                    // Handing rows out changes nothing in the run.
                    XCTAssertEqual(result.jobs, plain.jobs, label)
                    XCTAssertEqual(result.allocations, plain.allocations, label)
                    XCTAssertEqual(result.samples, plain.samples, label)
                    XCTAssertEqual(result.summary.map(\.name), plain.summary.map(\.name), label)
                    XCTAssertEqual(result.eventsProcessed, plain.eventsProcessed, label)
                    // The chunks, joined, are a prefix of each array of the final result: nothing handed out changed.
                    let jobs = chunks.flatMap(\.jobs), allocations = chunks.flatMap(\.allocations)
                    let samples = chunks.flatMap(\.samples)
                    XCTAssertEqual(jobs, Array(result.jobs.prefix(jobs.count)), label)
                    XCTAssertEqual(allocations, Array(result.allocations.prefix(allocations.count)), label)
                    XCTAssertEqual(samples, Array(result.samples.prefix(samples.count)), label)
                    // Rows go out while the run goes on; jobs only once every job before them has finished, so under
                    // FIFO most of them, under shortest-first policies fewer (a long early job holds the rest back).
                    XCTAssertGreaterThan(jobs.count, name == "fifo" ? result.jobs.count / 2 : 0, label)
                    XCTAssertGreaterThan(samples.count, result.samples.count / 2, label)
                    XCTAssertTrue(jobs.allSatisfy { $0.finish != nil }, label)
                    XCTAssertLessThan(samples.count, result.samples.count, label)
                }
            }
        }
    }
}
