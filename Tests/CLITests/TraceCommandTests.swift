import Foundation
import XCTest

/// End-to-end tests of `schedlab trace import` and `schedlab trace stats`, run as a subprocess.
final class TraceCommandTests: XCTestCase {
    /// The repository root: this file is Tests/CLITests/TraceCommandTests.swift.
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `schedlab` executable, found as CLITests finds it: $SCHEDLAB_BIN, else next to the test
    /// bundle, else the newest `<repo>/.build*/{debug,<triple>/debug}/schedlab`.
    static let binary: URL? = {
        let fm = FileManager.default
        func executable(_ url: URL) -> URL? {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &isDir) && !isDir.boolValue && fm.isExecutableFile(atPath: url.path)
                ? url : nil
        }
        if let env = ProcessInfo.processInfo.environment["SCHEDLAB_BIN"], !env.isEmpty {
            return executable(URL(fileURLWithPath: env))
        }
        var bundles: [URL] = Bundle.allBundles.map(\.bundleURL) + [Bundle.main.bundleURL, Bundle.main.executableURL].compactMap { $0 }
        bundles.append(URL(fileURLWithPath: CommandLine.arguments[0]))
        for url in bundles {
            var u = url.standardizedFileURL
            while u.path != "/" && u.pathExtension != "xctest" { u = u.deletingLastPathComponent() }
            let dir = u.pathExtension == "xctest" ? u.deletingLastPathComponent() : url.standardizedFileURL.deletingLastPathComponent()
            if let found = executable(dir.appendingPathComponent("schedlab")) { return found }
        }
        var candidates: [URL] = []
        let roots = (try? fm.contentsOfDirectory(atPath: repoRoot.path))?.filter { $0.hasPrefix(".build") } ?? []
        for root in roots {
            let r = repoRoot.appendingPathComponent(root)
            candidates.append(r.appendingPathComponent("debug/schedlab"))
            for sub in (try? fm.contentsOfDirectory(atPath: r.path)) ?? [] {
                candidates.append(r.appendingPathComponent(sub).appendingPathComponent("debug/schedlab"))
            }
        }
        func mtime(_ u: URL) -> Date {
            (try? fm.attributesOfItem(atPath: u.path)[.modificationDate] as? Date) ?? .distantPast
        }
        return candidates.compactMap(executable).max { mtime($0) < mtime($1) }
    }()

    private struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A per-test temporary directory (also the subprocess's working directory), removed after the test.
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-trace-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// Runs `schedlab args...` in the test's directory; output goes through files so no pipe can fill up.
    private func schedlab(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> Output {
        guard let binary = Self.binary else {
            XCTFail("cannot find the schedlab executable (build it, or set SCHEDLAB_BIN)", file: file, line: line)
            throw XCTSkip("no schedlab binary")
        }
        let id = UUID().uuidString
        let outURL = dir.appendingPathComponent(".stdout-\(id)")
        let errURL = dir.appendingPathComponent(".stderr-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "80"
        env.removeValue(forKey: "LINES")
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        return Output(
            status: p.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Writes `text` to `name` in the test's directory and returns its path.
    private func write(_ text: String, to name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

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
        XCTAssertEqual(bad.stderr, "error: \(trace):3: num_gpus: expected an integer >= 1, got 'x'\n")
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
