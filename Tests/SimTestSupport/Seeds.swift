import XCTest

/// SplitMix64, for test-side randomness that does not depend on SimRandom or the Swift runtime's seeding.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// Creates a generator; the same seed always gives the same numbers.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
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
