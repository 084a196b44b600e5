import Foundation
import XCTest

/// Finding and running the built `schedlab` binary, for the end-to-end tests of every test target.
public enum SchedLabBinary {
    /// The repository root: this file is Tests/SimTestSupport/SchedLabBinary.swift.
    public static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// $SCHEDLAB_BIN, else `schedlab` next to the test bundle, else the newest `<repo>/.build*/{,<triple>/}debug/schedlab`.
    public static let url: URL? = {
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
        func mtime(_ u: URL) -> Date { (try? fm.attributesOfItem(atPath: u.path)[.modificationDate] as? Date) ?? .distantPast }
        return candidates.compactMap(executable).max { mtime($0) < mtime($1) }
    }()

    /// A finished run: exit status and captured output.
    public struct Output {
        /// Exit status.
        public var status: Int32
        /// Standard output.
        public var stdout: String
        /// Standard error.
        public var stderr: String
    }

    /// Runs `executable args...` in `dir` with `environment` added; output goes through files so no pipe fills up.
    public static func run(_ executable: URL, _ args: [String], in dir: URL, environment: [String: String] = [:]) throws -> Output {
        let id = UUID().uuidString
        let outURL = dir.appendingPathComponent(".stdout-\(id)"), errURL = dir.appendingPathComponent(".stderr-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let p = Process()
        p.executableURL = executable
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
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        return Output(status: p.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
