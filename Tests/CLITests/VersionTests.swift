import Foundation
import XCTest

/// `schedlab --version`, the version every run records, and the version the release files name.
final class VersionTests: SchedLabProcessTestCase {
    /// "0.1.0 (commit <40 hex>[, modified])" or "0.1.0 (commit unknown)".
    static let versionLine = #"^(\d+\.\d+\.\d+) \(commit ([0-9a-f]{40}(, modified)?|unknown)\)$"#

    /// The release and the commit (nil when unknown) that `--version` prints; fails the test on any other shape.
    func printedVersion(file: StaticString = #filePath, line: UInt = #line) throws -> (release: String, commit: String?, modified: Bool) {
        let r = try schedlab("--version")
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        let text = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let regex = try NSRegularExpression(pattern: Self.versionLine)
        let ns = text as NSString
        guard let m = regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else {
            XCTFail("--version printed \(text.debugDescription)", file: file, line: line)
            throw XCTSkip("unexpected --version output")
        }
        let release = ns.substring(with: m.range(at: 1))
        let rest = ns.substring(with: m.range(at: 2))
        return (release, rest == "unknown" ? nil : String(rest.prefix(40)), rest.hasSuffix(", modified"))
    }

    /// The output of `git args...` in the repository, or nil when git or the checkout is missing.
    func git(_ args: String...) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", Self.repoRoot.path] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    func testVersionNamesTheCommitTheBinaryWasBuiltFrom() throws {
        let v = try printedVersion()
        guard let head = git("rev-parse", "HEAD") else {
            XCTAssertNil(v.commit, "built outside a git checkout, so no commit can be known")
            return
        }
        // `swift test` builds the binary from this checkout just before running it.
        XCTAssertEqual(v.commit, head, "--version must name the commit checked out when the binary was built")
        let modified = !(git("status", "--porcelain", "--untracked-files=no") ?? "").isEmpty
        XCTAssertEqual(v.modified, modified, "--version must say whether tracked files had uncommitted changes")
    }

    func testRunRecordsTheVersionInTheDatabase() throws {
        let v = try printedVersion()
        let scenario = try write(CLITests.tiny, to: "tiny.yaml")
        let db = dir.appendingPathComponent("runs.sqlite").path
        let r = try schedlab("run", scenario, "--db", db, "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try query(db, "SELECT schedlab_version, code_version FROM runs")
        let expectedCode = v.commit.map { "\(v.release)+g\($0.prefix(12))\(v.modified ? "-dirty" : "")" } ?? v.release
        XCTAssertEqual(rows, [[v.release, expectedCode]])
    }

    /// The release number lives in three places that must move together: the binary, CITATION.cff and the newest
    /// released section of CHANGELOG.md (with the same date as CITATION.cff's date-released).
    func testReleaseFilesAgreeWithTheBinary() throws {
        let v = try printedVersion()
        let citation = try String(contentsOf: Self.repoRoot.appendingPathComponent("CITATION.cff"), encoding: .utf8)
        let changelog = try String(contentsOf: Self.repoRoot.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        func firstMatch(_ pattern: String, in text: String) -> [String]? {
            let regex = try! NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
            let ns = text as NSString
            guard let m = regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else { return nil }
            return (1..<m.numberOfRanges).map { ns.substring(with: m.range(at: $0)) }
        }
        XCTAssertEqual(firstMatch(#"^version: (\S+)$"#, in: citation), [v.release], "CITATION.cff version")
        let released = firstMatch(#"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$"#, in: changelog)
        XCTAssertEqual(released?.first, v.release, "newest released section of CHANGELOG.md")
        XCTAssertEqual(firstMatch(#"^date-released: (\S+)$"#, in: citation), released.map { [$0[1]] },
                       "CITATION.cff date-released and the CHANGELOG.md date of the release")
        XCTAssertNotNil(firstMatch(#"^## \[Unreleased\]$"#, in: changelog), "CHANGELOG.md keeps an Unreleased section")
    }
}
