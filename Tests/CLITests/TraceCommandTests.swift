import Foundation
import XCTest

/// End-to-end tests of `schedlab trace import` and `schedlab trace stats`, run as a subprocess.
final class TraceCommandTests: SchedLabProcessTestCase {
    private static let rawITP = """
        job_id,submission_time,duration,num_gpu
        b,1000,1200,8
        a,1000,700,2
        c,2500,600,1
        d,3000,900,0

        """

    // MARK: - stats

    func testStatsOfTheITPTrace() throws {
        let trace = Self.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/traces/msft-itp-2021/msft-itp-2021.csv").path
        guard FileManager.default.fileExists(atPath: trace) else { throw XCTSkip("\(trace) is not here") }
        let r = try schedlab("trace", "stats", trace)
        XCTAssertEqual(r.status, 0, "stderr: \(r.stderr)")
        XCTAssertTrue(r.stdout.contains("jobs          69351\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("GPU-hours     1632719.7\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("1: 57682 · 2: 1483 · 4: 2371 · 8: 7009 · 16: 381 · 32: 354 · 64: 71 (max 64)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("peak GPUs     2859 "), r.stdout)
        XCTAssertTrue(r.stdout.contains("p10 1342 · p25 3815 · p50 10537 · p75 16319 · p90 28787 · p99 210110\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("min 600 · mean 18722 · max 1573360 (18.2 days)\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("5173337 s = 59.9 days"), r.stdout)
    }

    func testStatsSkipsAndCountsBadRows() throws {
        let trace = try write("""
            job_id,submit_time_s,num_gpus,duration_s
            a,0,2,3600
            b,10,x,60
            c,20,1,-5
            """, to: "t.csv")
        let bad = try schedlab("trace", "stats", trace)
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr, "error: \(trace):3: num_gpus: expected GPUs in 1...1000000 (whole numbers), got 'x'\n")
        let r = try schedlab("trace", "stats", trace, "--skip-bad-rows")
        XCTAssertEqual(r.status, 0, "stderr: \(r.stderr)")
        XCTAssertTrue(r.stderr.hasPrefix("skipped 2 bad rows\n  \(trace):3: num_gpus: "), r.stderr)
        XCTAssertTrue(r.stdout.contains("jobs          1\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("GPU-hours     2.0\n"), r.stdout)
    }

    // MARK: - import

    func testImportITPWritesTheCanonicalFile() throws {
        let raw = try write(Self.rawITP, to: "cluster42.csv")
        let out = dir.appendingPathComponent("out.csv").path
        let r = try schedlab("trace", "import", "--format", "itp", raw, "-o", out)
        XCTAssertEqual(r.status, 0, "stderr: \(r.stderr)")
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), """
            job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status,gpu_milli
            cluster42/a,0,2,700,,,,,
            cluster42/b,0,8,1200,,,,,
            cluster42/c,1500,1,600,,,,,

            """)
        XCTAssertEqual(r.stderr, "imported 3 of 4 records from \(raw) to \(out)\ndropped 1: num_gpu <= 0\n")
        // Without -o the CSV goes to stdout, and `trace stats` reads it back.
        let toStdout = try schedlab("trace", "import", "--format", "itp", raw)
        XCTAssertEqual(toStdout.stdout, try String(contentsOfFile: out, encoding: .utf8))
        let stats = try schedlab("trace", "stats", out)
        XCTAssertEqual(stats.status, 0, "stderr: \(stats.stderr)")
        XCTAssertTrue(stats.stdout.contains("jobs          3\n"), stats.stdout)
    }

    func testImportBadRowExitsTwoUnlessSkipped() throws {
        let raw = try write(Self.rawITP + "e,3100,600,two\n", to: "cluster43.csv")
        let out = dir.appendingPathComponent("out.csv").path
        let bad = try schedlab("trace", "import", "--format", "itp", raw, "-o", out)
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr, "error: \(raw):6: num_gpu: expected an integer, got 'two'\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written on bad input")
        let r = try schedlab("trace", "import", "--format", "itp", raw, "-o", out, "--skip-bad-rows")
        XCTAssertEqual(r.status, 0, "stderr: \(r.stderr)")
        XCTAssertEqual(r.stderr, """
            imported 3 of 5 records from \(raw) to \(out)
            dropped 1: num_gpu <= 0
            skipped 1 bad row
              \(raw):6: num_gpu: expected an integer, got 'two'

            """)
    }

    func testImportRejectsAnUnknownFormat() throws {
        let raw = try write(Self.rawITP, to: "cluster44.csv")
        let r = try schedlab("trace", "import", "--format", "sge", raw)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("itp"), r.stderr)
    }
}
