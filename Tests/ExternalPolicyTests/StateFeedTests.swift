import ClusterModel
import Engine
import Foundation
import Scenario
import Scheduling
import SimKernel
import XCTest

/// The state feed tells the truth: every status record a round message carries equals the engine's own job status
/// at that round (field by field, against the snapshot the policy is given), every arrival record equals the job's
/// spec, and every job's latest record — sent this round or earlier — is its status now, so no change goes unsent. No Python here: the records are parsed
/// back with the protocol's JSON reader.
final class StateFeedTests: XCTestCase {
    typealias S = ExternalTestSupport

    /// Wraps a Swift policy; every round, writes the feed's round message and checks it against the snapshot.
    struct Checking<Inner: SchedulingPolicy>: SchedulingPolicy {
        static var name: String { Inner.name }
        final class Findings {
            var rounds = 0
            var records = 0
            var runningToRunning = 0
            var downChanges = 0
            var tenantArrivals = 0
            var problems: [String] = []
            var feed = StateFeed()
            /// Each job's latest record (ID order is irrelevant here: only lookups).
            var previous: [Int: JSONValue] = [:]
            var lastState: [Int: String] = [:]
        }
        var inner: Inner
        let findings: Findings

        mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
            let f = findings
            var w = JSONWriter()
            if f.rounds == 0 { f.feed.writeHello(s, policy: Inner.name, parameters: .object([]), placement: "packed", into: &w) }
            w.reset()
            f.rounds += 1
            f.feed.writeRound(s, round: f.rounds, into: &w)
            do {
                try check(JSONParser.parse(w.bytes.dropLast()), s)
            } catch {
                f.problems.append("round \(f.rounds): \(error)")
            }
            return inner.schedule(s, planner: &planner)
        }

        func check(_ message: JSONValue, _ s: ClusterSnapshot) {
            let f = findings
            func problem(_ text: String) { if f.problems.count < 20 { f.problems.append("round \(f.rounds): \(text)") } }
            if case .array(let arrivals) = message["arrived"] ?? .array([]) {
                for a in arrivals {
                    guard case .array(let x) = a, x.count == PolicyWire.arrivalFields.count, case .int(let id) = x[0] else {
                        return problem("bad arrival \(a)")
                    }
                    let i = Int(id)
                    let spec = s.jobs[i].spec
                    if spec.tenant != nil { f.tenantArrivals += 1 }
                    let weight: JSONValue = spec.tenant.map { .double($0.weight) } ?? .null
                    let quota: JSONValue = spec.tenant?.quotaGPUs.map { .int(Int64($0)) } ?? .null
                    if x[1] != .string(spec.name) || x[2] != .int(spec.submitTime.nanoseconds) || x[3] != .int(Int64(spec.gpuCount))
                        || x[6] != .int(s.jobs[i].estimatedDuration.nanoseconds) || !Self.same(x[16], weight) || x[17] != quota {
                        problem("arrival \(i) differs from its spec: \(a)")
                    }
                    // The status an arrival implies (PolicyWire.arrivalFields): queued, nothing held, all work left.
                    f.previous[i] = .array([.int(id), .string("queued"), .array([]), .null, .null, .null, .null, .null,
                                            .double(0), .double(0), x[9], .double(0), .int(0), .int(0), .int(0), .int(0),
                                            .int(0), .int(0), .double(0)])
                }
            }
            if case .array(let records) = message["jobs"] ?? .array([]) {
                for r in records {
                    guard case .array(let x) = r, x.count == PolicyWire.jobFields.count, case .int(let id) = x[0] else {
                        return problem("bad record \(r)")
                    }
                    let i = Int(id)
                    f.records += 1
                    if f.lastState[i] == "running" && s.jobs[i].state == .running { f.runningToRunning += 1 }
                    f.previous[i] = r
                }
            }
            // Every job's latest record, whether sent this round or earlier, is its status now: a change never goes
            // unsent, and what is sent is the engine's own value.
            for (i, record) in f.previous {
                guard case .array(let x) = record else { continue }
                for (k, e) in Self.status(of: i, in: s).enumerated() where !Self.same(x[k], e) {
                    problem("job \(i) \(PolicyWire.jobFields[k]): the policy was told \(x[k]), the engine has \(e)")
                }
                f.lastState[i] = s.jobs[i].state.description
            }
            if case .array(let d) = message["down"] ?? .array([]) { f.downChanges += d.count }
            let freeType = s.cluster.freeOfType.map { JSONValue.int(Int64($0)) }
            if message["free_type"] != .array(freeType) { problem("free_type \(message["free_type"] ?? .null) != \(freeType)") }
        }

        /// Job `i`'s status record as the engine's snapshot has it (checkpoint seconds aside: a cost model's answer).
        static func status(of i: Int, in s: ClusterSnapshot) -> [JSONValue] {
            func ns(_ t: SimTime?) -> JSONValue { t.map { .int($0.nanoseconds) } ?? .null }
            let j = s.jobs[i], p = s.progress.entries[i]
            return [
                .int(Int64(i)), .string(j.state.description), .array(j.gpus.map { .int(Int64($0.index)) }), ns(j.heldSince),
                ns(j.expectedEnd), ns(j.transitionEnd), ns(j.firstStart), ns(j.finish), .double(j.runSeconds),
                .double(j.gpuSeconds), .double(p.remainingWork), .double(p.workRate), .int(p.since.nanoseconds),
                .int(Int64(j.preemptions)), .int(Int64(j.restarts)), .int(Int64(j.migrations)), .int(Int64(j.resizes)),
                .int(Int64(j.failures)),
            ]
        }

        /// Equal values, reading an integral JSON number as the double it encodes.
        static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
            switch (a, b) {
            case (.int(let x), .double(let y)): return Double(x) == y
            case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
            default: return a == b
            }
        }
    }

    private func check(
        _ scenarioText: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line
    ) throws -> Checking<TiresiasPolicy>.Findings {
        var scenario = try S.load(scenarioText, overrides: overrides)
        let findings = Checking<TiresiasPolicy>.Findings()
        scenario.policy = Checking(inner: TiresiasPolicy(), findings: findings)
        _ = try S.run(scenario)
        XCTAssertEqual(findings.problems, [], file: file, line: line)
        XCTAssertGreaterThan(findings.records, 0, file: file, line: line)
        return findings
    }

    func testRecordsAreTheEnginesStatus() throws {
        // With tenants, so that arrival records carry their weights and quotas.
        let f = try check(S.threeTypes + S.policy("tiresias"), overrides: [
            "workload.synthetic.users={vision: 2, nlp: 1}", "tenants={vision: {weight: 2, quota_gpus: 16}, nlp: {weight: 0.5}}",
        ])
        XCTAssertGreaterThan(f.rounds, 300)
        XCTAssertGreaterThan(f.tenantArrivals, 100)
    }

    /// With the flow-level network model, running jobs change speed as others start and stop: their records
    /// (rate, expected end, progress) follow while they keep running. With failures, GPUs go down and come back.
    func testRunningJobsThatChangeSpeedAndFailures() throws {
        let text = S.contended + S.policy("tiresias", placement: "spread")
        let f = try check(text)
        XCTAssertGreaterThan(f.runningToRunning, 0, "no running job changed speed: the scenario does not exercise it")
        XCTAssertGreaterThan(f.downChanges, 0, "no GPU went down")
    }
}
