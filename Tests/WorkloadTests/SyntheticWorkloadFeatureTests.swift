import ClusterModel
import Foundation
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// The generator's newer parts: the empirical sample, identical batches, users, tenants, spans and its limits.
final class SyntheticWorkloadFeatureTests: XCTestCase {
    private let topo = ClusterFixtures.dgxA100(nodes: 2)

    /// Trace-like rows where GPU count and duration are strongly tied: 1-GPU jobs run 100 s or 200 s, 8-GPU jobs
    /// 10,000 s, each with its own user.
    private var traceJobs: [JobSpec] {
        (0..<30).map { i in
            let big = i % 3 == 0
            return JobSpec(id: JobID(i), name: "t\(i)", submitTime: .seconds(Int64(i)), gpuCount: big ? 8 : 1, model: nil,
                           work: .duration(.seconds(Int64(big ? 10_000 : (i % 2 == 0 ? 100 : 200)))), user: big ? "big" : "small")
        }
    }

    private func sampled(smoothing: Double = 0) throws -> SyntheticWorkload {
        var w = SyntheticWorkload(jobCount: 2000, arrivals: .poisson(ratePerHour: 100), gpus: .constant(1),
                                  durationSeconds: .constant(1), models: [])
        w.sample = try XCTUnwrap(EmpiricalJobSample(jobs: traceJobs, durationSmoothing: smoothing))
        return w
    }

    // Every generated job is one of the trace's rows, GPU count, duration and user together, and the rows come up
    // in their proportions (a third are 8-GPU jobs).
    func testSampleKeepsRowsJointly() throws {
        let jobs = try sampled().generate(streams: RandomStreams(master: 4), topology: topo)
        XCTAssertEqual(jobs.count, 2000)
        for j in jobs {
            guard case .duration(let d) = j.work else { return XCTFail("duration job expected") }
            if j.gpuCount == 8 {
                XCTAssertEqual(d, .seconds(Int64(10_000)))
                XCTAssertEqual(j.user, "big")
            } else {
                XCTAssertEqual(j.gpuCount, 1)
                XCTAssertTrue(d == .seconds(Int64(100)) || d == .seconds(Int64(200)))
                XCTAssertEqual(j.user, "small")
            }
        }
        let big = Double(jobs.filter { $0.gpuCount == 8 }.count) / 2000
        XCTAssertEqual(big, 1.0 / 3, accuracy: 4 * (2.0 / 9 / 2000).squareRoot())
        // E[GPUs × duration] over the rows: (8·10000 + 2·(100 + 200)/2) / 3 = 26,766.67 s.
        XCTAssertEqual(try sampled().meanGPUSeconds, (80_000 + 150 + 150) / 3.0, accuracy: 1e-9)
    }

    // Smoothing multiplies each duration by exp(h·Z): the log ratios to the nearest row duration have standard
    // deviation h, and the mean grows by exp(h²/2).
    func testSmoothedDurations() throws {
        let h = 0.05
        let jobs = try sampled(smoothing: h).generate(streams: RandomStreams(master: 4), topology: topo)
        var logs: [Double] = []
        for j in jobs {
            guard case .duration(let d) = j.work else { continue }
            let base = j.gpuCount == 8 ? 10_000.0 : (d.seconds < 141 ? 100.0 : 200.0)
            logs.append(log(d.seconds / base))
        }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let sd = (logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(logs.count - 1)).squareRoot()
        XCTAssertEqual(sd, h, accuracy: 0.006)  // durations are whole seconds, which adds a little spread at 100 s
        XCTAssertEqual(mean, 0, accuracy: 0.005)
        XCTAssertEqual(try sampled(smoothing: h).meanGPUSeconds, (80_300 / 3.0) * exp(h * h / 2), accuracy: 1e-6)
        // Silverman's rule on a normal sample of log durations: 0.9·σ·n^(-1/5) with σ = 1 (IQR/1.34 ≈ σ).
        let s = RandomStream(name: "n", seed: 1)
        let durations = (0..<10_000).map { _ in exp(s.gaussian(sigma: 1)) }
        XCTAssertEqual(EmpiricalJobSample.silvermanBandwidth(durations: durations), 0.9 * pow(10_000, -0.2), accuracy: 0.01)
    }

    // Jobs of an identical batch copy the first job's size, duration and user; other batches draw their own.
    func testIdenticalBatches() throws {
        var w = SyntheticWorkload(
            jobCount: 300, arrivals: ArrivalSpec(process: .batch(BatchArrivalSpec(size: .constant(5), identical: true)), rate: .perHour(60)),
            gpus: .uniform(low: 0.5, high: 8.5), durationSeconds: .exponential(mean: 900), models: [])
        w.users = [("ann", 1), ("bob", 1), ("cat", 1)]
        let jobs = try w.generate(streams: RandomStreams(master: 12), topology: topo)
        XCTAssertEqual(jobs.map(\.id), (0..<300).map(JobID.init))
        for b in stride(from: 0, to: 300, by: 5) {
            let batch = jobs[b..<(b + 5)]
            XCTAssertEqual(Set(batch.map(\.submitTime)).count, 1)
            XCTAssertEqual(Set(batch.map(\.gpuCount)).count, 1)
            XCTAssertEqual(Set(batch.map(\.work.description)).count, 1)
            XCTAssertEqual(Set(batch.map { $0.user ?? "" }).count, 1)
        }
        XCTAssertGreaterThan(Set(jobs.map(\.work.description)).count, 50, "batches differ from each other")
    }

    // Users are drawn by weight from stream "users", leaving every other stream (and so the jobs) unchanged.
    func testUsersByWeight() throws {
        var w = SyntheticWorkload(jobCount: 4000, arrivals: .poisson(ratePerHour: 60), gpus: .constant(2),
                                  durationSeconds: .exponential(mean: 600), models: [(0, 1)])
        let plain = try w.generate(streams: RandomStreams(master: 3), topology: topo)
        w.users = [("alice", 3), ("bob", 1), ("nobody", 0)]
        let withUsers = try w.generate(streams: RandomStreams(master: 3), topology: topo)
        XCTAssertEqual(plain.map(\.submitTime), withUsers.map(\.submitTime))
        XCTAssertEqual(plain.map(\.work), withUsers.map(\.work))
        XCTAssertNil(plain[0].user)
        let alice = Double(withUsers.filter { $0.user == "alice" }.count) / 4000
        XCTAssertEqual(alice, 0.75, accuracy: 4 * (0.75 * 0.25 / 4000).squareRoot())
        XCTAssertFalse(withUsers.contains { $0.user == "nobody" })
    }

    func testTenantTermsFollowTheUser() {
        let table = TenantTable([("zed", TenantTerms(weight: 0.5)), ("amy", TenantTerms(weight: 2, quotaGPUs: 16))])
        XCTAssertEqual(table.entries.map(\.name), ["amy", "zed"])
        let jobs = table.apply(to: traceJobs + [JobSpec(id: JobID(30), name: "x", submitTime: .zero, gpuCount: 1, model: nil,
                                                        work: .duration(.seconds(Int64(1))), user: "amy")])
        XCTAssertEqual(jobs.last?.tenant, TenantTerms(weight: 2, quotaGPUs: 16))
        XCTAssertNil(jobs[0].tenant, "users the table does not name have no terms")
        XCTAssertEqual(table.terms(of: "zed")?.weight, 0.5)
        XCTAssertNil(table.terms(of: nil))
    }

    // With a span and no job count, arrivals stop at the span; with both, whichever comes first.
    func testSpan() throws {
        var w = SyntheticWorkload(jobCount: nil, arrivals: .poisson(ratePerHour: 3600), gpus: .constant(1),
                                  durationSeconds: .constant(60), models: [])
        w.spanSeconds = 1000
        let jobs = try w.generate(streams: RandomStreams(master: 8), topology: topo)
        XCTAssertEqual(Double(jobs.count), 1000, accuracy: 4 * 1000.0.squareRoot())
        XCTAssertLessThan(jobs.last!.submitTime, .seconds(Int64(1000)))
        w.jobCount = 10
        XCTAssertEqual(try w.generate(streams: RandomStreams(master: 8), topology: topo).count, 10)
        XCTAssertEqual(w.expectedExtent(ratePerSecond: 1).jobs, 10)
        w.jobCount = nil
        XCTAssertEqual(w.expectedExtent(ratePerSecond: 1).jobs, 1000)
    }

    // An arrival past the clock's limit is an error, not a trap; absurd draws are clamped rather than trapping.
    func testLimits() throws {
        let far = SyntheticWorkload(jobCount: 1, arrivals: .poisson(ratePerHour: 1e-12), gpus: .constant(1),
                                    durationSeconds: .constant(60), models: [])
        XCTAssertThrowsError(try far.generate(streams: RandomStreams(master: 1), topology: topo)) { e in
            guard case .arrivalBeyondClock = e as? SyntheticWorkloadError else { return XCTFail("\(e)") }
        }
        let huge = SyntheticWorkload(jobCount: 5, arrivals: .poisson(ratePerHour: 60), gpus: .lognormal(mu: 900, sigma: 1),
                                     durationSeconds: .lognormal(mu: 900, sigma: 1), models: [])
        let jobs = try huge.generate(streams: RandomStreams(master: 1), topology: topo)
        XCTAssertEqual(jobs[0].gpuCount, 1_000_000_000)
        XCTAssertEqual(jobs[0].work, .duration(.seconds(SyntheticWorkload.maxDurationSeconds)))
    }
}

extension JobWork {
    /// A stable text for comparing works in sets.
    fileprivate var description: String {
        switch self {
        case .duration(let d): return "d\(d.nanoseconds)"
        case .iterations(let k): return "i\(k)"
        }
    }
}
