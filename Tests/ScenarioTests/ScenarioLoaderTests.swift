import ClusterModel
import Engine
import Foundation
import Models
import Scenario
import Scheduling
import Workload
import Performance
import XCTest

/// Scenario loading: every bad-input case gives one located `InputError` (file, line, field path, message),
/// and good scenarios load deterministically with their overrides and trace paths resolved.
final class ScenarioLoaderTests: XCTestCase {
    // MARK: - Fixtures

    /// A per-test temporary directory, removed after the test.
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("schedlab-scenario-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// The repository root: this file is Tests/ScenarioTests/ScenarioLoaderTests.swift.
    private static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A valid scenario: one DGX-A100 node (8 GPUs), 20 synthetic jobs, FIFO. Tests replace single lines.
    /// The `gpu`, `models`, `placement`... lines are added by tests where needed.
    private static let good = """
        name: tiny
        seed: 7
        cluster:
          racks:
            - name: rack0
              nodes:
                - template: dgx-a100
                  count: 1
        workload:
          synthetic:
            jobs: 20
            arrivals:
              rate_per_hour: 60
            gpus:
              categorical:
                values: [1, 2, 4, 8]
                weights: [4, 3, 2, 1]
            duration_s:
              lognormal: {mu: 6.0, sigma: 0.8}
        policy:
          name: fifo
          placement: packed

        """

    /// A valid trace scenario skeleton; `{TRACE}` is replaced by the trace path.
    private static let traceScenario = """
        name: tiny-trace
        seed: 3
        cluster:
          racks:
            - nodes:
                - template: dgx-a100
                  count: 1
        workload:
          trace:
            file: {TRACE}
        policy:
          name: backfill

        """

    /// A small valid trace, deliberately not in submit-time order.
    private static let goodTrace = """
        job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status
        j-a,100,2,600,,,alice,
        j-b,0,8,1200,,,bob,
        j-c,50,1,30,,,,

        """

    /// Writes `text` to `name` in the test's directory (creating subfolders) and returns its path.
    @discardableResult
    private func write(_ text: String, to name: String = "scenario.yaml") throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// `good` with the first line equal to `old` (ignoring indentation) replaced by `new` (re-indented the same).
    private func edit(_ text: String, _ old: String, _ new: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        var lines = text.components(separatedBy: "\n")
        guard let i = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == old }) else {
            XCTFail("fixture has no line '\(old)'", file: file, line: line)
            return text
        }
        let indent = String(lines[i].prefix { $0 == " " })
        lines.replaceSubrange(i...i, with: new.map { indent + $0 })
        return lines.joined(separator: "\n")
    }

    private func edit(_ old: String, _ new: String...) -> String { edit(Self.good, old, new) }

    /// `text` without the lines whose trimmed content starts with one of `prefixes`.
    private func drop(_ text: String, _ prefixes: String...) -> String {
        text.components(separatedBy: "\n").filter { l in
            let t = l.trimmingCharacters(in: .whitespaces)
            return !prefixes.contains { t.hasPrefix($0) }
        }.joined(separator: "\n")
    }

    /// The 1-based line of the first line of `text` whose trimmed content starts with `prefix`.
    private func line(of prefix: String, in text: String) -> Int? {
        text.components(separatedBy: "\n").firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }.map { $0 + 1 }
    }

    /// Loads `path` and returns the `InputError`, failing the test if it loads.
    private func loadError(
        _ path: String, seed: UInt64? = nil, policy: String? = nil, file: StaticString = #filePath, line: UInt = #line
    ) -> InputError? {
        do {
            let s = try ScenarioLoader.load(path: path, seed: seed, policy: policy)
            XCTFail("expected an InputError, but the scenario loaded (\(s.jobs.count) jobs)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    /// Writes `text` as a scenario, loads it, and checks the error's file, line, field and message phrase.
    private func assertError(
        _ text: String, line expectedLine: Int?, field: String?, contains phrases: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let path = try write(text)
        guard let e = loadError(path, file: file, line: line) else { return }
        XCTAssertEqual(e.file, path, "file of \(e)", file: file, line: line)
        XCTAssertEqual(e.line, expectedLine, "line of \(e)", file: file, line: line)
        XCTAssertEqual(e.field, field, "field of \(e)", file: file, line: line)
        for p in phrases { XCTAssertTrue(e.message.contains(p), "message of \(e) lacks '\(p)'", file: file, line: line) }
        XCTAssertFalse(e.description.contains("\n"), "error must be one line: \(e)", file: file, line: line)
    }

    // MARK: - The fixture itself is good

    // gavel's parameters load from policy.params, and a bad one is reported at its line and field.
    func testGavelParametersFromScenario() throws {
        let ok = try ScenarioLoader.load(path: try write(edit("name: fifo", "name: gavel", "params: {objective: finish-time, round_s: 60}")))
        XCTAssertEqual(ok.policyName, "gavel")
        XCTAssertEqual((ok.policy as? GavelPolicy)?.parameters, GavelPolicy.Parameters(objective: .finishTime, roundSeconds: 60))
        let bad = edit("name: fifo", "name: gavel", "params:", "  round_s: 0")
        try assertError(bad, line: line(of: "round_s: 0", in: bad), field: "policy.params.round_s", contains: ["1...1e9"])
        let unknown = edit("name: fifo", "name: gavel", "params: {rounds: 3}")
        try assertError(unknown, line: line(of: "params:", in: unknown), field: "policy.params.rounds",
                        contains: ["unknown field 'rounds'", "round_s"])
    }

    func testFixtureScenarioLoads() throws {
        let s = try ScenarioLoader.load(path: try write(Self.good))
        XCTAssertEqual(s.name, "tiny")
        XCTAssertEqual(s.seed, 7)
        XCTAssertEqual(s.jobs.count, 20)
        XCTAssertEqual(s.topology.gpuCount, 8)
        XCTAssertEqual(s.policyName, "fifo")
        XCTAssertEqual(s.placementName, "packed")
        XCTAssertTrue(s.jobs.allSatisfy { (1...8).contains($0.gpuCount) })
        XCTAssertEqual(s.jobs.map(\.submitTime), s.jobs.map(\.submitTime).sorted())
    }

    // MARK: - Malformed YAML

    func testUnbalancedBracketReportsTheBracketsLine() throws {
        let text = edit("values: [1, 2, 4, 8]", "values: [1, 2, 4, 8")
        let bracketLine = line(of: "values:", in: text)!
        let path = try write(text)
        guard let e = loadError(path) else { return }
        XCTAssertEqual(e.file, path)
        XCTAssertNil(e.field)
        XCTAssertTrue(e.message.hasPrefix("malformed YAML"), "\(e)")
        XCTAssertNotNil(e.line, "\(e)")
        // The author must be pointed at the unbalanced bracket: either the error's line is the bracket's line,
        // or the message says where the unclosed sequence started (libyaml's context mark).
        XCTAssertTrue(
            e.line == bracketLine || e.message.contains("line \(bracketLine)"),
            "error does not point at line \(bracketLine), where '[' is never closed: \(e)")
    }

    func testMismatchedBracketOnOneLineReportsThatLine() throws {
        let text = edit("values: [1, 2, 4, 8]", "values: [1, 2, 4, 8}")
        try assertError(text, line: line(of: "values:", in: text), field: nil, contains: ["malformed YAML"])
    }

    func testBadIndentationIsMalformedYAMLWithLine() throws {
        let text = edit("count: 1", "   count: 1")  // deeper than its sibling 'template:', after a scalar value
        let path = try write(text)
        guard let e = loadError(path) else { return }
        XCTAssertEqual(e.file, path)
        XCTAssertTrue(e.message.hasPrefix("malformed YAML"), "\(e)")
        XCTAssertEqual(e.line, line(of: "count:", in: text), "\(e)")
    }

    func testEmptyScenarioFile() throws {
        let path = try write("# nothing here\n")
        guard let e = loadError(path) else { return }
        XCTAssertEqual(e.file, path)
        XCTAssertTrue(e.message.contains("empty"), "\(e)")
    }

    func testMissingScenarioFile() throws {
        let path = dir.appendingPathComponent("nope.yaml").path
        guard let e = loadError(path) else { return }
        XCTAssertEqual(e.file, path)
        XCTAssertNil(e.line)
        XCTAssertTrue(e.message.contains("cannot read the scenario file"), "\(e)")
    }

    // MARK: - Unknown fields

    func testUnknownTopLevelField() throws {
        let text = edit("seed: 7", "seed: 7", "seeds: 8")
        try assertError(text, line: line(of: "seeds:", in: text), field: "seeds",
                        contains: ["unknown field 'seeds'", "expected one of:", "seed", "policy"])
    }

    func testUnknownNestedField() throws {
        let text = edit("rate_per_hour: 60", "rat: 60")
        try assertError(text, line: line(of: "rat:", in: text), field: "workload.synthetic.arrivals.rat",
                        contains: ["unknown field 'rat'", "rate_per_hour", "load"])
    }

    func testUnknownFieldInsideAListElement() throws {
        let text = edit("count: 1", "count: 1", "nics: 8")
        try assertError(text, line: line(of: "nics: 8", in: text), field: "cluster.racks[0].nodes[0].nics",
                        contains: ["unknown field 'nics'", "template", "count", "gpu", "gpus"])
    }

    func testUnknownDistributionParameter() throws {
        let text = edit("lognormal: {mu: 6.0, sigma: 0.8}", "lognormal: {mu: 6.0, sd: 0.8}")
        try assertError(text, line: line(of: "lognormal:", in: text), field: "workload.synthetic.duration_s.lognormal.sd",
                        contains: ["unknown field 'sd'", "mu", "sigma"])
    }

    // MARK: - Wrong types

    func testSeedNotANumber() throws {
        let text = edit("seed: 7", "seed: abc")
        try assertError(text, line: line(of: "seed:", in: text), field: "seed", contains: ["expected a non-negative integer"])
    }

    func testNegativeSeed() throws {
        let text = edit("seed: 7", "seed: -1")
        try assertError(text, line: line(of: "seed:", in: text), field: "seed", contains: ["expected a non-negative integer"])
    }

    func testJobsNotAnInteger() throws {
        let text = edit("jobs: 20", "jobs: \"many\"")
        try assertError(text, line: line(of: "jobs:", in: text), field: "workload.synthetic.jobs", contains: ["expected an integer"])
    }

    func testZeroJobs() throws {
        let text = edit("jobs: 20", "jobs: 0")
        try assertError(text, line: line(of: "jobs:", in: text), field: "workload.synthetic.jobs", contains: ["jobs in 1...1e7", "got 0"])
    }

    func testRacksNotAList() throws {
        // Drop the now-orphaned rack body so the YAML stays well-formed.
        let kept = drop(edit("racks:", "racks: 3"), "- name: rack0", "nodes:", "- template:", "count:")
        try assertError(kept, line: line(of: "racks:", in: kept), field: "cluster.racks", contains: ["expected a list"])
    }

    func testClusterNotAMapping() throws {
        let kept = drop(edit("cluster:", "cluster: 3"), "racks:", "- name: rack0", "nodes:", "- template:", "count:")
        try assertError(kept, line: line(of: "cluster:", in: kept), field: "cluster", contains: ["expected a mapping"])
    }

    /// A list where a number belongs: the message must say what was expected in the scenario's terms, not name
    /// the YAML library's node type.
    func testSeedIsAList() throws {
        let text = edit("seed: 7", "seed: [1, 2]")
        let path = try write(text)
        guard let e = loadError(path) else { return }
        XCTAssertEqual(e.line, line(of: "seed:", in: text), "\(e)")
        XCTAssertEqual(e.field, "seed", "\(e)")
        XCTAssertTrue(e.message.hasPrefix("expected "), "\(e)")
        for jargon in ["Scalar", "Sequence", "Mapping", "Node"] {
            XCTAssertFalse(e.message.contains(jargon), "Yams type name in the message: \(e)")
        }
    }

    // MARK: - Unknown catalog names

    func testUnknownGPUType() throws {
        let text = edit("count: 1", "count: 1", "gpu: a200")
        try assertError(text, line: line(of: "gpu:", in: text), field: "cluster.racks[0].nodes[0].gpu",
                        contains: ["unknown GPU type 'a200'", "a100-40", "a100-80", "h100"])
    }

    func testUnknownGPUTypeInSecondRackAndGroup() throws {
        let text = Self.good.replacingOccurrences(of: "          count: 1\n", with: """
                      count: 1
                - name: rack1
                  nodes:
                    - template: dgx-a100
                    - template: pcie-4gpu
                      count: 2
                      gpu: a200

            """)
        try assertError(text, line: line(of: "gpu:", in: text), field: "cluster.racks[1].nodes[1].gpu",
                        contains: ["unknown GPU type 'a200'"])
    }

    func testUnknownSyntheticGPUType() throws {
        let text = edit("jobs: 20", "jobs: 20", "gpu_type: a200")
        try assertError(text, line: line(of: "gpu_type:", in: text), field: "workload.synthetic.gpu_type",
                        contains: ["unknown GPU type 'a200'"])
    }

    func testSyntheticGPUTypeAbsentFromCluster() throws {
        let text = edit("jobs: 20", "jobs: 20", "gpu_type: h100")
        try assertError(text, line: line(of: "gpu_type:", in: text), field: "workload.synthetic.gpu_type",
                        contains: ["no 'h100'", "a100-80"])
    }

    func testUnknownModel() throws {
        let text = edit("jobs: 20", "jobs: 20", "models:", "  resnet50: 2", "  resnet51: 1")
        try assertError(text, line: line(of: "resnet51:", in: text), field: "workload.synthetic.models.resnet51",
                        contains: ["unknown model 'resnet51'", "resnet50", "bert-base"])
    }

    func testUnknownPolicy() throws {
        let text = edit("name: fifo", "name: lifo")
        try assertError(text, line: line(of: "name: lifo", in: text), field: "policy.name",
                        contains: ["unknown policy 'lifo'", "fifo", "sjf", "backfill"])
    }

    func testUnknownPlacement() throws {
        let text = edit("placement: packed", "placement: scatter")
        try assertError(text, line: line(of: "placement:", in: text), field: "policy.placement",
                        contains: ["unknown placement 'scatter'", "packed", "first-fit", "spread", "topology-aware"])
    }

    func testUnknownTemplate() throws {
        let text = edit("- template: dgx-a100", "- template: dgx-b200")
        try assertError(text, line: line(of: "- template:", in: text), field: "cluster.racks[0].nodes[0].template",
                        contains: ["unknown node template 'dgx-b200'", "dgx-a100", "dgx-h100"])
    }

    func testUnknownPolicyOverride() throws {
        let path = try write(Self.good)
        guard let e = loadError(path, policy: "lifo") else { return }
        XCTAssertEqual(e.file, "--policy")
        XCTAssertTrue(e.message.contains("unknown policy 'lifo'"), "\(e)")
        XCTAssertTrue(e.message.contains("backfill"), "\(e)")
    }

    // `--policy NAME` runs NAME with its defaults, after the file's parameters (with their --set) were read for the
    // file's policy: a --set of policy.params meant for NAME is named in the error it causes, and refused where it
    // would be dropped; with --set policy.name instead, or when the file already names NAME, the parameters apply.
    // A policy without parameters says so.
    func testPolicyOverrideWithParameters() throws {
        let path = try write(Self.good)  // policy fifo
        func load(_ sets: [String], policy: String?) throws(InputError) -> Scenario {
            var overrides: [ScenarioOverride] = []
            for text in sets { overrides.append(try ScenarioOverride(text)) }
            return try ScenarioLoader.load(path: path, overrides: overrides, policy: policy)
        }
        do throws(InputError) {
            _ = try load(["policy.params={order: gittins}"], policy: "tiresias")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.field, "policy.params.order")
            for phrase in ["this mapping takes no fields", "--policy runs tiresias with its default parameters",
                           "use --set policy.name=tiresias instead of --policy"] {
                XCTAssertTrue(error.message.contains(phrase), "\(error)")
            }
        }
        do throws(InputError) {
            _ = try load(["policy.name=tiresias", "policy.params={service: time}"], policy: "srtf")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.file, "--policy")
            XCTAssertTrue(error.message.contains("--set policy.params={service: time} would be ignored"), "\(error)")
        }
        let named = try load(["policy.name=tiresias", "policy.params={order: gittins}"], policy: nil)
        XCTAssertEqual(try XCTUnwrap(named.policy as? TiresiasPolicy).parameters.order, .gittins)
        let same = try load(["policy.name=tiresias", "policy.params={order: gittins}"], policy: "tiresias")
        XCTAssertEqual(try XCTUnwrap(same.policy as? TiresiasPolicy).parameters.order, .gittins)
        do throws(InputError) {
            _ = try load(["policy.params={order: gittins}"], policy: nil)
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.message, "unknown field 'order'; this mapping takes no fields")
        }
    }

    // MARK: - Bad values

    func testNegativeRate() throws {
        let text = edit("rate_per_hour: 60", "rate_per_hour: -3")
        try assertError(text, line: line(of: "rate_per_hour:", in: text), field: "workload.synthetic.arrivals.rate_per_hour",
                        contains: ["in (0, 1e9]", "-3"])
    }

    func testBothRateAndLoad() throws {
        let text = edit("rate_per_hour: 60", "rate_per_hour: 60", "load: 0.8")
        try assertError(text, line: line(of: "arrivals:", in: text), field: "workload.synthetic.arrivals",
                        contains: ["exactly one of 'rate_per_hour' or 'load'"])
    }

    func testNeitherRateNorLoad() throws {
        let text = edit("rate_per_hour: 60", "process: poisson")
        try assertError(text, line: line(of: "arrivals:", in: text), field: "workload.synthetic.arrivals",
                        contains: ["exactly one of 'rate_per_hour' or 'load'"])
    }

    func testNegativeLoad() throws {
        let text = edit("rate_per_hour: 60", "load: -0.5")
        try assertError(text, line: line(of: "load:", in: text), field: "workload.synthetic.arrivals.load",
                        contains: ["in (0, 1000000]", "-0.5"])
    }

    func testBadDistributionParameter() throws {
        let text = edit("lognormal: {mu: 6.0, sigma: 0.8}", "lognormal: {mu: 6.0, sigma: -1}")
        let path = try write(text)
        guard let e = loadError(path) else { return }
        XCTAssertEqual(e.file, path)
        XCTAssertEqual(e.line, line(of: "lognormal:", in: text), "\(e)")
        XCTAssertEqual(e.field, "workload.synthetic.duration_s.lognormal", "\(e)")
        XCTAssertTrue(e.message.contains("sigma"), "\(e)")
    }

    func testBothSyntheticAndTrace() throws {
        let text = edit("synthetic:", "trace:", "  file: t.csv", "synthetic:")
        try assertError(text, line: line(of: "workload:", in: text), field: "workload",
                        contains: ["exactly one of 'synthetic' or 'trace'"])
    }

    // MARK: - Jobs larger than the cluster

    func testSyntheticJobLargerThanCluster() throws {
        // 16 is drawn for half the jobs; the cluster has 8 GPUs.
        let text = edit("values: [1, 2, 4, 8]", "values: [1, 16]").replacingOccurrences(of: "weights: [4, 3, 2, 1]", with: "weights: [1, 1]")
        try assertError(text, line: line(of: "gpus:", in: text), field: "workload.synthetic.gpus",
                        contains: ["16 GPUs", "only 8"])
    }

    func testSyntheticConstantJobLargerThanCluster() throws {
        let kept = drop(edit("gpus:", "gpus: 9"), "categorical:", "values:", "weights:")
        try assertError(kept, line: line(of: "gpus:", in: kept), field: "workload.synthetic.gpus",
                        contains: ["9 GPUs", "only 8"])
    }

    /// A categorical GPU count the cluster can never hold is an error in the scenario, whether or not this
    /// seed happens to draw it: otherwise `check` passes and `run --seed N` fails for some N only.
    func testSyntheticCategoricalValueLargerThanClusterIsRejectedEvenIfNotDrawn() throws {
        let text = edit("values: [1, 2, 4, 8]", "values: [1, 16]")
            .replacingOccurrences(of: "weights: [4, 3, 2, 1]", with: "weights: [1000000, 1]")
            .replacingOccurrences(of: "jobs: 20", with: "jobs: 2")
        try assertError(text, line: line(of: "gpus:", in: text), field: "workload.synthetic.gpus",
                        contains: ["16"])
    }

    /// gpt-1.3b needs 40 GB; a cluster of 16 GB T4s can never run it. The fault is the model mix, not the GPU
    /// counts, so the error must name `workload.synthetic.models` and not advise bounding the GPU-count distribution.
    func testSyntheticModelTooBigForEveryGPU() throws {
        let model = try XCTUnwrap(ModelZoo.named("gpt-1.3b"))
        XCTAssertGreaterThan(model.memoryGB, GPUCatalog.named("t4")!.memoryGB)
        let text = edit(Self.good, "- template: dgx-a100", ["- template: pcie-4gpu"])
            .replacingOccurrences(of: "values: [1, 2, 4, 8]", with: "values: [1, 2, 4]")
            .replacingOccurrences(of: "weights: [4, 3, 2, 1]", with: "weights: [1, 1, 1]")
            .replacingOccurrences(of: "jobs: 20\n", with: "jobs: 20\n    models: {gpt-1.3b: 1}\n")
        let path = try write(text)
        guard let e = loadError(path) else { return }
        XCTAssertEqual(e.file, path)
        XCTAssertTrue(e.message.contains("gpt-1.3b"), "\(e)")
        XCTAssertTrue(e.message.contains("no GPU in the cluster can run it"), "\(e)")
        XCTAssertTrue(e.field?.hasPrefix("workload.synthetic.models") ?? false, "wrong field: \(e)")
        XCTAssertEqual(e.line, line(of: "models:", in: text), "\(e)")
        XCTAssertFalse(e.message.contains("bound the GPU-count distribution"), "misleading advice: \(e)")
    }

    func testTraceJobLargerThanCluster() throws {
        let trace = """
            job_id,submit_time_s,num_gpus,duration_s
            ok-1,10,2,600
            ok-2,20,4,600
            huge,0,999,600

            """
        let tracePath = try write(trace, to: "trace.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "trace.csv"))
        guard let e = loadError(scenarioPath) else { return }
        // The row is first in submit order but on line 4 of the file.
        XCTAssertEqual(e.file, tracePath)
        XCTAssertEqual(e.line, 4, "\(e)")
        XCTAssertEqual(e.field, "num_gpus")
        XCTAssertTrue(e.message.contains("999"), "\(e)")
        XCTAssertTrue(e.message.contains("only 8"), "\(e)")
        XCTAssertTrue(e.description.hasPrefix("\(tracePath):4: num_gpus: "), e.description)
    }

    /// A trace row whose model fits no GPU of the cluster: the fault is the row's `model`, not `num_gpus`.
    func testTraceModelTooBigForEveryGPU() throws {
        let trace = "job_id,submit_time_s,num_gpus,duration_s,gpu_type,model\na,0,1,60,,resnet18\nb,5,1,60,,gpt-1.3b\n"
        let tracePath = try write(trace, to: "trace.csv")
        let scenarioPath = try write(
            Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "trace.csv")
                .replacingOccurrences(of: "template: dgx-a100", with: "template: pcie-4gpu"))
        guard let e = loadError(scenarioPath) else { return }
        XCTAssertEqual(e.file, tracePath)
        XCTAssertEqual(e.line, 3, "\(e)")
        XCTAssertTrue(e.message.contains("gpt-1.3b"), "\(e)")
        XCTAssertEqual(e.field, "model", "wrong column: \(e)")
    }

    /// A trace row that requires a GPU type the cluster lacks: the fault is the row's `gpu_type`, not `num_gpus`.
    func testTraceGPUTypeAbsentFromCluster() throws {
        let trace = "job_id,submit_time_s,num_gpus,duration_s,gpu_type\na,0,1,60,a100-80\nb,5,1,60,h100\n"
        let tracePath = try write(trace, to: "trace.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "trace.csv"))
        guard let e = loadError(scenarioPath) else { return }
        XCTAssertEqual(e.file, tracePath)
        XCTAssertEqual(e.line, 3, "\(e)")
        XCTAssertTrue(e.message.contains("h100"), "\(e)")
        XCTAssertEqual(e.field, "gpu_type", "wrong column: \(e)")
    }

    // MARK: - Trace problems

    func testTraceNonNumericDuration() throws {
        let trace = """
            job_id,submit_time_s,num_gpus,duration_s
            a,0,1,60
            b,5,1,abc
            c,9,1,60

            """
        let tracePath = try write(trace, to: "trace.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "trace.csv"))
        guard let e = loadError(scenarioPath) else { return }
        XCTAssertEqual(e.file, tracePath)
        XCTAssertEqual(e.line, 3)
        XCTAssertEqual(e.field, "duration_s")
        XCTAssertTrue(e.message.contains("'abc'"), "\(e)")
        XCTAssertTrue(e.description.hasSuffix("trace.csv:3: duration_s: expected seconds in (0, 1e9], got 'abc'"), e.description)
    }

    func testTraceWrongFieldCount() throws {
        let trace = "job_id,submit_time_s,num_gpus,duration_s\na,0,1,60\nb,5,1\n"
        let tracePath = try write(trace, to: "trace.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "trace.csv"))
        guard let e = loadError(scenarioPath) else { return }
        XCTAssertEqual(e.file, tracePath)
        XCTAssertEqual(e.line, 3)
        XCTAssertTrue(e.message.contains("expected 4 fields"), "\(e)")
    }

    func testTraceBadHeader() throws {
        let trace = "id,submit,gpus,duration\na,0,1,60\n"
        let tracePath = try write(trace, to: "trace.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "trace.csv"))
        guard let e = loadError(scenarioPath) else { return }
        XCTAssertEqual(e.file, tracePath)
        XCTAssertEqual(e.line, 1)
        XCTAssertTrue(e.message.contains("expected the header"), "\(e)")
    }

    func testTraceUnknownGPUTypeColumn() throws {
        let trace = "job_id,submit_time_s,num_gpus,duration_s,gpu_type\na,0,1,60,a200\n"
        let tracePath = try write(trace, to: "trace.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "trace.csv"))
        guard let e = loadError(scenarioPath) else { return }
        XCTAssertEqual(e.file, tracePath)
        XCTAssertEqual(e.line, 2)
        XCTAssertEqual(e.field, "gpu_type")
        XCTAssertTrue(e.message.contains("'a200'"), "\(e)")
    }

    func testTraceWithNoJobs() throws {
        let tracePath = try write("job_id,submit_time_s,num_gpus,duration_s\n", to: "trace.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "trace.csv"))
        guard let e = loadError(scenarioPath) else { return }
        XCTAssertEqual(e.file, tracePath)
        XCTAssertTrue(e.message.contains("no job rows"), "\(e)")
    }

    func testMissingTraceFile() throws {
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "missing.csv"))
        guard let e = loadError(scenarioPath) else { return }
        // Named by the path it resolved to, next to the scenario (not relative to the working directory).
        XCTAssertEqual(e.file, dir.appendingPathComponent("missing.csv").path)
        XCTAssertNil(e.line)
        XCTAssertTrue(e.message.contains("cannot read the trace file"), "\(e)")
    }

    // MARK: - Missing required fields

    func testMissingPolicy() throws {
        var text = Self.good
        text = text.replacingOccurrences(of: "policy:\n  name: fifo\n  placement: packed\n", with: "")
        XCTAssertFalse(text.contains("policy"))
        try assertError(text, line: 1, field: "policy", contains: ["missing required field"])
    }

    func testMissingJobs() throws {
        let text = edit("jobs: 20", "# no jobs")
        try assertError(text, line: line(of: "synthetic:", in: text), field: "workload.synthetic.jobs",
                        contains: ["missing required field"])
    }

    func testMissingPolicyName() throws {
        let text = edit("name: fifo", "# no name")
        try assertError(text, line: line(of: "policy:", in: text), field: "policy.name", contains: ["missing required field"])
    }

    func testMissingTemplate() throws {
        let text = edit(drop(Self.good, "count:"), "- template: dgx-a100", ["- count: 1"])
        try assertError(text, line: line(of: "- count:", in: text), field: "cluster.racks[0].nodes[0].template",
                        contains: ["missing required field"])
    }

    func testInputErrorRendering() {
        XCTAssertEqual(InputError(file: "s.yaml", line: 3, field: "seed", message: "bad").description, "s.yaml:3: seed: bad")
        XCTAssertEqual(InputError(file: "s.yaml", message: "bad").description, "s.yaml: bad")
        XCTAssertEqual(InputError(file: "t.csv", line: 9, message: "bad").description, "t.csv:9: bad")
    }

    // MARK: - Good scenarios

    func testEveryRepositoryScenarioLoads() throws {
        let scenarios = Self.repoRoot.appendingPathComponent("Scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: scenarios.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(files.isEmpty, "no scenarios under \(scenarios.path)")
        for f in files {
            do {
                let s = try ScenarioLoader.load(path: scenarios.appendingPathComponent(f).path)
                XCTAssertFalse(s.jobs.isEmpty, f)
                XCTAssertGreaterThan(s.topology.gpuCount, 0, f)
                XCTAssertEqual(s.hash.count, 64, f)
                XCTAssertNotNil(PolicyCatalog.entry(s.policyName), f)
            } catch {
                XCTFail("\(f): \(error)")
            }
        }
    }

    func testSameScenarioAndSeedGiveIdenticalJobs() throws {
        let path = Self.repoRoot.appendingPathComponent("Scenarios/quickstart.yaml").path
        let a = try ScenarioLoader.load(path: path)
        let b = try ScenarioLoader.load(path: path)
        XCTAssertEqual(a.jobs.count, 500)
        XCTAssertEqual(a.jobs, b.jobs)
        XCTAssertEqual(a.hash, b.hash)
        XCTAssertEqual(a.seed, 20_261_126)
        let c = try ScenarioLoader.load(path: path, seed: 5)
        let d = try ScenarioLoader.load(path: path, seed: 5)
        XCTAssertEqual(c.jobs, d.jobs)
    }

    func testSeedOverrideChangesSyntheticJobs() throws {
        let path = try write(Self.good)
        let base = try ScenarioLoader.load(path: path)
        let same = try ScenarioLoader.load(path: path, seed: 7)
        let other = try ScenarioLoader.load(path: path, seed: 8)
        XCTAssertEqual(base.seed, 7)
        XCTAssertEqual(other.seed, 8)
        XCTAssertEqual(base.jobs, same.jobs, "--seed equal to the file's seed must change nothing")
        XCTAssertEqual(other.jobs.count, base.jobs.count)
        XCTAssertNotEqual(other.jobs.map(\.submitTime), base.jobs.map(\.submitTime))
        XCTAssertEqual(base.hash, other.hash, "the hash covers the files, not the seed")
    }

    func testFallbackSeedOnlyWhenNoSeedAnywhere() throws {
        let noSeed = edit("seed: 7", "# no seed")
        let path = try write(noSeed)
        var calls = 0
        let s = try ScenarioLoader.load(path: path, fallbackSeed: { calls += 1; return 99 })
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(s.seed, 99)
        XCTAssertEqual(s.jobs, try ScenarioLoader.load(path: try write(Self.good), seed: 99).jobs)
        calls = 0
        _ = try ScenarioLoader.load(path: path, seed: 3, fallbackSeed: { calls += 1; return 99 })
        XCTAssertEqual(calls, 0)
    }

    func testPolicyOverride() throws {
        let path = try write(Self.good)
        let fifo = try ScenarioLoader.load(path: path)
        XCTAssertEqual(fifo.policyName, "fifo")
        XCTAssertTrue(fifo.policy is FIFOPolicy)
        let sjf = try ScenarioLoader.load(path: path, policy: "sjf")
        XCTAssertEqual(sjf.policyName, "sjf")
        XCTAssertTrue(sjf.policy is SJFPolicy, "\(type(of: sjf.policy))")
        XCTAssertEqual(sjf.placementName, "packed")
        XCTAssertEqual(sjf.jobs, fifo.jobs, "the policy override must not change the jobs")
        let backfill = try ScenarioLoader.load(path: path, policy: "backfill")
        XCTAssertEqual(backfill.policyName, "backfill")
        XCTAssertTrue(backfill.policy is EASYBackfillPolicy, "\(type(of: backfill.policy))")
    }

    func testNameDefaultsToFileName() throws {
        let path = try write(edit("name: tiny", "# unnamed"), to: "my-scenario.yaml")
        XCTAssertEqual(try ScenarioLoader.load(path: path).name, "my-scenario")
    }

    func testRelativeTracePathResolvesAgainstScenarioDirectory() throws {
        try write(Self.goodTrace, to: "sub/traces/t.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "traces/t.csv"), to: "sub/s.yaml")
        // The working directory is not the scenario's directory.
        XCTAssertNotEqual(FileManager.default.currentDirectoryPath, dir.appendingPathComponent("sub").path)
        let s = try ScenarioLoader.load(path: scenarioPath)
        XCTAssertEqual(s.jobs.map(\.name), ["j-b", "j-c", "j-a"], "trace jobs sorted by submit time")
        XCTAssertEqual(s.jobs.map(\.gpuCount), [8, 1, 2])
        XCTAssertEqual(s.jobs.map(\.id.index), [0, 1, 2])
        XCTAssertEqual(s.jobs.map(\.user), ["bob", nil, "alice"])
        XCTAssertEqual(s.policyName, "backfill")

        // An absolute path works from anywhere too.
        let absolute = try write(
            Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: dir.appendingPathComponent("sub/traces/t.csv").path),
            to: "elsewhere/s.yaml")
        XCTAssertEqual(try ScenarioLoader.load(path: absolute).jobs, s.jobs)
    }

    func testHashChangesWhenTraceChanges() throws {
        let tracePath = try write(Self.goodTrace, to: "t.csv")
        let scenarioPath = try write(Self.traceScenario.replacingOccurrences(of: "{TRACE}", with: "t.csv"))
        let before = try ScenarioLoader.load(path: scenarioPath)
        XCTAssertEqual(try ScenarioLoader.load(path: scenarioPath).hash, before.hash)
        try (Self.goodTrace + "j-d,70,1,45,,,,\n").write(toFile: tracePath, atomically: true, encoding: .utf8)
        let after = try ScenarioLoader.load(path: scenarioPath)
        XCTAssertEqual(after.jobs.count, 4)
        XCTAssertNotEqual(after.hash, before.hash)
        XCTAssertEqual(after.hash.count, 64)
    }

    func testHashChangesWhenScenarioChanges() throws {
        let a = try ScenarioLoader.load(path: try write(Self.good, to: "a.yaml"))
        let b = try ScenarioLoader.load(path: try write(Self.good + "# a comment\n", to: "b.yaml"))
        XCTAssertNotEqual(a.hash, b.hash)
        XCTAssertEqual(a.jobs, b.jobs)
    }

    func testRepositoryTraceScenario() throws {
        let s = try ScenarioLoader.load(path: Self.repoRoot.appendingPathComponent("Scenarios/itp-cluster10.yaml").path)
        XCTAssertEqual(s.jobs.count, 260)
        XCTAssertEqual(s.topology.gpuCount, 48)
        XCTAssertEqual(s.jobs.map(\.submitTime), s.jobs.map(\.submitTime).sorted())
    }

    // MARK: - checkpoint:

    // Without the section transitions are free; with it the loader builds the checkpoint-restart model from GB/s and
    // GB (write 2 GB/s, read 4 GB/s, 14 GB of state: checkpoint 5 + 7 s, restore 10 + 3.5 s).
    func testCheckpointSectionBuildsTheCostModel() throws {
        XCTAssertTrue(try ScenarioLoader.load(path: try write(Self.good)).transitionCosts is FreeTransitions)
        let text = Self.good + """
            checkpoint:
              write_gbps: 2
              read_gbps: 4
              save_overhead_s: 5
              load_overhead_s: 10
              state_gb: 14
              first_start: true

            """
        let costs = try XCTUnwrap(try ScenarioLoader.load(path: try write(text)).transitionCosts as? CheckpointRestartCosts)
        XCTAssertEqual(costs, CheckpointRestartCosts(
            writeBytesPerSecond: 2e9, readBytesPerSecond: 4e9, saveOverheadSeconds: 5, loadOverheadSeconds: 10, stateBytes: 14e9,
            defaultStateBytes: 0, chargeFirstStart: true))
    }

    // Missing bandwidths, non-positive or negative numbers and unknown keys are located errors.
    func testCheckpointSectionErrors() throws {
        let base = Self.good + "checkpoint:\n  write_gbps: 2\n  read_gbps: 4\n"
        let at = (line(of: "checkpoint:", in: base) ?? 0)
        try assertError(edit(base, "read_gbps: 4", ["read_gbps: 0"]), line: at + 2, field: "checkpoint.read_gbps",
                        contains: ["expected GB/s in 0.001...10000, got 0"])
        try assertError(drop(base, "write_gbps"), line: at, field: "checkpoint.write_gbps", contains: ["missing required field"])
        try assertError(base + "  state_gb: -1\n", line: at + 3, field: "checkpoint.state_gb", contains: ["expected GB in 0...100000, got -1"])
        try assertError(base + "  interval: 60\n", line: at + 3, field: "checkpoint.interval",
                        contains: ["unknown field 'interval'", "write_gbps, read_gbps"])
    }

    // MARK: - sharing:

    // Without the section: two jobs per GPU and the measured table; with it, every field arrives and `factors`
    // entries add to the table.
    func testSharingSectionBuildsTheModel() throws {
        XCTAssertEqual(try ScenarioLoader.load(path: try write(Self.good)).sharing, GPUSharingModel())
        let text = Self.good + """
            sharing:
              max_jobs_per_gpu: 3
              default_factor: 0.7
              time_slice_s: 30
              switch_overhead_s: 0.5
              factors:
                - {model: bert-base, with: resnet18, factor: 0.8}

            """
        let m = try ScenarioLoader.load(path: try write(text)).sharing
        var expected = GPUSharingModel(maxJobsPerGPU: 3, defaultFactor: 0.7, timeSliceSeconds: 30, switchOverheadSeconds: 0.5)
        expected.setFactor(0.8, model: ModelZoo.index(named: "bert-base")!, with: ModelZoo.index(named: "resnet18")!)
        XCTAssertEqual(m, expected)
        XCTAssertEqual(m.packedFactor(ModelZoo.index(named: "bert-base"), with: ModelZoo.index(named: "resnet18")), 0.8)
        XCTAssertEqual(m.packedFactor(ModelZoo.index(named: "resnet18"), with: ModelZoo.index(named: "bert-base")), 0.7)
    }

    // Out-of-range numbers, an overhead not below the slice, and an unknown model are located errors.
    func testSharingSectionErrors() throws {
        let base = Self.good + "sharing:\n  max_jobs_per_gpu: 2\n"
        let at = (line(of: "sharing:", in: base) ?? 0)
        try assertError(edit(base, "max_jobs_per_gpu: 2", ["max_jobs_per_gpu: 9"]), line: at + 1, field: "sharing.max_jobs_per_gpu",
                        contains: ["expected jobs per GPU in 1...8, got 9"])
        try assertError(base + "  default_factor: 0\n", line: at + 2, field: "sharing.default_factor",
                        contains: ["expected a speed factor in 0.001...1, got 0"])
        try assertError(base + "  time_slice_s: 10\n  switch_overhead_s: 10\n", line: at + 3, field: "sharing.switch_overhead_s",
                        contains: ["expected less than time_slice_s"])
        try assertError(base + "  factors:\n    - {model: gpt-9, with: lm, factor: 0.5}\n", line: at + 3,
                        field: "sharing.factors[0].model", contains: ["'gpt-9'", "resnet50"])
        try assertError(base + "  slice_s: 60\n", line: at + 2, field: "sharing.slice_s", contains: ["unknown field 'slice_s'"])
    }

    // MARK: - failures:

    // Without the section there are no failures; with it the loader builds the engine's model from the distributions
    // (a plain number is a constant), seeded with the run's master seed, and takes the interval from `checkpoint:`.
    func testFailuresSectionBuildsTheModel() throws {
        XCTAssertNil(try ScenarioLoader.load(path: try write(Self.good)).failures)
        let text = Self.good + """
            checkpoint:
              write_gbps: 2
              read_gbps: 4
              interval_s: 1800
            failures:
              node: {mtbf_h: {exponential: {mean: 2000}}, repair_h: {lognormal: {mu: 1.0, sigma: 0.5}}}
              gpu:
                mtbf_h: 10000
                repair_h: {uniform: {low: 0, high: 8}}

            """
        let s = try ScenarioLoader.load(path: try write(text))
        XCTAssertEqual(s.failures, FailureModel(
            node: FailureProcess(timeBetweenFailuresHours: .exponential(mean: 2000), repairHours: .lognormal(mu: 1, sigma: 0.5)),
            gpu: FailureProcess(timeBetweenFailuresHours: .constant(10000), repairHours: .uniform(low: 0, high: 8)),
            seed: 7, checkpointIntervalSeconds: 1800))
        let reseeded = try ScenarioLoader.load(path: try write(text), seed: 99)
        XCTAssertEqual(reseeded.failures?.seed, 99)
        // Only node failures, no checkpoint section: no interval.
        let nodeOnly = try ScenarioLoader.load(path: try write(Self.good + "failures:\n  node: {mtbf_h: 100, repair_h: 2}\n"))
        XCTAssertEqual(nodeOnly.failures?.gpu, nil)
        XCTAssertEqual(nodeOnly.failures?.checkpointIntervalSeconds, nil)
        XCTAssertEqual(nodeOnly.failures?.node?.timeBetweenFailuresHours, .constant(100))
        // It runs: the scenario's simulation has the failure processes.
        let r = try nodeOnly.makeSimulation(options: SimulationOptions(checkInvariants: true)).run()
        XCTAssertEqual(r.unfinishedJobs, [])
    }

    // Bad distributions, non-positive times between failures, negative repairs, an empty section, unknown keys and a
    // bad interval are located errors.
    func testFailuresSectionErrors() throws {
        let base = Self.good + "failures:\n  node:\n    mtbf_h: 100\n    repair_h: 2\n"
        let at = (line(of: "failures:", in: base) ?? 0)
        try assertError(edit(base, "mtbf_h: 100", ["mtbf_h: -5"]), line: at + 2, field: "failures.node.mtbf_h",
                        contains: ["expected hours in (0, 1e7], got -5"])
        try assertError(edit(base, "mtbf_h: 100", ["mtbf_h: 0"]), line: at + 2, field: "failures.node.mtbf_h",
                        contains: ["expected hours in (0, 1e7], got 0"])
        try assertError(edit(base, "repair_h: 2", ["repair_h: -1"]), line: at + 3, field: "failures.node.repair_h",
                        contains: ["expected hours in 0...1000000, got -1"])
        try assertError(edit(base, "mtbf_h: 100", ["mtbf_h: {exponential: {mean: -3}}"]), line: at + 2,
                        field: "failures.node.mtbf_h.exponential", contains: ["mean must be a finite number > 0"])
        try assertError(edit(base, "mtbf_h: 100", ["mtbf_h: {poisson: {mean: 3}}"]), line: at + 2, field: "failures.node.mtbf_h.poisson",
                        contains: ["unknown field 'poisson'"])
        try assertError(edit(base, "repair_h: 2", ["repair_h: {uniform: {low: -1, high: 2}}"]), line: at + 3,
                        field: "failures.node.repair_h", contains: ["uniform distribution within hours in 0...1000000, got [-1, 2)"])
        try assertError(drop(base, "repair_h"), line: at + 1, field: "failures.node.repair_h", contains: ["missing required field"])
        try assertError(base + "  rack: {mtbf_h: 1, repair_h: 1}\n", line: at + 4, field: "failures.rack",
                        contains: ["unknown field 'rack'", "node, gpu"])
        try assertError(Self.good + "failures: {}\n", line: line(of: "failures:", in: Self.good + "failures: {}\n"), field: "failures",
                        contains: ["expected at least one of 'node' or 'gpu'"])
        let ck = base + "checkpoint:\n  write_gbps: 2\n  read_gbps: 4\n  interval_s: 0\n"
        try assertError(ck, line: line(of: "interval_s", in: ck), field: "checkpoint.interval_s", contains: ["expected seconds in (0, 1e9], got 0"])
    }
}
