import Foundation
import Scenario
import Workload
import XCTest

/// The scenario side of the synthetic workload features: every arrival process, the trace sample, users and
/// tenants, and `workload.include` load from YAML; every new field rejects hostile values (huge, negative, NaN,
/// misplaced) with one located error naming the file, line and field path; and what `run` would reject,
/// loading (hence `schedlab check`) rejects.
final class SyntheticWorkloadScenarioTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-synth-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
            job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status
            a,0,1,600,,,ann,
            b,3600,2,1200,,,bob,
            c,7200,8,86400,,,ann,
            d,90000,4,300,,,cy,
            e,180000,1,60,,,bob,

            """.write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// A scenario on one DGX-A100 node (8 GPUs) whose `workload.synthetic` body is `body` (indented by the caller as
    /// the lines under `synthetic:`), plus optional top-level `extra` lines.
    private func scenario(_ body: String, extra: String = "") -> String {
        """
        name: synth
        seed: 5
        cluster:
          racks:
            - nodes:
                - template: dgx-a100
                  count: 1
        workload:
          synthetic:
        \(body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        policy:
          name: fifo
        \(extra)
        """
    }

    private static let attributes = """
        gpus: {categorical: {values: [1, 2, 4], weights: [3, 2, 1]}}
        duration_s: {lognormal: {mu: 7, sigma: 1}}
        """

    @discardableResult
    private func write(_ text: String, to name: String = "s.yaml") throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func load(_ text: String, seed: UInt64? = nil) throws -> Scenario {
        try ScenarioLoader.load(path: try write(text), seed: seed)
    }

    /// Loads `text`, expects an `InputError` at `field` (in `file`, default the scenario) whose message contains
    /// every phrase, and checks its line when given.
    private func assertRejected(
        _ text: String, field: String?, _ phrases: [String], file: String? = nil, line expectedLine: Int? = nil,
        sourceFile: StaticString = #filePath, sourceLine: UInt = #line
    ) throws {
        let path = try write(text)
        do {
            let s = try ScenarioLoader.load(path: path)
            XCTFail("loaded (\(s.jobs.count) jobs), expected an error at \(field ?? "-")", file: sourceFile, line: sourceLine)
        } catch {
            XCTAssertEqual(error.file, file ?? path, "\(error)", file: sourceFile, line: sourceLine)
            XCTAssertEqual(error.field, field, "\(error)", file: sourceFile, line: sourceLine)
            for p in phrases { XCTAssertTrue(error.message.contains(p), "'\(p)' not in: \(error)", file: sourceFile, line: sourceLine) }
            if let expectedLine { XCTAssertEqual(error.line, expectedLine, "\(error)", file: sourceFile, line: sourceLine) }
            XCTAssertNotNil(error.line, "every scenario error has a line: \(error)", file: sourceFile, line: sourceLine)
        }
    }

    // MARK: - Each process loads

    func testEveryProcessLoadsAndIsDeterministic() throws {
        let bodies = [
            "arrivals: {process: diurnal, rate_per_hour: 20, hourly: [\((0..<24).map { $0 < 8 ? "0.2" : "1.5" }.joined(separator: ", "))]}",
            "arrivals: {process: diurnal, load: 0.8, amplitude: 0.7, peak_hour: 100, period_h: 168}",
            "arrivals: {process: mmpp, rate_per_hour: 20, states: [{rate: 1, mean_sojourn_h: 3}, {rate: 10, mean_sojourn_h: 0.5}]}",
            "arrivals: {process: batch, rate_per_hour: 30, size: {geometric: {mean: 4}}, identical: true}",
            "arrivals: {process: replay, trace: t.csv, scale: 80.5}",
        ]
        for body in bodies {
            let text = scenario("jobs: 200\n" + body + "\n" + Self.attributes)
            let a = try load(text), b = try load(text)
            XCTAssertEqual(a.jobs.count, 200, body)
            XCTAssertEqual(a.jobs, b.jobs, body)
            // (The 5-arrival trace superposed 80 times repeats the same few instants whatever the seed.)
            if !body.contains("replay") { XCTAssertNotEqual(try load(text, seed: 6).jobs.map(\.submitTime), a.jobs.map(\.submitTime), body) }
        }
    }

    // A replay without a job count takes every kept arrival: 5 arrivals at scale 2 → 2 copies, all kept; at scale
    // 1.5, 2 copies each kept with probability 3/4, so the count varies with the seed.
    func testReplayWithoutJobCount() throws {
        let s = try load(scenario("arrivals: {process: replay, trace: t.csv, scale: 2}\n" + Self.attributes))
        XCTAssertEqual(s.jobs.count, 10)
        XCTAssertEqual(s.jobs.map(\.submitTime), s.jobs.map(\.submitTime).sorted())
        let text = scenario("arrivals: {process: replay, trace: t.csv, scale: 1.5}\n" + Self.attributes)
        let counts = try (1...8).map { try load(text, seed: UInt64($0)).jobs.count }
        XCTAssertTrue(counts.allSatisfy { $0 <= 10 })
        XCTAssertGreaterThan(Set(counts).count, 1, "\(counts)")
    }

    // A sample bootstraps the trace's rows (users included); users and tenants add names and terms.
    func testSampleUsersAndTenants() throws {
        let s = try load(scenario("span_h: 100\narrivals: {process: poisson, load: 0.5}\nsample: {trace: t.csv}",
                                  extra: "tenants: {ann: {weight: 2, quota_gpus: 8}, bob: {}}"))
        XCTAssertGreaterThan(s.jobs.count, 0)
        let rows: Set<String> = ["1/600/ann", "2/1200/bob", "8/86400/ann", "4/300/cy", "1/60/bob"]
        for j in s.jobs {
            guard case .duration(let d) = j.work else { return XCTFail() }
            XCTAssertTrue(rows.contains("\(j.gpuCount)/\(Int(d.seconds))/\(j.user ?? "")"), "\(j)")
            switch j.user {
            case "ann": XCTAssertEqual(j.tenant, TenantTerms(weight: 2, quotaGPUs: 8))
            case "bob": XCTAssertEqual(j.tenant, TenantTerms(weight: 1))
            default: XCTAssertNil(j.tenant)
            }
        }
        let u = try load(scenario("jobs: 50\narrivals: {rate_per_hour: 10}\n" + Self.attributes + "\nusers: {ann: 1, bob: 1}"))
        XCTAssertEqual(Set(u.jobs.compactMap(\.user)), ["ann", "bob"])
    }

    // `load` with a sample uses E[GPUs × duration] of the rows jointly: here (600 + 2400 + 691200 + 1200 + 60)/5 s.
    func testLoadWithSampleUsesJointGPUTime() throws {
        let s = try load(scenario("span_h: 10000\narrivals: {process: poisson, load: 1}\nsample: {trace: t.csv}"))
        let meanGPUSeconds = (600.0 + 2400 + 691_200 + 1200 + 60) / 5
        let expected = 8 / meanGPUSeconds * 10_000 * 3600
        XCTAssertEqual(Double(s.jobs.count), expected, accuracy: 5 * expected.squareRoot())
    }

    // MARK: - Include

    // The included workload is merged under the scenario's own fields; its trace path is relative to it, and its
    // bytes (and the sample trace's) are part of the scenario hash.
    func testIncludeMergesAndRelocatesPaths() throws {
        try write("""
            synthetic:
              jobs: 40
              arrivals: {process: diurnal, rate_per_hour: 10, amplitude: 0.5}
              sample: {trace: ../t.csv}

            """, to: "fits/w.yaml")
        let base = try load(scenario("{}").replacingOccurrences(of: "  synthetic:\n    {}", with: "  include: fits/w.yaml"))
        XCTAssertEqual(base.jobs.count, 40)
        let scaled = try load(scenario("arrivals: {scale: 2}").replacingOccurrences(of: "workload:\n", with: "workload:\n  include: fits/w.yaml\n"))
        XCTAssertEqual(scaled.jobs.count, 40)
        XCTAssertLessThan(scaled.jobs.last!.submitTime, base.jobs.last!.submitTime, "twice the rate, same job count")
        try write("synthetic: {jobs: 41, arrivals: {process: diurnal, rate_per_hour: 10, amplitude: 0.5}, sample: {trace: ../t.csv}}\n", to: "fits/w.yaml")
        let changed = try load(scenario("{}").replacingOccurrences(of: "  synthetic:\n    {}", with: "  include: fits/w.yaml"))
        XCTAssertNotEqual(changed.hash, base.hash)
        XCTAssertEqual(changed.text, base.text, "the recorded text is the scenario's own; the include is re-read by rerun")
    }

    func testIncludeErrorsNameTheIncludedFile() throws {
        let text = scenario("{}").replacingOccurrences(of: "  synthetic:\n    {}", with: "  include: w.yaml")
        let included = try write("synthetic:\n  jobs: 10\n  arrivals: {process: mmpp, rate_per_hour: 10, states: [{rate: 1, mean_sojourn_h: -1}, {rate: 2, mean_sojourn_h: 1}]}\n  gpus: 1\n  duration_s: 60\n", to: "w.yaml")
        try assertRejected(text, field: "workload.synthetic.arrivals.states[0].mean_sojourn_h", ["hours in 0.0001...100000", "-1"],
                           file: included, line: 3)
        try write("synthetic: {jobs: [oops\n", to: "w.yaml")
        try assertRejected(text, field: nil, ["malformed YAML"], file: included)
        try write("include: other.yaml\n", to: "w.yaml")
        try assertRejected(text, field: "include", ["do not nest"], file: included, line: 1)
        try FileManager.default.removeItem(atPath: included)
        try assertRejected(text, field: "workload.include", ["cannot read the included file"])
        // Hostile paths: a device would be read forever.
        try assertRejected(text.replacingOccurrences(of: "include: w.yaml", with: "include: /dev/zero"), field: "workload.include",
                           ["not a regular file"])
        try assertRejected(scenario("jobs: 5\narrivals: {rate_per_hour: 5}\nsample: {trace: /dev/zero}"), field: "workload.synthetic.sample.trace",
                           ["not a regular file"])
    }

    // MARK: - Hostile values

    func testArrivalFieldsAreRangeChecked() throws {
        let attrs = "\n" + Self.attributes
        let cases: [(String, String, [String])] = [
            ("arrivals: {process: weekly, rate_per_hour: 1}", "workload.synthetic.arrivals.process", ["unknown arrival process 'weekly'", "diurnal, mmpp, batch, replay"]),
            ("arrivals: {rate_per_hour: 1e300}", "workload.synthetic.arrivals.rate_per_hour", ["(0, 1e9]"]),
            ("arrivals: {rate_per_hour: .nan}", "workload.synthetic.arrivals.rate_per_hour", ["(0, 1e9]", "nan"]),
            ("arrivals: {load: 1e12}", "workload.synthetic.arrivals.load", ["(0, 1000000]"]),
            ("arrivals: {rate_per_hour: 5, scale: 0}", "workload.synthetic.arrivals.scale", ["factor on the mean rate in 1e-06...1000000"]),
            ("arrivals: {rate_per_hour: 5, scale: -2}", "workload.synthetic.arrivals.scale", ["-2"]),
            ("arrivals: {process: diurnal, rate_per_hour: 5, hourly: [1, 2, 3]}", "workload.synthetic.arrivals.hourly", ["24 (a day) or 168 (a week)", "got 3"]),
            ("arrivals: {process: diurnal, rate_per_hour: 5, hourly: [\(Array(repeating: "0", count: 24).joined(separator: ","))]}",
             "workload.synthetic.arrivals.hourly", ["a weight > 0"]),
            ("arrivals: {process: diurnal, rate_per_hour: 5, hourly: [.nan\(String(repeating: ",1", count: 23))]}",
             "workload.synthetic.arrivals.hourly", ["0...1e12", "nan"]),
            ("arrivals: {process: diurnal, rate_per_hour: 5, amplitude: 1.5}", "workload.synthetic.arrivals.amplitude", ["0...1", "1.5"]),
            ("arrivals: {process: diurnal, rate_per_hour: 5, amplitude: 0.5, peak_hour: 30}", "workload.synthetic.arrivals.peak_hour", ["0..<24"]),
            ("arrivals: {process: diurnal, rate_per_hour: 5, amplitude: 0.5, period_h: 12}", "workload.synthetic.arrivals.period_h", ["24 (a day) or 168"]),
            ("arrivals: {process: diurnal, rate_per_hour: 5}", "workload.synthetic.arrivals", ["exactly one of 'hourly'"]),
            ("arrivals: {process: poisson, rate_per_hour: 5, amplitude: 0.5}", "workload.synthetic.arrivals.amplitude", ["only for process 'diurnal', not 'poisson'"]),
            ("arrivals: {process: mmpp, rate_per_hour: 5, states: [{rate: 1, mean_sojourn_h: 1}]}", "workload.synthetic.arrivals.states", ["2 to 64 states"]),
            ("arrivals: {process: mmpp, rate_per_hour: 5, states: [{rate: 0, mean_sojourn_h: 1}, {rate: 0, mean_sojourn_h: 1}]}",
             "workload.synthetic.arrivals.states", ["rate > 0"]),
            ("arrivals: {process: mmpp, rate_per_hour: 5, states: [{rate: 1, mean_sojourn_h: 1e300}, {rate: 2, mean_sojourn_h: 1}]}",
             "workload.synthetic.arrivals.states[0].mean_sojourn_h", ["hours"]),
            ("arrivals: {process: mmpp, rate_per_hour: 5, states: [{rate: -1, mean_sojourn_h: 1}, {rate: 2, mean_sojourn_h: 1}]}",
             "workload.synthetic.arrivals.states[0].rate", ["relative rate in 0...1000000"]),
            ("arrivals: {process: mmpp, rate_per_hour: 5}", "workload.synthetic.arrivals", ["expected 'states'"]),
            ("arrivals: {process: batch, rate_per_hour: 5, size: 2.5}", "workload.synthetic.arrivals.size", ["whole number of jobs"]),
            ("arrivals: {process: batch, rate_per_hour: 5, size: 1e9}", "workload.synthetic.arrivals.size", ["1...1000000"]),
            ("arrivals: {process: batch, rate_per_hour: 5, size: {lognormal: {mu: 1, sigma: 1}}}", "workload.synthetic.arrivals.size",
             ["categorical or a geometric"]),
            ("arrivals: {process: batch, rate_per_hour: 5, size: {geometric: {mean: 0.5}}}", "workload.synthetic.arrivals.size.geometric", [">= 1"]),
            ("arrivals: {process: batch, rate_per_hour: 5}", "workload.synthetic.arrivals", ["expected 'size'"]),
            ("arrivals: {process: replay}", "workload.synthetic.arrivals", ["expected 'trace'"]),
            ("arrivals: {process: replay, trace: t.csv, rate_per_hour: 1, load: 1}", "workload.synthetic.arrivals", ["at most one"]),
            ("arrivals: {process: replay, trace: missing.csv}", "workload.synthetic.arrivals.trace", ["missing.csv", "cannot read"]),
            ("arrivals: {process: replay, trace: t.csv, window: {start_s: 500000}}", "workload.synthetic.arrivals.trace", ["no job"]),
            ("arrivals: {process: replay, trace: t.csv, window: {end_s: 1e300}}", "workload.synthetic.arrivals.window.end_s", ["(0, 6e9]"]),
            ("arrivals: {process: replay, trace: t.csv, rate_per_hour: 1e9}", "workload.synthetic.arrivals", ["about 50000000000 jobs", "at most 5000000"]),
        ]
        for (arrivals, field, phrases) in cases {
            try assertRejected(scenario("jobs: 20\n" + arrivals + attrs), field: field, phrases)
        }
    }

    func testCountsSpansAndRatesAreBounded() throws {
        let attrs = "\n" + Self.attributes
        try assertRejected(scenario("jobs: 1000000000000000000\narrivals: {rate_per_hour: 5}" + attrs),
                           field: "workload.synthetic.jobs", ["jobs in 1...1e7"])
        try assertRejected(scenario("jobs: -3\narrivals: {rate_per_hour: 5}" + attrs), field: "workload.synthetic.jobs", ["-3"])
        try assertRejected(scenario("jobs: 1e30\narrivals: {rate_per_hour: 5}" + attrs), field: "workload.synthetic.jobs", ["expected an integer"])
        try assertRejected(scenario("span_h: .inf\narrivals: {rate_per_hour: 5}" + attrs), field: "workload.synthetic.span_h", ["hours"])
        try assertRejected(scenario("arrivals: {rate_per_hour: 5}" + attrs), field: "workload.synthetic.jobs", ["missing required field"])
        // 20 jobs at one every 10^9 hours would span far beyond the clock: rejected before any draw, whatever the seed.
        try assertRejected(scenario("jobs: 20\narrivals: {rate_per_hour: 1e-9}" + attrs), field: "workload.synthetic.arrivals",
                           ["years", "at most 9.98"])
        try assertRejected(scenario("span_h: 80000\narrivals: {rate_per_hour: 1e6}" + attrs), field: "workload.synthetic.span_h",
                           ["about 80000000000 jobs"])
        // A load needs a finite mean: a Pareto with shape <= 1 has none.
        try assertRejected(scenario("jobs: 20\narrivals: {load: 0.5}\ngpus: 1\nduration_s: {pareto: {scale: 60, shape: 0.9}}"),
                           field: "workload.synthetic.duration_s", ["mean is at most 1e9 seconds", "inf"])
        // NaN in a categorical and a bad mixture component are located in the distribution.
        try assertRejected(scenario("jobs: 20\narrivals: {rate_per_hour: 5}\ngpus: {categorical: {values: [1, .nan]}}\nduration_s: 60"),
                           field: "workload.synthetic.gpus.categorical", ["finite"])
        try assertRejected(scenario("jobs: 20\narrivals: {rate_per_hour: 5}\ngpus: 1\nduration_s: {mixture: {weights: [1, 1], "
                                    + "components: [60, {weibull: {scale: 10, shape: -1}}]}}"),
                           field: "workload.synthetic.duration_s.mixture.components[1].weibull", ["shape must be a finite number > 0"])
        try assertRejected(scenario("jobs: 20\narrivals: {rate_per_hour: 5}\ngpus: {mixture: {components: [1, {uniform: {low: 1, high: 20}}]}}\nduration_s: 60"),
                           field: "workload.synthetic.gpus", ["jobs of 20 GPUs", "only 8"])
        try assertRejected(scenario("jobs: 20\narrivals: {rate_per_hour: 5}\ngpus: .nan\nduration_s: 60"), field: "workload.synthetic.gpus", ["finite"])
    }

    func testSampleUsersAndTenantsAreChecked() throws {
        let poisson = "jobs: 20\narrivals: {rate_per_hour: 5}\n"
        try assertRejected(scenario(poisson + "sample: {trace: t.csv}\ngpus: 1"), field: "workload.synthetic.gpus", ["not with 'sample'"])
        try assertRejected(scenario(poisson + "sample: {trace: t.csv, duration_smoothing: 7}"), field: "workload.synthetic.sample.duration_smoothing",
                           ["0...5"])
        try assertRejected(scenario(poisson + "sample: {trace: nope.csv}"), field: "workload.synthetic.sample.trace", ["nope.csv"])
        try assertRejected(scenario(poisson + "sample: {trace: t.csv, filter: {min_gpus: 16}}"), field: "workload.synthetic.sample.trace", ["no row"])
        try write("job_id,submit_time_s,num_gpus,duration_s\nx,0,64,100\n", to: "big.csv")
        try assertRejected(scenario(poisson + "sample: {trace: big.csv}"), field: "workload.synthetic.sample", ["jobs of 64 GPUs", "only 8"])
        try assertRejected(scenario(poisson + Self.attributes + "\nusers: {ann: .nan}"), field: "workload.synthetic.users.ann", ["0...1e12"])
        try assertRejected(scenario(poisson + Self.attributes + "\nusers: {ann: 0}"), field: "workload.synthetic.users", ["weight > 0"])
        let good = scenario(poisson + Self.attributes)
        try assertRejected(good + "tenants: {ann: {weight: 0}}\n", field: "tenants.ann.weight", ["a weight in 1e-06...1000000"])
        try assertRejected(good + "tenants: {ann: {quota_gpus: -1}}\n", field: "tenants.ann.quota_gpus", ["GPUs in 1...1e7"])
        try assertRejected(good + "tenants: {ann: {share: 2}}\n", field: "tenants.ann.share", ["unknown field 'share'"])
        try assertRejected(good + "tenants: {}\n", field: "tenants", ["at least one tenant"])
    }

    // Bounds added where the simulated clock would otherwise overflow (a trap, not an error, before).
    func testTraceWorkloadClockBounds() throws {
        let base = """
            cluster: {racks: [{nodes: [{template: dgx-a100, count: 1}]}]}
            policy: {name: fifo}
            workload:
              trace:
                file: t.csv

            """
        try assertRejected(base + "    window: {end_s: 1e300}\n", field: "workload.trace.window.end_s", ["(0, 6e9]"])
        try assertRejected(base + "    time_scale: 1e9\n", field: "workload.trace.time_scale", ["(0, 1000000]"])
        try write("job_id,submit_time_s,num_gpus,duration_s\nx,0,1,1e300\n", to: "t.csv")
        let path = try write(base)
        XCTAssertThrowsError(try ScenarioLoader.load(path: path)) { e in
            XCTAssertEqual((e as? InputError)?.field, "duration_s")
            XCTAssertEqual((e as? InputError)?.line, 2)
        }
    }
}
