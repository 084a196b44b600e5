import Foundation
import XCTest

/// The PyTorch measurement scripts a GPU machine runs (.ci/hw-model-steps.py, .ci/hw-packing.py): on a machine
/// without PyTorch they must start, check their arguments, and say why they cannot measure (exit 3), so a broken
/// script is found here and not on a lent GPU.
final class HWScriptsTests: XCTestCase {
    static let ci = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".ci")

    struct Output { var status: Int32; var stderr: String }

    func python(_ args: [String]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        p.currentDirectoryURL = FileManager.default.temporaryDirectory
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stderr: String(decoding: data, as: UTF8.self))
    }

    func skipUnlessPythonWithoutTorch() throws {
        guard let probe = try? python(["-c", "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('torch') is None else 4)"]) else {
            throw XCTSkip("no python3 here")
        }
        if probe.status == 4 { throw XCTSkip("PyTorch is installed here: the scripts would measure") }
        if probe.status != 0 { throw XCTSkip("python3 did not run: \(probe.stderr)") }
    }

    func testModelStepsWithoutTorchExitsThree() throws {
        try skipUnlessPythonWithoutTorch()
        let script = Self.ci.appendingPathComponent("hw-model-steps.py").path
        let r = try python([script, "--out", "unused.csv"])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("hw-model-steps: PyTorch not importable"), r.stderr)
        let bad = try python([script, "--iterations", "1"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--iterations must be in 3...1000"), bad.stderr)
    }

    func testPackingWithoutTorchExitsThree() throws {
        try skipUnlessPythonWithoutTorch()
        let script = Self.ci.appendingPathComponent("hw-packing.py").path
        let r = try python([script, "--seconds", "1"])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("hw-packing: PyTorch not importable"), r.stderr)
        let bad = try python([script, "--models", "alexnet"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("unknown model 'alexnet'"), bad.stderr)
    }
}
