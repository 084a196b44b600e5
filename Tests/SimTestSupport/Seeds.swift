import SimRandom
import XCTest

/// Test-side randomness: SimRandom's SplitMix64, which never depends on the Swift runtime's seeding.
public typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    /// A uniform integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// The next 64 bits modulo `n` (0 when `n` ≤ 1): cheap and reproducible; its slight bias is harmless in tests.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// An element of `values` chosen by `below`; `values` must not be empty.
    public mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }

    /// A double in [0, 1) from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}

extension XCTestCase {
    /// Runs `body` for every seed in `seeds`. On the first seed whose body throws or records an assertion
    /// failure, prints and reports that seed (so the case can be replayed) and stops.
    public func withEvery(
        _ name: String, in seeds: Range<Int>, file: StaticString = #filePath, line: UInt = #line,
        body: (Int) throws -> Void
    ) {
        for seed in seeds {
            let before = testRun?.totalFailureCount ?? 0
            do {
                try body(seed)
            } catch {
                print("withEvery: '\(name)' threw for seed \(seed): \(error)")
                XCTFail("'\(name)' threw for seed \(seed): \(error)", file: file, line: line)
                return
            }
            if (testRun?.totalFailureCount ?? 0) > before {
                print("withEvery: '\(name)' failed for seed \(seed)")
                XCTFail("'\(name)' failed for seed \(seed) (see the failures above)", file: file, line: line)
                return
            }
        }
    }
}
