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

    /// `script` with `good` arguments exits 3 naming PyTorch; with `bad` ones, 2 with `badMessage`.
    func checkWithoutTorch(_ script: String, prefix: String, good: [String], bad: [String], badMessage: String,
                           file: StaticString = #filePath, line: UInt = #line) throws {
        try skipUnlessPythonWithoutTorch()
        let path = Self.ci.appendingPathComponent(script).path
        let r = try python([path] + good)
        XCTAssertEqual(r.status, 3, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("\(prefix): PyTorch not importable"), r.stderr, file: file, line: line)
        let wrong = try python([path] + bad)
        XCTAssertEqual(wrong.status, 2, wrong.stderr, file: file, line: line)
        XCTAssertTrue(wrong.stderr.contains(badMessage), wrong.stderr, file: file, line: line)
    }

    func testModelStepsWithoutTorchExitsThree() throws {
        try checkWithoutTorch("hw-model-steps.py", prefix: "hw-model-steps", good: ["--out", "unused.csv"],
                              bad: ["--iterations", "1"], badMessage: "--iterations must be in 3...1000")
    }

    func testPackingWithoutTorchExitsThree() throws {
        try checkWithoutTorch("hw-packing.py", prefix: "hw-packing", good: ["--seconds", "1"],
                              bad: ["--models", "alexnet"], badMessage: "unknown model 'alexnet'")
    }
}
