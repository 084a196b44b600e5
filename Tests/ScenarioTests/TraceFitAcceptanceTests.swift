import Foundation
import Scenario
import SimRandom
import Workload
import XCTest

/// A workload written by `trace fit` (the library calls `schedlab trace fit` makes) and included by a scenario
/// reproduces its source trace: on 10 seeds, the two-sample Kolmogorov–Smirnov distance between generated and
/// recorded durations, and between generated and recorded GPU counts, is at most 0.05, and the generated hourly
/// arrival profile correlates with the trace's at 0.9 or more (hour of the day, and hour of the fitted period).
///
/// CI runs it on subsets of ITP cluster07 and openb kept in Fixtures/ (about 6,000 jobs each, so that sampling
/// noise alone stays far below 0.05: the KS distance of two samples of 6,000 from one distribution exceeds 0.035
/// with probability about 1e-3); `testFullTraces` runs the whole ITP and openb traces of Scenarios/traces.
final class TraceFitAcceptanceTests: XCTestCase {
    private static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-fit-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// What one seed's generated workload scores against the source.
    struct Score {
        var seed: UInt64
        var jobs: Int
        var ksDuration: Double
        var ksGPUs: Double
        var dailyCorrelation: Double
        var periodCorrelation: Double
    }

    /// Fits `trace` (jobs submitted from `start` on), writes the workload next to a scenario that includes it, loads
    /// that scenario with seeds 1...10 and scores each generated workload against the trace.
    func scores(trace: String, start: Double? = nil, prefix: String? = nil, parametric: Bool = false) throws -> [Score] {
        let parsed = try TraceReader.parse(TraceReader.readText(path: trace), file: trace, skipBadRows: false)
        let source = TraceSelection(jobIDPrefix: prefix, windowStart: start).apply(to: parsed.jobs).jobs
        let fit = TraceFit(jobs: source, fitDurations: parametric)
        let workload = FittedWorkload(fit: fit, tracePath: trace, sourceName: (trace as NSString).lastPathComponent,
                                      windowStart: start, jobIDPrefix: prefix, parametric: parametric)
        try workload.yaml.write(to: dir.appendingPathComponent("fitted.yaml"), atomically: true, encoding: .utf8)
        // 9 DGX-A100 nodes: 72 GPUs, room for the largest ITP job (64 GPUs).
        let scenario = dir.appendingPathComponent("scenario.yaml")
        try """
            cluster: {racks: [{nodes: [{template: dgx-a100, count: 9}]}]}
            workload: {include: fitted.yaml}
            policy: {name: fifo}
            """.write(to: scenario, atomically: true, encoding: .utf8)
        let durations = source.map { $0.workDuration }.sorted()
        let gpus = source.map { Double($0.gpuCount) }.sorted()
        let times = source.map(\.submitTime.seconds)
        let daily = HourlyArrivalProfile(times: times, spanSeconds: fit.spanSeconds, periodHours: 24)
        let periodic = HourlyArrivalProfile(times: times, spanSeconds: fit.spanSeconds, periodHours: fit.profile.periodHours)
        return try (1...10).map { (seed: UInt64) in
            let jobs = try ScenarioLoader.load(path: scenario.path, seed: seed).jobs
            let t = jobs.map(\.submitTime.seconds)
            return Score(
                seed: seed, jobs: jobs.count,
                ksDuration: KolmogorovSmirnov.twoSampleSorted(durations, jobs.map { $0.workDuration }.sorted()),
                ksGPUs: KolmogorovSmirnov.twoSampleSorted(gpus, jobs.map { Double($0.gpuCount) }.sorted()),
                dailyCorrelation: daily.correlation(with: HourlyArrivalProfile(times: t, spanSeconds: fit.spanSeconds, periodHours: 24)) ?? 0,
                periodCorrelation: periodic.correlation(
                    with: HourlyArrivalProfile(times: t, spanSeconds: fit.spanSeconds, periodHours: fit.profile.periodHours)) ?? 0)
        }
    }

    /// Asserts the acceptance bounds and prints the table (the numbers the README reports).
    func check(_ name: String, _ scores: [Score], ks: Double = 0.05, correlation: Double = 0.9, file: StaticString = #filePath, line: UInt = #line) {
        print("\(name): seed jobs ks_duration ks_gpus corr_daily corr_period")
        for s in scores {
            print(String(format: "  %2llu %6d %.4f %.4f %.4f %.4f", s.seed, s.jobs, s.ksDuration, s.ksGPUs, s.dailyCorrelation, s.periodCorrelation))
            XCTAssertLessThanOrEqual(s.ksDuration, ks, "\(name) seed \(s.seed): duration KS", file: file, line: line)
            XCTAssertLessThanOrEqual(s.ksGPUs, ks, "\(name) seed \(s.seed): GPU-count KS", file: file, line: line)
            XCTAssertGreaterThanOrEqual(s.dailyCorrelation, correlation, "\(name) seed \(s.seed): hour-of-day profile", file: file, line: line)
            XCTAssertGreaterThanOrEqual(s.periodCorrelation, correlation, "\(name) seed \(s.seed): profile", file: file, line: line)
        }
    }

    func testITPSubsetFitMatchesItsSource() throws {
        check("itp-cluster07-3weeks", try scores(trace: Self.fixtures.appendingPathComponent("itp-cluster07-3weeks.csv").path))
    }

    func testOpenbSubsetFitMatchesItsSource() throws {
        // The window starts at the subset's first pod, so hour 0 of the profile is that pod's hour.
        check("openb-last-window", try scores(trace: Self.fixtures.appendingPathComponent("openb-last-window.csv").path, start: 9_924_220))
    }

    // The parametric fit keeps the GPU-count histogram exactly; a lognormal mixture follows ITP's durations far
    // more closely than any single family, but not to 0.05: the empirical sample is what meets the bound.
    func testParametricITPSubsetFit() throws {
        let s = try scores(trace: Self.fixtures.appendingPathComponent("itp-cluster07-3weeks.csv").path, parametric: true)
        check("itp-cluster07-3weeks parametric", s, ks: 0.1)
    }

    func testFullTraces() throws {
        let traces = Self.repoRoot.appendingPathComponent("Scenarios/traces")
        check("msft-itp-2021", try scores(trace: traces.appendingPathComponent("msft-itp-2021.csv").path))
        check("openb", try scores(trace: traces.appendingPathComponent("openb.csv").path))
    }
}

extension JobSpec {
    /// The recorded (or drawn) run time of a duration job, seconds.
    fileprivate var workDuration: Double {
        if case .duration(let d) = work { return d.seconds }
        return .nan
    }
}
