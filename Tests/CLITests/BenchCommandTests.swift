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

    func testBadOptionsExitTwo() throws {
        for (args, message) in [(["--skip", "disk"], "error: --skip: expected sqlite or network, got 'disk'\n"),
                                (["--repeat", "0"], "error: --repeat: expected a number of runs >= 1, got 0\n"),
                                (["--scale", "--jobs", "0"], "error: --jobs: expected a number of jobs >= 1, got 0\n")] {
            let r = try schedlab(["bench"] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stdout) \(r.stderr)")
            XCTAssertEqual(r.stderr, message)
            XCTAssertEqual(r.stdout, "", "\(args): nothing runs")
        }
    }
}
