import Engine
import Foundation
import Scenario
import Scheduling
import Workload
import XCTest

/// `srtf`, `tiresias` and `themis` from scenarios: their parameters decode from `policy.params` with located errors, and on
/// the quickstart workload (heavy-tailed lognormal durations, a queue builds) least-attained-service beats FIFO on
/// mean JCT, as the Tiresias paper reports.
final class PreemptivePolicyScenarioTests: XCTestCase {
    private static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A one-node scenario with `policy` and its `params` lines (already indented under `params:`); the params
    /// block starts on line 16, so the first parameter is on line 17.
    private func scenario(_ policy: String, params: [String]) -> String {
        """
        name: params
        seed: 1
        cluster:
          racks:
            - nodes:
                - template: dgx-a100
                  count: 1
        workload:
          synthetic:
            jobs: 5
            arrivals: {rate_per_hour: 60}
            gpus: 2
            duration_s: 100
        policy:
          name: \(policy)
          params:
        \(params.map { "    " + $0 }.joined(separator: "\n"))

        """
    }

    private func load(_ text: String) throws(InputError) -> Scenario {
        try ScenarioLoader.load(text: text, path: "params.yaml")
    }

    /// Loads `text`, expecting an error at `line` and `field` whose message contains every phrase.
    private func assertError(_ text: String, line: Int, field: String, contains phrases: [String],
                             file: StaticString = #filePath, line callLine: UInt = #line) {
        do throws(InputError) {
            _ = try load(text)
            XCTFail("expected an error at \(field)", file: file, line: callLine)
        } catch {
            XCTAssertEqual(error.file, "params.yaml", file: file, line: callLine)
            XCTAssertEqual(error.line, line, "\(error)", file: file, line: callLine)
            XCTAssertEqual(error.field, field, "\(error)", file: file, line: callLine)
            for p in phrases { XCTAssertTrue(error.message.contains(p), "'\(error.message)' lacks '\(p)'", file: file, line: callLine) }
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error)", file: file, line: callLine)
        }
    }

    // Every parameter is settable; values arrive as given.
    func testTiresiasParametersDecode() throws {
        let s = try load(scenario("tiresias", params: [
            "service: time", "queue_thresholds_gpu_s: [100, 200.5, 3000]", "promote_after: 4",
        ]))
        let p = try XCTUnwrap(s.policy as? TiresiasPolicy).parameters
        XCTAssertEqual(p, TiresiasPolicy.Parameters(service: .time, queueThresholds: [100, 200.5, 3000], promoteAfter: 4))
        let defaults = try XCTUnwrap(try PolicyCatalog.entry("tiresias")!.make(nil) as? TiresiasPolicy).parameters
        XCTAssertEqual(defaults, TiresiasPolicy.Parameters(service: .gpuTime, queueThresholds: [3250, 7200], promoteAfter: nil))
        XCTAssertEqual(defaults.order, .runningFirst)
        let arrival = try load(scenario("tiresias", params: ["order: arrival"]))
        XCTAssertEqual(try XCTUnwrap(arrival.policy as? TiresiasPolicy).parameters.order, .arrival)
        XCTAssertThrowsError(try load(scenario("tiresias", params: ["order: lifo"]))) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("order") && text.contains("running-first, arrival") && text.contains("lifo"), text)
        }
    }

    // `order: gittins` with its quantum and samples; both default when omitted; each is rejected, with its path, unless
    // the order is gittins, and out of range.
    func testTiresiasGittinsParametersDecode() throws {
        let s = try load(scenario("tiresias", params: [
            "order: gittins", "gittins_delta_gpu_s: 1800", "gittins_samples_gpu_s: [10, 0, 86400]",
        ]))
        XCTAssertEqual(try XCTUnwrap(s.policy as? TiresiasPolicy).parameters,
                       TiresiasPolicy.Parameters(order: .gittins, gittinsDelta: 1800, gittinsSamples: [10, 0, 86400]))
        let plain = try XCTUnwrap(try load(scenario("tiresias", params: ["order: gittins"])).policy as? TiresiasPolicy)
        XCTAssertNil(plain.parameters.gittinsDelta)
        XCTAssertNil(plain.parameters.gittinsSamples)
        assertError(scenario("tiresias", params: ["gittins_delta_gpu_s: 100"]), line: 17,
                    field: "policy.params.gittins_delta_gpu_s", contains: ["only with order: gittins", "running-first"])
        assertError(scenario("tiresias", params: ["order: arrival", "gittins_samples_gpu_s: [1]"]), line: 18,
                    field: "policy.params.gittins_samples_gpu_s", contains: ["only with order: gittins", "arrival"])
        assertError(scenario("tiresias", params: ["order: gittins", "gittins_delta_gpu_s: 0"]), line: 18,
                    field: "policy.params.gittins_delta_gpu_s", contains: ["(0, 1e15]", "got 0"])
        assertError(scenario("tiresias", params: ["order: gittins", "gittins_delta_gpu_s: .inf"]), line: 18,
                    field: "policy.params.gittins_delta_gpu_s", contains: ["got inf"])
        assertError(scenario("tiresias", params: ["order: gittins", "gittins_samples_gpu_s: []"]), line: 18,
                    field: "policy.params.gittins_samples_gpu_s", contains: ["1 to 1000000 samples", "got 0"])
        assertError(scenario("tiresias", params: ["order: gittins", "gittins_samples_gpu_s: [5, -1]"]), line: 18,
                    field: "policy.params.gittins_samples_gpu_s[1]", contains: ["[0, 1e15]", "got -1"])
    }

    func testSRTFParametersDecode() throws {
        let s = try load(scenario("srtf", params: ["gpu_weighted: true"]))
        XCTAssertEqual(try XCTUnwrap(s.policy as? SRTFPolicy).parameters, SRTFPolicy.Parameters(gpuWeighted: true))
        XCTAssertEqual(try XCTUnwrap(try PolicyCatalog.entry("srtf")!.make(nil) as? SRTFPolicy).parameters.gpuWeighted, false)
    }

    // Themis' lease alignment: grid by default (leases auctioned together on multiples of lease_s), job on request; an
    // unknown value is named with the choices.
    func testThemisLeaseAlignmentDecodes() throws {
        let s = try load(scenario("themis", params: ["lease_s: 300", "fairness_knob: 0.5", "lease_alignment: job"]))
        XCTAssertEqual(try XCTUnwrap(s.policy as? ThemisPolicy).parameters,
                       ThemisPolicy.Parameters(leaseSeconds: 300, fairnessKnob: 0.5, leaseAlignment: .job))
        let defaults = try XCTUnwrap(try PolicyCatalog.entry("themis")!.make(nil) as? ThemisPolicy).parameters
        XCTAssertEqual(defaults, ThemisPolicy.Parameters(leaseSeconds: 600, fairnessKnob: 0.8, leaseAlignment: .grid))
        assertError(scenario("themis", params: ["lease_alignment: round"]), line: 17,
                    field: "policy.params.lease_alignment", contains: ["grid, job", "'round'"])
    }

    func testTiresiasThresholdsMustIncrease() {
        assertError(scenario("tiresias", params: ["queue_thresholds_gpu_s: [3250, 3250]"]), line: 17,
                    field: "policy.params.queue_thresholds_gpu_s[1]", contains: ["must increase", "3250"])
        assertError(scenario("tiresias", params: ["queue_thresholds_gpu_s: [7200, 3250]"]), line: 17,
                    field: "policy.params.queue_thresholds_gpu_s[1]", contains: ["must increase"])
    }

    func testTiresiasThresholdsMustBePositive() {
        assertError(scenario("tiresias", params: ["queue_thresholds_gpu_s: [-5, 10]"]), line: 17,
                    field: "policy.params.queue_thresholds_gpu_s[0]", contains: ["> 0", "-5"])
        assertError(scenario("tiresias", params: ["queue_thresholds_gpu_s: []"]), line: 17,
                    field: "policy.params.queue_thresholds_gpu_s", contains: ["non-empty"])
    }

    func testTiresiasPromoteAfterMustBePositive() {
        assertError(scenario("tiresias", params: ["promote_after: -1"]), line: 17,
                    field: "policy.params.promote_after", contains: ["> 0", "-1"])
        assertError(scenario("tiresias", params: ["promote_after: 0"]), line: 17,
                    field: "policy.params.promote_after", contains: ["> 0", "omit it"])
    }

    func testTiresiasServiceMustBeKnown() {
        assertError(scenario("tiresias", params: ["service: gpu"]), line: 17,
                    field: "policy.params.service", contains: ["gpu-time", "time", "'gpu'"])
    }

    func testUnknownParameterIsRejected() {
        assertError(scenario("tiresias", params: ["service: time", "thresholds: [1, 2]"]), line: 18,
                    field: "policy.params.thresholds", contains: ["unknown field 'thresholds'", "queue_thresholds_gpu_s", "promote_after"])
        assertError(scenario("srtf", params: ["weighted: true"]), line: 17,
                    field: "policy.params.weighted", contains: ["unknown field 'weighted'", "gpu_weighted"])
    }

    // The catalog's factory given a decoder directly (here JSON's): the same checks, whatever the source format.
    func testCatalogFactoryRejectsBadParameters() throws {
        struct Made: Decodable {
            let policy: any SchedulingPolicy
            init(from decoder: Decoder) throws { policy = try PolicyCatalog.entry("tiresias")!.make(decoder) }
        }
        func make(_ json: String) throws -> any SchedulingPolicy {
            try JSONDecoder().decode(Made.self, from: Data(json.utf8)).policy
        }
        let ok = try XCTUnwrap(try make(#"{"queue_thresholds_gpu_s": [1, 2], "promote_after": 0.5}"#) as? TiresiasPolicy)
        XCTAssertEqual(ok.parameters, .init(queueThresholds: [1, 2], promoteAfter: 0.5))
        for (json, phrase) in [(#"{"queue_thresholds_gpu_s": [2, 1]}"#, "thresholds must increase"),
                               (#"{"queue_thresholds_gpu_s": [0]}"#, "> 0"),
                               (#"{"promote_after": -3}"#, "> 0"),
                               (#"{"service": "gpu-seconds"}"#, "expected one of: gpu-time, time"),
                               (#"{"depth": 3}"#, "unknown field 'depth'")] {
            XCTAssertThrowsError(try make(json), json) { e in XCTAssertTrue("\(e)".contains(phrase), "\(json): \(e)") }
        }
    }

    // Least attained service beats FIFO on mean JCT on quickstart's 500 jobs (lognormal σ = 1 durations, offered
    // load ~1.5 while they arrive), as Tiresias' evaluation reports; so does clairvoyant SRTF, by more.
    func testLASBeatsFIFOOnQuickstart() throws {
        let path = Self.repoRoot.appendingPathComponent("Scenarios/quickstart.yaml").path
        var mean: [String: Double] = [:]
        for policy in ["fifo", "tiresias", "srtf"] {
            let s = try ScenarioLoader.load(path: path, policy: policy)
            let r = try s.makeSimulation().run()
            XCTAssertEqual(r.unfinishedJobs, [], policy)
            mean[policy] = r.summary.first { $0.name == "jct_mean_s" }!.value
        }
        let fifo = mean["fifo"]!, las = mean["tiresias"]!, srtf = mean["srtf"]!
        XCTAssertLessThan(las, fifo * 0.75, "tiresias \(las) vs fifo \(fifo)")
        XCTAssertLessThan(srtf, las, "srtf \(srtf) vs tiresias \(las)")
    }
}
