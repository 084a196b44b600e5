import ClusterModel
import Engine
import Foundation
@testable import Scheduling
import SimTestSupport
import SimKernel
import Workload
import XCTest

/// The article "Write your first policy" shows code that is compiled here (SmallestFirstPolicy.swift); these tests
/// keep the two identical and check that the policy does what the article says.
final class FirstPolicyArticleTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let article = repoRoot.appendingPathComponent("Sources/Scheduling/Scheduling.docc/WriteYourFirstPolicy.md")
    static let source = repoRoot.appendingPathComponent("Tests/DocumentationTests/SmallestFirstPolicy.swift")

    /// The ```swift listings of a Markdown text, in order.
    static func swiftListings(ofMarkdown text: String) -> [String] {
        var listings: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                listings.append(dedent(current!))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return listings
    }

    /// The regions between `// snippet: NAME` and `// end snippet` of a Swift source, in order, as (name, code).
    static func snippets(ofSource text: String) -> [(name: String, code: String)] {
        var snippets: [(String, String)] = []
        var current: (name: String, lines: [Substring])?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// snippet: ") {
                current = (String(trimmed.dropFirst("// snippet: ".count)), [])
            } else if trimmed == "// end snippet", let c = current {
                snippets.append((c.name, dedent(c.lines)))
                current = nil
            } else if current != nil {
                current!.lines.append(line)
            }
        }
        return snippets
    }

    /// The lines with their common leading spaces removed, joined with newlines.
    static func dedent(_ lines: [Substring]) -> String {
        let indent = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { $0.allSatisfy(\.isWhitespace) ? "" : String($0.dropFirst(indent)) }.joined(separator: "\n")
    }

    func testArticleListingsAreTheCompiledCode() throws {
        let article = try String(contentsOf: Self.article, encoding: .utf8)
        let source = try String(contentsOf: Self.source, encoding: .utf8)
        let listings = Self.swiftListings(ofMarkdown: article)
        let snippets = Self.snippets(ofSource: source)
        XCTAssertEqual(snippets.map(\.name), ["type", "schedule", "place", "oracle", "rounds", "run", "catalog"])
        XCTAssertEqual(listings.count, snippets.count, "the article has \(listings.count) Swift listings, the source \(snippets.count) snippets")
        for (listing, snippet) in zip(listings, snippets) {
            XCTAssertEqual(listing, snippet.code, "the article's listing differs from snippet '\(snippet.name)' of SmallestFirstPolicy.swift")
        }
    }

    /// The checker itself: a listing that drifts by one character is caught.
    func testDriftIsDetected() throws {
        let article = try String(contentsOf: Self.article, encoding: .utf8)
        let drifted = article.replacingOccurrences(of: "fewest GPUs first", with: "fewest GPUs frst")
        XCTAssertNotEqual(drifted, article)
        let source = try String(contentsOf: Self.source, encoding: .utf8)
        XCTAssertNotEqual(Self.swiftListings(ofMarkdown: drifted), Self.snippets(ofSource: source).map(\.code))
    }

    /// As the article says: the 2- and 4-GPU jobs start first, both on the A100 node (node 1), where ResNet-50
    /// trains fastest; the 8-GPU job no longer fits there and starts on the L4 node (node 0) at the same instant.
    func testSmallestJobsStartFirstOnTheFastestType() throws {
        let result = try runSmallestFirstExample()
        XCTAssertEqual(result.metric("jobs_completed"), 3)
        let first = Dictionary(grouping: result.allocations, by: \.job).mapValues { $0.min { $0.start < $1.start }! }
        XCTAssertEqual(first[JobID(2)]?.node, NodeID(1))
        XCTAssertEqual(first[JobID(1)]?.node, NodeID(1))
        XCTAssertEqual(first[JobID(0)]?.node, NodeID(0))
        XCTAssertEqual(result.starts, [0, 0, 0])
        XCTAssertEqual(result.jobs.map(\.preemptions), [0, 0, 0])
    }

    /// One round straight from the policy, without an oracle: fewest GPUs first, wherever the placement strategy
    /// puts them (first-fit: the lowest free GPUs), and nothing once the cluster is full.
    func testOneRoundWithoutAnOracle() throws {
        let topology = Topology(racks: [
            (name: "rack0", nodes: [NodeTemplateCatalog.named("dgx-a100")!, NodeTemplateCatalog.named("pcie-8gpu")!]),
        ])
        let jobs = [8, 4, 2, 8].enumerated().map { (i: Int, gpus: Int) -> JobStatus in
            var status = JobStatus(
                spec: JobSpec(id: JobID(i), name: "j\(i)", submitTime: .zero, gpuCount: gpus, model: nil,
                              work: .duration(.seconds(100.0))),
                eligibleTypes: GPUTypeMask.all(topology), estimatedDuration: .seconds(100.0))
            status.state = .queued
            return status
        }
        let snapshot = ClusterSnapshot(now: .zero, jobs: jobs, queue: jobs.map(\.id), running: [],
                                       cluster: ClusterState(topology: topology))
        var planner = PlacementPlanner(cluster: snapshot.cluster, strategy: FirstFitPlacement())
        var policy = SmallestFirstPolicy()
        let gpus = { (r: Range<Int>) in r.map { GPUID($0) } }
        XCTAssertEqual(policy.schedule(snapshot, planner: &planner), [
            .start(JobID(2), gpus: gpus(0..<2)), .start(JobID(1), gpus: gpus(2..<6)), .start(JobID(0), gpus: gpus(6..<14)),
        ])
        XCTAssertEqual(planner.cluster.freeGPUs, 2, "job 3 (8 GPUs) does not fit in the 2 left")
    }

    /// The article's catalog entry builds the policy, with its name and round-skipping declaration.
    func testCatalogEntryMakesThePolicy() throws {
        let entries = PolicyCatalog.tutorialEntries
        XCTAssertEqual(entries.map(\.name), ["smallest-first"])
        let policy = try entries[0].make(nil)
        XCTAssertEqual(policy.name, "smallest-first")
        XCTAssertTrue(type(of: policy).onlyStartsWaitingJobs)
        XCTAssertFalse(type(of: policy).startsStrictlyInQueueOrder)
    }
}
