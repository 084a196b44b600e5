import Foundation
import XCTest

/// End-to-end: `schedlab trace fit` writes a workload a scenario includes (`check` and `run` accept it), with the
/// trace path relative to the written file; bad options exit 2; synthetic users reach the `users` view.
final class TraceFitCommandTests: SchedLabProcessTestCase {
    /// 48 jobs over two days, users and models on some, 1-8 GPUs.
    private var trace: String {
        var lines = ["job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status"]
        for i in 0..<48 {
            let gpus = [1, 1, 2, 4, 8][i % 5]
            lines.append("j\(i),\(i * 3600 + (i % 7) * 97),\(gpus),\(600 + i * i * 37),,\(i % 4 == 0 ? "resnet50" : ""),\(["ann", "bob", "cy"][i % 3]),")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func scenario(including file: String, extra: String = "") -> String {
        """
        name: fitted
        seed: 3
        cluster: {racks: [{nodes: [{template: dgx-a100, count: 2}]}]}
        workload: {include: \(file)\(extra)}
        policy: {name: fifo}

        """
    }

    func testFitWritesAnIncludableWorkload() throws {
        try write(trace, to: "traces/t.csv")
        let r = try schedlab("trace", "fit", "traces/t.csv", "-o", "fits/t.yaml", "--period", "day")
        XCTAssertNotEqual(r.status, 0, "the output directory does not exist yet")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("fits"), withIntermediateDirectories: true)
        let ok = try schedlab("trace", "fit", "traces/t.csv", "-o", "fits/t.yaml", "--period", "day")
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "")
        XCTAssertTrue(ok.stderr.hasPrefix("fitted 48 jobs over 1.96 days (1.018 jobs/h, 24-hour profile) to fits/t.yaml\n"), ok.stderr)
        XCTAssertTrue(ok.stderr.contains("duration fit lognormal   KS "), ok.stderr)
        let yaml = try String(contentsOf: dir.appendingPathComponent("fits/t.yaml"), encoding: .utf8)
        XCTAssertTrue(yaml.contains("    trace: \"../traces/t.csv\"\n"), yaml)
        XCTAssertTrue(yaml.contains("    process: diurnal\n    rate_per_hour: 1.01835\n"), yaml)
        XCTAssertTrue(yaml.contains("    duration_smoothing: 0   # Silverman's bandwidth for these durations: "), yaml)
        let s = try write(scenario(including: "fits/t.yaml", extra: ", synthetic: {arrivals: {scale: 2}}"), to: "s.yaml")
        let check = try schedlab("check", s)
        XCTAssertEqual(check.status, 0, check.stderr)
        // Twice the rate over the same span: about 96 jobs (Poisson, sd about 10).
        let jobs = check.stdout.components(separatedBy: " rack(s); ").last?.split(separator: " ").first.flatMap { Int($0) }
        XCTAssertTrue((66...126).contains(jobs ?? 0), check.stdout)
        // Users of the sampled rows reach the users view, each with its own jobs.
        let db = dir.appendingPathComponent("r.sqlite").path
        let run = try schedlab("run", s, "--db", db, "--quiet")
        XCTAssertEqual(run.status, 0, run.stderr)
        let users = try query(db, "SELECT user, jobs FROM users WHERE run = 1 ORDER BY user")
        XCTAssertEqual(users.map { $0[0] }, ["ann", "bob", "cy"])
        XCTAssertEqual(try query(db, "SELECT (SELECT sum(jobs) FROM users WHERE run = 1) = (SELECT count(*) FROM jobs WHERE run = 1)"), [["1"]])
    }

    // --parametric writes the GPU histogram, the best duration family, and the model and user mixes.
    func testParametricFit() throws {
        let t = try write(trace, to: "t.csv")
        let r = try schedlab("trace", "fit", t, "--parametric")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("  gpus: {categorical: {values: [1, 2, 4, 8], weights: [20, 10, 9, 9]}}\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  models: {resnet50: 12}\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  users: {\"ann\": 16, \"bob\": 16, \"cy\": 16}\n"), r.stdout)
        XCTAssertFalse(r.stdout.contains("sample:"), r.stdout)
        try write(r.stdout, to: "p.yaml")
        let check = try schedlab("check", try write(scenario(including: "p.yaml"), to: "s.yaml"))
        XCTAssertEqual(check.status, 0, check.stderr)
    }

    func testBadInputExitsTwo() throws {
        let t = try write(trace, to: "t.csv")
        for args in [["--smoothing", "wide"], ["--smoothing", "-1"], ["--start-s", "nan"], ["--end-s", "1e300"], ["--period", "month"]] {
            let r = try schedlab(["trace", "fit", t] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains("rror"), "\(args): \(r.stderr)")
        }
        let one = try write("job_id,submit_time_s,num_gpus,duration_s\na,0,1,60\n", to: "one.csv")
        let r = try schedlab("trace", "fit", one)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "error: \(one): expected at least 2 jobs to fit (in the window and filter), got 1\n")
        let bad = try write("job_id,submit_time_s,num_gpus,duration_s\na,0,1,60\nb,5,1,1e300\n", to: "bad.csv")
        let b = try schedlab("trace", "fit", bad)
        XCTAssertEqual(b.status, 2)
        XCTAssertEqual(b.stderr, "error: \(bad):3: duration_s: expected seconds in (0, 1e9], got '1e300'\n")
    }

    // `check` rejects what `run` would: a bad field inside the included file is reported there.
    func testCheckReportsIncludedFileErrors() throws {
        let w = try write("synthetic: {jobs: 10, arrivals: {process: batch, rate_per_hour: 5, size: 0}, gpus: 1, duration_s: 60}\n", to: "w.yaml")
        let s = try write(scenario(including: "w.yaml"), to: "s.yaml")
        for command in ["check", "run"] {
            let r = try schedlab(command == "run" ? [command, s, "--no-db"] : [command, s])
            XCTAssertEqual(r.status, 2, "\(command): \(r.stderr)")
            XCTAssertEqual(r.stderr, "error: \(w):1: workload.synthetic.arrivals.size: expected a whole number of jobs in 1...1000000, got 0.0\n", command)
        }
    }
}
