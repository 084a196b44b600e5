import Foundation
import Scenario
import Workload
import XCTest

/// The article "The scenario format" (Sources/Scenario/Scenario.docc/ScenarioFormat.md): its listings are valid
/// scenarios, and it names every field the loader accepts, so a new field cannot go undocumented.
final class ScenarioFormatArticleTests: XCTestCase {
    static let repoRoot = FirstPolicyArticleTests.repoRoot
    static let article = repoRoot.appendingPathComponent("Sources/Scenario/Scenario.docc/ScenarioFormat.md")

    /// The ```yaml listings of the article, in order.
    func listings() throws -> [String] {
        let text = try String(contentsOf: Self.article, encoding: .utf8)
        var listings: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```yaml" { current = [] }
            else if current != nil, line == "```" { listings.append(current!.joined(separator: "\n") + "\n"); current = nil }
            else if current != nil { current!.append(line) }
        }
        return listings
    }

    /// Loads a listing as if it were a file in Scenarios/ (so `traces/...` resolves to the shipped traces).
    func load(_ text: String, overrides: [String] = []) throws -> Scenario {
        let path = Self.repoRoot.appendingPathComponent("Scenarios/article-listing.yaml").path
        return try ScenarioLoader.load(text: text, path: path, overrides: try overrides.map { try ScenarioOverride($0) })
    }

    func testEveryListingLoadsWithEachVariant() throws {
        let listings = try listings()
        XCTAssertEqual(listings.count, 3)
        var names: [String] = []
        for listing in listings {
            let scenario = try load(listing)
            names.append(scenario.name)
            XCTAssertFalse(scenario.jobs.isEmpty, scenario.name)
            for variant in scenario.variants {
                XCTAssertNoThrow(try ScenarioLoader.load(text: listing, path: scenario.path, overrides: variant.overrides),
                                 "\(scenario.name)@\(variant.name)")
            }
        }
        XCTAssertEqual(names, ["small-synthetic", "itp-cluster10-replay", "small-everything"])
        let everything = try load(listings[2])
        XCTAssertEqual(everything.variants.map(\.name), ["rare-gpu-failures", "srtf"])
        XCTAssertNotNil(everything.interconnect)
        XCTAssertNotNil(everything.failures)
        XCTAssertEqual(everything.policyName, "tiresias")
    }

    /// The keys the loader accepts in the mapping at `section` of `listing`: the list its unknown-field error names.
    func acceptedKeys(at section: String, of listing: String) throws -> [String] {
        let probe = (section.isEmpty ? "" : section + ".") + "zz_not_a_field=1"
        do {
            _ = try load(listing, overrides: [probe])
            XCTFail("an unknown field at \(section) was accepted")
            return []
        } catch let error as InputError {
            let marker = "expected one of: "
            guard let range = error.message.range(of: marker) else {
                XCTFail("unexpected error for \(probe): \(error)")
                return []
            }
            return error.message[range.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    func testArticleNamesEveryField() throws {
        let text = try String(contentsOf: Self.article, encoding: .utf8)
        let listings = try listings()
        let synthetic = listings[2], trace = listings[1]
        let sections: [(String, String)] = [
            ("", synthetic), ("cluster", synthetic), ("cluster.racks[0]", synthetic), ("cluster.racks[0].nodes[0]", synthetic),
            ("cluster.from_trace", trace), ("workload", synthetic), ("workload.synthetic", synthetic),
            ("workload.synthetic.arrivals", synthetic), ("workload.trace", trace), ("workload.trace.window", trace),
            ("workload.trace.filter", trace), ("policy", synthetic), ("network", synthetic),
            ("network.templates.dgx-a100", synthetic), ("checkpoint", synthetic), ("failures", synthetic),
            ("failures.node", synthetic), ("failures.gpu", synthetic), ("sharing", synthetic),
            ("sharing.factors[0]", synthetic), ("elastic", synthetic), ("reallocation", synthetic),
        ]
        var checked = 0
        for (section, listing) in sections {
            let keys = try acceptedKeys(at: section, of: listing)
            XCTAssertFalse(keys.isEmpty, section)
            for key in keys {
                checked += 1
                XCTAssertTrue(text.contains("`\(key)`") || text.contains(" \(key):") || text.contains("{\(key):"),
                              "ScenarioFormat.md does not mention \(section.isEmpty ? "" : section + ".")\(key)")
            }
        }
        XCTAssertGreaterThan(checked, 60)
    }
}
