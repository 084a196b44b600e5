import Foundation
import InputProbe
import SimTestSupport
import Workload
import XCTest

/// A seeded mutation fuzzer written as a test: mutates the repository's scenarios and traces with byte edits, line
/// edits and hostile numbers (0, negatives, fractions, 1e308, Int.max, NaN, infinities) from fixed seeds, and sends each
/// mutant through `InputProbe` (load as `check` does; then simulate, or summarize as `trace stats` does). Any trap or
/// abort kills the test process, so a run that finishes means none; every rejection must be located, and no input may
/// take longer than `timeLimit`. The libFuzzer targets (.ci/fuzz) explore the same way, guided by coverage.
final class SeededMutationTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// Seconds one input may take (debug build, with a 20-job simulation).
    static let timeLimit = 20.0

    /// Numbers that broke, or nearly broke, the loader or the engine somewhere.
    static let hostileNumbers = [
        "0", "-1", "-3", "1.5", "0.001", "1e-300", "1e308", "-1e308", "9e15", "2147483648", "9223372036854775807",
        "-9223372036854775808", "18446744073709551616", ".nan", ".inf", "-.inf", "1e10", "100000000",
    ]

    /// Mutations come from SimTestSupport's `SeededGenerator` (SplitMix64), so that every run mutates identically.
    typealias SplitMix64 = SeededGenerator


    /// One mutation of `text`: a number replaced by a hostile one, a line dropped or doubled, or a byte changed.
    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return text }
        let i = rng.below(lines.count)
        switch rng.below(5) {
        case 0, 1:
            // Replace the k-th number on a line that has one.
            let numbered = lines.indices.filter { lines[$0].contains(where: \.isNumber) }
            guard let l = numbered.isEmpty ? nil : numbered[rng.below(numbered.count)] else { return text }
            var chars = Array(lines[l])
            let starts = chars.indices.filter { chars[$0].isNumber && ($0 == 0 || !(chars[$0 - 1].isNumber || chars[$0 - 1] == ".")) }
            let s = starts[rng.below(starts.count)]
            var e = s
            while e < chars.count, chars[e].isNumber || chars[e] == "." || chars[e] == "e" { e += 1 }
            chars.replaceSubrange(s..<e, with: Array(hostileNumbers[rng.below(hostileNumbers.count)]))
            lines[l] = String(chars)
        case 2: lines.remove(at: i)
        case 3: lines.insert(lines[i], at: i)
        default:
            var bytes = Array(lines[i].utf8)
            if bytes.isEmpty { return text }
            let pool = Array(":{}[],-#&*!|>'\"%@`0123456789 \t".utf8)
            bytes[rng.below(bytes.count)] = pool[rng.below(pool.count)]
            lines[i] = String(decoding: bytes, as: UTF8.self)
        }
        return lines.joined(separator: "\n")
    }

    /// Small scenarios of the repository and of the regression corpus, each with the path it is loaded as (so that
    /// its relative traces resolve: Scenarios/ or the corpus directory).
    static func scenarioSeeds() throws -> [(name: String, text: String, path: String)] {
        var seeds: [(name: String, text: String, path: String)] = []
        for dir in [repoRoot.appendingPathComponent("Scenarios"), repoRoot.appendingPathComponent("Tests/HostileInputTests/Corpus/scenarios")] {
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where name.hasSuffix(".yaml") {
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                // Scenarios over the big traces are left out: each load would parse megabytes in a debug build.
                if text.contains("msft-itp-2021") || text.contains("itp-cluster07") { continue }
                seeds.append((name, text, dir.appendingPathComponent("mutant.yaml").path))
            }
        }
        return seeds
    }

    func assertBounded<T>(_ what: String, _ body: () -> T) -> T {
        let start = Date()
        let result = body()
        XCTAssertLessThan(Date().timeIntervalSince(start), Self.timeLimit, "\(what) took too long")
        return result
    }

    func testScenarioMutantsAreRejectedWithALocationOrRun() throws {
        let seeds = try Self.scenarioSeeds()
        XCTAssertGreaterThan(seeds.count, 40)
        var rng = SplitMix64(seed: 20_261_201)
        var rejected = 0, accepted = 0
        for round in 0..<2000 {
            let seed = seeds[round % seeds.count]
            var text = seed.text
            for _ in 0...rng.below(3) { text = Self.mutate(text, &rng) }
            switch assertBounded("mutant \(round) of \(seed.name)", { InputProbe.scenario(text, path: seed.path, simulateJobs: 20) }) {
            case .rejected(let e):
                rejected += 1
                XCTAssertEqual(e.description.split(separator: "\n").count, 1, "mutant \(round) of \(seed.name): \(e)")
                XCTAssertFalse(e.message.isEmpty)
            case .accepted: accepted += 1
            case .runFailed(let message): XCTFail("mutant \(round) of \(seed.name): check accepted what run rejects: \(message)")
            }
        }
        // Both outcomes occur, or the mutations are too weak (or too strong) to test anything.
        XCTAssertGreaterThan(rejected, 200)
        XCTAssertGreaterThan(accepted, 50)
    }

    func testTraceMutantsAreRejectedWithALineOrSummarized() throws {
        let traces = ["Scenarios/traces/itp-cluster10.csv", "Scenarios/traces/openb.csv", "Tests/WorkloadTests/Fixtures/canonical_fixture.csv"]
        let seeds = try traces.map { try String(contentsOf: Self.repoRoot.appendingPathComponent($0), encoding: .utf8) }
            .map { $0.split(separator: "\n").prefix(60).joined(separator: "\n") + "\n" }
        var rng = SplitMix64(seed: 11)
        var rejected = 0, accepted = 0
        for round in 0..<3000 {
            var text = seeds[round % seeds.count]
            for _ in 0...rng.below(3) { text = Self.mutate(text, &rng) }
            switch assertBounded("trace mutant \(round)", { InputProbe.trace(text) }) {
            case .rejected(let e):
                rejected += 1
                XCTAssertEqual(e.description.split(separator: "\n").count, 1, "\(e)")
                XCTAssertEqual(e.file, "fuzz.csv")
            case .accepted: accepted += 1
            case .runFailed(let message): XCTFail("trace mutant \(round): \(message)")
            }
        }
        XCTAssertGreaterThan(rejected, 300)
        XCTAssertGreaterThan(accepted, 300)
    }
}
