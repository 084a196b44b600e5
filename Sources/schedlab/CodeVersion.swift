import Foundation

/// The code version recorded with every run: the release number plus, when the binary runs from a git
/// checkout, the commit it was built from (with "-dirty" for uncommitted changes).
enum CodeVersion {
    /// SchedLab's release number.
    static let release = "0.1.0"

    /// "0.1.0+g<sha>[-dirty]" inside a git checkout, else "0.1.0".
    static var current: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        guard let sha = git(["rev-parse", "--short=12", "HEAD"], in: dir), !sha.isEmpty else { return release }
        let dirty = git(["status", "--porcelain", "--untracked-files=no"], in: dir).map { !$0.isEmpty } ?? false
        return "\(release)+g\(sha)\(dirty ? "-dirty" : "")"
    }

    private static func git(_ args: [String], in dir: String) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
