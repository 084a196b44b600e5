import Foundation
import XCTest

/// Base class of the end-to-end tests: finds the built `schedlab` binary, gives each test a temporary
/// working directory, and runs the binary there with its output captured.
class SchedLabProcessTestCase: XCTestCase {
    /// The repository root: this file is Tests/CLITests/SchedLabProcessTestCase.swift.
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `schedlab` executable: $SCHEDLAB_BIN, else next to the test bundle (the products directory
    /// is the parent of the .xctest bundle, whatever --scratch-path was), else the newest
    /// `<repo>/.build*/{debug,<triple>/debug}/schedlab`.
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
        // Next to the test bundle. On Linux the .xctest is an executable (argv[0], Bundle.main); on macOS a
        // bundle directory among Bundle.allBundles (Contents/MacOS/... inside it).
        var bundles: [URL] = Bundle.allBundles.map(\.bundleURL) + [Bundle.main.bundleURL, Bundle.main.executableURL].compactMap { $0 }
        bundles.append(URL(fileURLWithPath: CommandLine.arguments[0]))
        for url in bundles {
            var u = url.standardizedFileURL
            while u.path != "/" && u.pathExtension != "xctest" { u = u.deletingLastPathComponent() }
            let dir = u.pathExtension == "xctest" ? u.deletingLastPathComponent() : url.standardizedFileURL.deletingLastPathComponent()
            if let found = executable(dir.appendingPathComponent("schedlab")) { return found }
        }
        // Fallback: search the scratch directories under the repository root, newest binary first.
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

    // MARK: - Running it

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

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
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        let result = Output(
            status: p.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        return result
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
