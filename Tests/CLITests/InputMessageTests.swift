import Foundation
import XCTest

/// The issue's message examples: whatever the input holds, a bad input is reported on exactly one located line with
/// exit status 2; a scenario path that is not a regular file is named for what it is (and a FIFO never blocks).
final class InputMessageTests: SchedLabProcessTestCase {
    /// Asserts exit status 2, nothing on stdout, and exactly one line on stderr: `error: ` + `prefix`...
    func assertOneLineError(_ r: Output, startsWith prefix: String, contains parts: [String] = [],
                            file: StaticString = #filePath, line: UInt = #line) {
        assertOneLineError(status: r.status, stdout: r.stdout, stderr: r.stderr, startsWith: prefix, contains: parts, file: file, line: line)
    }

    func assertOneLineError(status: Int32, stdout: String, stderr: String, startsWith prefix: String, contains parts: [String] = [],
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, 2, stderr, file: file, line: line)
        XCTAssertEqual(stdout, "", file: file, line: line)
        XCTAssertEqual(stderr.split(separator: "\n", omittingEmptySubsequences: false).count, 2,
                       "exactly one line:\n\(stderr)", file: file, line: line)
        XCTAssertTrue(stderr.hasPrefix("error: " + prefix), stderr, file: file, line: line)
        for p in parts { XCTAssertTrue(stderr.contains(p), "should contain \(p): \(stderr)", file: file, line: line) }
    }

    func testControlCharacterInYAMLIsOneLocatedLine() throws {
        try write(CLITests.tiny.replacingOccurrences(of: "name: tiny", with: "name: ti\u{1}ny"), to: "ctrl.yaml")
        for args in [["check", "ctrl.yaml"], ["run", "ctrl.yaml", "--no-db"]] {
            let r = try schedlab(args)
            assertOneLineError(r, startsWith: "ctrl.yaml:1: malformed YAML: ", contains: ["control characters", "U+0001"])
        }
    }

    func testValueWithANewlineIsEchoedOnOneLine() throws {
        try write(CLITests.tiny.replacingOccurrences(of: "placement: packed", with: #"placement: "pa\ncked""#), to: "nl.yaml")
        let r = try schedlab("check", "nl.yaml")
        assertOneLineError(r, startsWith: "nl.yaml:", contains: ["policy.placement", #"'pa\ncked'"#])
    }

    /// Line endings of a lone CR (classic Mac OS) are line endings: the trace reads as if it had LFs.
    func testCROnlyTraceIsAccepted() throws {
        try write("job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status\rj1,0,2,600,,,,\rj2,10,4,300,,,,\r", to: "cr.csv")
        try write("""
            name: cr
            seed: 1
            cluster:
              racks:
                - name: rack0
                  nodes:
                    - template: dgx-a100
                      count: 1
            workload:
              trace:
                file: cr.csv
            policy:
              name: fifo
              placement: packed

            """, to: "cr.yaml")
        let check = try schedlab("check", "cr.yaml")
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("2 jobs (6 GPUs requested in total)"), check.stdout)
        let stats = try schedlab("trace", "stats", "cr.csv")
        XCTAssertEqual(stats.status, 0, stats.stderr)
        XCTAssertNotNil(stats.stdout.range(of: #"jobs\s+2\n"#, options: .regularExpression), stats.stdout)
        let run = try schedlab("run", "cr.yaml", "--no-db", "--quiet")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertNotNil(run.stdout.range(of: #"jobs_completed\s+2\n"#, options: .regularExpression), run.stdout)
        // A bad row is located by its CR-delimited line.
        try write("job_id,submit_time_s,num_gpus,duration_s\rj1,0,2,600\rj2,10,x,300\r", to: "bad.csv")
        assertOneLineError(try schedlab("trace", "stats", "bad.csv"), startsWith: "bad.csv:3: num_gpus: ")
    }

    func testDirectoryAsScenario() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        for args in [["check", "adir"], ["run", "adir", "--no-db"]] {
            assertOneLineError(try schedlab(args), startsWith: "adir: is a directory, expected a YAML scenario file")
        }
    }

    /// A FIFO with no writer would block a reader forever; it is refused from its type, without opening it.
    func testFIFOAsScenarioNeverBlocks() throws {
        let fifo = dir.appendingPathComponent("pipe.yaml").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let binary = try XCTUnwrap(Self.binary)
        let errURL = dir.appendingPathComponent(".fifo-err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = binary
        p.arguments = ["check", "pipe.yaml"]
        p.currentDirectoryURL = dir
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            XCTFail("schedlab check blocked on a FIFO")
        }
        p.waitUntilExit()
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        assertOneLineError(status: p.terminationStatus, stdout: "", stderr: stderr,
                           startsWith: "pipe.yaml: is a FIFO (named pipe), not a regular file; expected a YAML scenario file")
    }

    func testMissingScenarioFile() throws {
        assertOneLineError(try schedlab("check", "nothere.yaml"), startsWith: "nothere.yaml: cannot read the scenario file (no such file)")
    }
}
