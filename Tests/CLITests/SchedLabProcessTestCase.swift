import Foundation
import SimTestSupport
import XCTest

/// Base class of the end-to-end tests: finds the built `schedlab` binary, gives each test a temporary
/// working directory, and runs the binary there with its output captured.
class SchedLabProcessTestCase: XCTestCase {
    /// The repository root: this file is Tests/CLITests/SchedLabProcessTestCase.swift.
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `schedlab` executable (see `SchedLabBinary.url`).
    static var binary: URL? { SchedLabBinary.url }

    // MARK: - Running it

    typealias Output = SchedLabBinary.Output

    /// A per-test temporary directory (also the subprocess's working directory), removed after the test.
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-cli-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// Runs `schedlab args...` in the test's directory; output goes through files so no pipe can fill up.
    func schedlab(_ args: [String], environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Output {
        guard let binary = Self.binary else {
            XCTFail("cannot find the schedlab executable (build it, or set SCHEDLAB_BIN)", file: file, line: line)
            throw XCTSkip("no schedlab binary")
        }
        return try SchedLabBinary.run(binary, args, in: dir, environment: environment)
    }

    func schedlab(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> Output {
        try schedlab(args, file: file, line: line)
    }

    /// Writes `text` to `name` in the test's directory and returns its path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    // MARK: - SQLite, read through Python's sqlite3 module (or the sqlite3 CLI)

    /// Rows of `sql` on the database at `path`, as lists of strings ('' for NULL).
    func query(_ path: String, _ sql: String, file: StaticString = #filePath, line: UInt = #line) throws -> [[String]] {
        let script = """
            import sqlite3, sys
            c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            for row in c.execute(sys.argv[2]):
                print("\\t".join("" if v is None else str(v) for v in row))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path, sql]
        let outURL = dir.appendingPathComponent(".query-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { throw XCTSkip("python3 is not available to read the database") }
        p.waitUntilExit()
        try out.close()
        let text = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        try? FileManager.default.removeItem(at: outURL)
        if p.terminationStatus == 127 { throw XCTSkip("python3 is not available to read the database") }
        guard p.terminationStatus == 0 else {
            XCTFail("python3 sqlite3 query failed (status \(p.terminationStatus)): \(sql)", file: file, line: line)
            return []
        }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
