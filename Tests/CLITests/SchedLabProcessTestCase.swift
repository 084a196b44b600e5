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
}
