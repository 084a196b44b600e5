import Foundation
import Scheduling
import SimTestSupport
import XCTest

/// Adding a policy is its file plus one catalog entry: these tests fail when either half is missing.
final class PolicyCatalogTests: XCTestCase {
    private let policiesDirectory = SchedLabBinary.repoRoot.appendingPathComponent("Sources/Scheduling/Policies")

    /// The `static let name = "…"` each policy file declares.
    private func declaredNames() throws -> [(file: String, name: String)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: policiesDirectory.path)
            .filter { $0.hasSuffix(".swift") }.sorted()
        XCTAssertFalse(files.isEmpty, "no policy files found under \(policiesDirectory.path)")
        let pattern = try NSRegularExpression(pattern: #"static let name = "([^"]+)""#)
        return try files.map { file in
            let text = try String(contentsOf: policiesDirectory.appendingPathComponent(file), encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            guard let m = pattern.firstMatch(in: text, range: range), let r = Range(m.range(at: 1), in: text) else {
                XCTFail("\(file) declares no `static let name = \"…\"`; every file in Policies/ is one policy")
                return (file, "")
            }
            return (file, String(text[r]))
        }
    }

    // Every file in Sources/Scheduling/Policies has a catalog entry, and every entry has a file.
    func testEveryPolicyFileIsInTheCatalog() throws {
        let declared = try declaredNames()
        for (file, name) in declared where !name.isEmpty {
            XCTAssertNotNil(PolicyCatalog.entry(name), "\(file) declares policy '\(name)', which PolicyCatalog.all does not list")
        }
        XCTAssertEqual(Set(PolicyCatalog.names), Set(declared.map(\.name)), "catalog entries without a policy file")
        XCTAssertEqual(PolicyCatalog.names.count, Set(PolicyCatalog.names).count, "duplicate catalog names")
    }

    // Every entry builds its policy with default parameters, under its own name, with a summary to list.
    func testEveryEntryBuildsWithDefaults() throws {
        for entry in PolicyCatalog.all {
            let policy = try entry.make(nil)
            XCTAssertEqual(policy.name, entry.name)
            XCTAssertFalse(entry.summary.isEmpty, entry.name)
        }
    }
}
