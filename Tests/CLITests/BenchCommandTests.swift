import Foundation
import XCTest

/// `schedlab bench`'s options: rows left out, per-table write figures, the scale run, and bad values (exit 2).
/// Tiny job counts: this checks what the command prints, not its speed (the figures come from release builds).
final class BenchCommandTests: SchedLabProcessTestCase {
    func testWriteRowsReportRowsPerTableAndAllPathsAgreeOnCounts() throws {
        var counts: [String: [String]] = [:]
        for path in ["bulk", "reference", "streamed"] {
            let r = try schedlab("bench", "--jobs", "300", "--only", "fifo", "--skip", "network", "--write-path", path)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("fifo + sqlite"), r.stdout)
            XCTAssertFalse(r.stdout.contains("network  "), "a skipped row ran:\n\(r.stdout)")
            XCTAssertTrue(r.stdout.contains("writes of 'fifo + sqlite' (\(path) path):"), r.stdout)
            // "jobs  300  0.001  0.30M": the table name and its row count.
            counts[path] = r.stdout.split(separator: "\n")
                .filter { ["jobs ", "allocations ", "samples ", "summary "].contains(where: $0.hasPrefix) }
                .map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
            XCTAssertEqual(counts[path]?.first, "jobs 300", r.stdout)
        }
        XCTAssertEqual(counts["bulk"], counts["reference"])
        XCTAssertEqual(counts["streamed"], counts["reference"])
    }

    func testScaleRunReportsEveryPhase() throws {
        let r = try schedlab("bench", "--scale", "--jobs", "200")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("scale: 200 jobs on 16384 GPUs (2048 nodes, 64 racks"), r.stdout)
        for phase in ["generate", "set up (fabric, jobs)", "simulate", "write (SQLite)", "total", "writes:"] {
            XCTAssertTrue(r.stdout.contains(phase), "no \(phase) in:\n\(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains("0 unfinished"), r.stdout)
    }

    /// `--scenario`: the file as it is and each variant asked for, every round; events and preemptions as `run` gives
    /// them (the runs are the scenario's own), and the reference's ratio 1.0x.
    func testScenarioRowsTheFileAndItsVariants() throws {
        let scenario = try write("""
            name: bench-variants
            seed: 7
            cluster:
              racks: [{name: r0, nodes: [{template: dgx-a100, count: 2}]}]
            workload:
              synthetic:
                jobs: 40
                arrivals: {process: poisson, rate_per_hour: 60}
                gpus: {categorical: {values: [1, 2, 4], weights: [2, 1, 1]}}
                duration_s: {lognormal: {mu: 7, sigma: 1}}
                models: {resnet50: 1}
            policy: {name: fifo, placement: packed}
            variants:
              sjf: [policy.name=sjf]
              tiresias: [policy.name=tiresias]
              broken: [policy.name=nope]
            """, to: "bench-variants.yaml")
        let r = try schedlab("bench", "--scenario", scenario, "--variants", "tiresias", "--repeat", "2")
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let file = try XCTUnwrap(rows.first { $0.first == "(file)" }, r.stdout)
        let tiresias = try XCTUnwrap(rows.first { $0.first == "tiresias" }, r.stdout)
        XCTAssertFalse(rows.contains { $0.first == "sjf" }, "a variant not asked for ran:\n\(r.stdout)")
        XCTAssertEqual(file[1], "fifo")
        XCTAssertEqual(file.last, "1.0x")
        XCTAssertEqual(tiresias[1], "tiresias")
        // Both rounds ran both entries, in order (the progress lines).
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("round ") }.map { $0.split(separator: " ").prefix(3).joined(separator: " ") },
                       ["round 1/2 (file)", "round 1/2 tiresias", "round 2/2 (file)", "round 2/2 tiresias"])
        // Events, preemptions and unfinished jobs are those of `schedlab run` on the same variant.
        let run = try schedlab("run", scenario, "--variant", "tiresias", "--no-db", "--quiet")
        XCTAssertEqual(run.status, 0, run.stderr)
        let events = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.hasPrefix("simulated") })
        XCTAssertTrue(events.contains("\(tiresias[2]) events"), "bench: \(tiresias[2]) events; run: \(events)")
        let preemptions = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.hasPrefix("preemptions") })
        XCTAssertEqual(preemptions.split(separator: " ").last.map(String.init), String(tiresias[3]))
        XCTAssertEqual(tiresias[4], "0")

        // A file without a seed: every run gets --seed 1 (each would draw its own), and the runs agree.
        let unseeded = try write(try String(contentsOfFile: scenario, encoding: .utf8).replacingOccurrences(of: "seed: 7\n", with: ""),
                                 to: "bench-unseeded.yaml")
        let u = try schedlab("bench", "--scenario", unseeded, "--variants", "tiresias", "--repeat", "2")
        XCTAssertEqual(u.status, 0, u.stderr)
        XCTAssertTrue(u.stderr.contains("sets no seed; every run uses --seed 1"), u.stderr)
        let seeded = try schedlab("run", unseeded, "--variant", "tiresias", "--no-db", "--quiet", "--seed", "1")
        let seededEvents = try XCTUnwrap(seeded.stdout.split(separator: "\n").first { $0.hasPrefix("simulated") })
        let benchRow = try XCTUnwrap(u.stdout.split(separator: "\n").first { $0.hasPrefix("tiresias ") })
        let benchEvents = benchRow.split(separator: " ", omittingEmptySubsequences: true)[2]
        XCTAssertTrue(seededEvents.contains("\(benchEvents) events"), "bench: \(benchEvents) events; run --seed 1: \(seededEvents)")

        // Several variants.
        let some = try schedlab("bench", "--scenario", scenario, "--variants", "sjf,tiresias")
        XCTAssertEqual(some.status, 0, some.stderr)
        for name in ["(file)", "sjf", "tiresias"] {
            XCTAssertTrue(some.stdout.split(separator: "\n").contains { $0.hasPrefix(name + " ") }, "no \(name) row in:\n\(some.stdout)")
        }

        // An unknown variant: exit 2, naming the file's variants, nothing timed.
        let bad = try schedlab("bench", "--scenario", scenario, "--variants", "gavel")
        XCTAssertEqual(bad.status, 2, bad.stdout)
        XCTAssertTrue(bad.stderr.contains("no variant 'gavel'; expected one of: broken, sjf, tiresias"), bad.stderr)
        XCTAssertEqual(bad.stdout, "")

        // A variant whose run rejects its input: exit 2 with the run's own message, and no table.
        let broken = try schedlab("bench", "--scenario", scenario, "--variants", "broken")
        XCTAssertEqual(broken.status, 2, broken.stdout)
        XCTAssertTrue(broken.stderr.contains("--variant broken failed (exit status 2)"), broken.stderr)
        XCTAssertTrue(broken.stderr.contains("policy.name"), broken.stderr)
        XCTAssertEqual(broken.stdout, "")
    }

    func testBadOptionsExitTwo() throws {
        for (args, message) in [(["--skip", "disk"], "error: --skip: expected sqlite or network, got 'disk'\n"),
                                (["--repeat", "0"], "error: --repeat: expected a number of runs >= 1, got 0\n"),
                                (["--scale", "--jobs", "0"], "error: --jobs: expected a number of jobs >= 1, got 0\n"),
                                (["--variants", "gavel"], "error: --variants: applies only with --scenario\n"),
                                (["--scenario", "x.yaml", "--only", "fifo"],
                                 "error: --scenario: cannot be combined with --only (the scenario file sets its jobs and policies)\n"),
                                (["--scenario", "x.yaml", "--scale"],
                                 "error: --scenario: cannot be combined with --scale (the scenario file sets its jobs and policies)\n"),
                                (["--scenario", "x.yaml", "--variants", "a,,b"],
                                 "error: --variants: expected comma-separated variant names, got 'a,,b'\n")] {
            let r = try schedlab(["bench"] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stdout) \(r.stderr)")
            XCTAssertEqual(r.stderr, message)
            XCTAssertEqual(r.stdout, "", "\(args): nothing runs")
        }
    }
}
