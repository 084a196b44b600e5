import ClusterModel
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

final class SyntheticWorkloadTests: XCTestCase {
    private let topo = ClusterFixtures.dgxA100(nodes: 2)

    private func recipe(models: [(index: Int, weight: Double)] = []) -> SyntheticWorkload {
        SyntheticWorkload(
            jobCount: 50, arrivals: .poisson(ratePerHour: 60), gpus: .uniform(low: 0.5, high: 8.5),
            durationSeconds: .exponential(mean: 600), models: models)
    }

    // Poisson rate converts per hour to per second; target load gives load·GPUs / (E[gpus]·E[duration]).
    func testRateFormulas() {
        var w = recipe()
        w.arrivals = .poisson(ratePerHour: 36)
        XCTAssertEqual(w.ratePerSecond(clusterGPUs: 16), 0.01, accuracy: 1e-15)
        w.arrivals = .targetLoad(0.8)
        w.gpus = .constant(2)
        w.durationSeconds = .exponential(mean: 100)
        // 0.8 · 16 / (2 · 100) = 0.064 jobs/s
        XCTAssertEqual(w.ratePerSecond(clusterGPUs: 16), 0.064, accuracy: 1e-15)
    }

    // The same seed gives identical jobs; another seed gives different ones.
    func testDeterministicPerSeed() throws {
        let a = try recipe().generate(streams: RandomStreams(master: 5), topology: topo)
        let b = try recipe().generate(streams: RandomStreams(master: 5), topology: topo)
        let c = try recipe().generate(streams: RandomStreams(master: 6), topology: topo)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.map(\.submitTime), c.map(\.submitTime))
        XCTAssertNotEqual(a.map(\.gpuCount), c.map(\.gpuCount))
    }

    // Jobs are numbered in order, submitted in non-decreasing time, sized ≥ 1, durations whole seconds ≥ 1.
    func testShapeOfGeneratedJobs() throws {
        let jobs = try recipe().generate(streams: RandomStreams(master: 11), topology: topo)
        XCTAssertEqual(jobs.count, 50)
        XCTAssertEqual(jobs.map(\.id), (0..<50).map(JobID.init))
        XCTAssertEqual(jobs.map(\.name), (0..<50).map { "job-\($0)" })
        XCTAssertEqual(jobs.map(\.submitTime), jobs.map(\.submitTime).sorted())
        for j in jobs {
            XCTAssertTrue((1...8).contains(j.gpuCount))
            XCTAssertNil(j.model)
            guard case .duration(let d) = j.work else { return XCTFail("expected a duration job") }
            XCTAssertGreaterThanOrEqual(d.nanoseconds, 1_000_000_000)
            XCTAssertEqual(d.nanoseconds % 1_000_000_000, 0)
        }
    }

    // The first arrival is the first exponential draw of stream "arrivals" with mean 1/rate = 60 s, and sizes
    // come from stream "gpus" (each aspect has its own stream).
    func testDrawsComeFromNamedStreams() throws {
        let jobs = try recipe().generate(streams: RandomStreams(master: 3), topology: topo)
        let arrivals = RandomStreams(master: 3).stream("arrivals")
        let t1 = arrivals.draw(.exponential(mean: 60))
        let t2 = t1 + arrivals.draw(.exponential(mean: 60))
        XCTAssertEqual(jobs[0].submitTime, .seconds(t1))
        XCTAssertEqual(jobs[1].submitTime, .seconds(t2))
        let gpus = RandomStreams(master: 3).stream("gpus")
        XCTAssertEqual(jobs[0].gpuCount, max(1, Int(gpus.draw(.uniform(low: 0.5, high: 8.5)).rounded())))
        // Changing the model mix leaves arrivals and sizes untouched.
        let withModels = try recipe(models: [(0, 1), (1, 1)]).generate(streams: RandomStreams(master: 3), topology: topo)
        XCTAssertEqual(withModels.map(\.submitTime), jobs.map(\.submitTime))
        XCTAssertEqual(withModels.map(\.gpuCount), jobs.map(\.gpuCount))
    }

    // With models, jobs carry iterations = round(duration / packed step time) of their drawn model.
    func testModelJobsGetIterations() throws {
        var w = recipe(models: [(0, 1)])
        w.gpus = .constant(8)
        w.durationSeconds = .constant(1000)
        let jobs = try w.generate(streams: RandomStreams(master: 1), topology: topo)
        // resnet50, 8 GPUs packed on one DGX A100: step 0.10443013848945971 s → 1000/step = 9575.78 → 9576.
        XCTAssertEqual(jobs[0].model, 0)
        XCTAssertEqual(jobs[0].work, .iterations(9576))
    }
}
