import Crypto
import Engine
import Foundation

/// What a committed regression baseline holds for one scenario: its summary metrics and a digest of its
/// jobs table (Scenarios/baselines/NAME.json).
public struct Baseline: Codable, Equatable, Sendable {
    /// Scenario name.
    public var scenario: String
    /// Master seed used.
    public var seed: UInt64
    /// Policy and placement used.
    public var policy: String
    /// Placement strategy used.
    public var placement: String
    /// Events processed.
    public var events: Int
    /// SHA-256 (hex) of the canonical job lines (`RunDigest.jobLines`): any change to any job's start,
    /// finish, placement type or run time changes it.
    public var jobsDigest: String
    /// Summary metrics, in `SummaryMetricKind` catalog order.
    public var summary: [Metric]

    /// One summary metric.
    public struct Metric: Codable, Equatable, Sendable {
        /// Metric name.
        public var name: String
        /// Its value.
        public var value: Double
    }

    enum CodingKeys: String, CodingKey {
        case scenario, seed, policy, placement, events
        case jobsDigest = "jobs_digest"
        case summary
    }

    /// The baseline a run produces.
    public init(scenario: String, seed: UInt64, policy: String, placement: String, result: RunResult) {
        self.scenario = scenario
        self.seed = seed
        self.policy = policy
        self.placement = placement
        self.events = result.eventsProcessed
        let text = RunDigest.jobLines(result).joined(separator: "\n")
        self.jobsDigest = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        self.summary = result.summary.map { Metric(name: $0.name, value: $0.value) }
    }

    /// The JSON committed to git: sorted keys, indented, one stable rendering per value.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads a baseline file; errors name the file.
    public static func read(_ url: URL) throws -> Baseline {
        do {
            return try JSONDecoder().decode(Baseline.self, from: Data(contentsOf: url))
        } catch {
            throw RegressionError("\(url.path): not a readable baseline (\(error.localizedDescription)); re-create it with `schedlab regress --update`")
        }
    }
}

/// A regression-suite failure that is not a result difference (e.g. an unreadable baseline).
public struct RegressionError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
