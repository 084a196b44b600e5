import Engine
import Foundation
import Scenario
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Paths, scenarios and checks shared by the external-policy tests.
enum ExternalTestSupport {
    /// The repository root: this file is Tests/ExternalPolicyTests/ExternalTestSupport.swift.
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// python/examples.
    static let examples = repoRoot.appendingPathComponent("python/examples")
    /// This target's fixture policies.
    static let fixtures = repoRoot.appendingPathComponent("Tests/ExternalPolicyTests/Fixtures")

    /// A single-type cluster: 64 GPUs (8 DGX-A100-like nodes), `jobs` zoo-model jobs arriving faster than they run.
    static func singleType(jobs: Int = 300) -> String {
        """
        name: external-single-type
        seed: 20261126
        cluster:
          racks:
            - name: rack0
              nodes:
                - {template: dgx-a100, count: 8}
        workload:
          synthetic:
            jobs: \(jobs)
            arrivals: {process: poisson, rate_per_hour: 90}
            gpus: {categorical: {values: [1, 2, 4, 8, 16], weights: [40, 20, 20, 15, 5]}}
            duration_s: {lognormal: {mu: 6.5, sigma: 1.0}}
            models: {resnet50: 3, bert-base: 2, transformer: 2, lm: 1, resnet18: 1, gpt-1.3b: 1}

        """
    }

    /// Three GPU types in three racks (A100 with NVSwitch, V100 and L4 on PCIe); gpt-1.3b runs on the A100s only,
    /// so jobs have different eligible types.
    static let threeTypes = """
        name: external-three-types
        seed: 20261201
        cluster:
          racks:
            - name: a100
              nodes:
                - {template: dgx-a100, count: 2}
            - name: v100
              nodes:
                - {template: pcie-8gpu, gpu: v100-32, count: 2}
            - name: l4
              nodes:
                - {template: pcie-8gpu, count: 1}
        workload:
          synthetic:
            jobs: 300
            arrivals: {process: poisson, load: 0.9}
            gpus: {categorical: {values: [1, 2, 4, 8, 16], weights: [50, 20, 15, 10, 5]}}
            duration_s: {lognormal: {mu: 7.0, sigma: 1.4}}
            models: {resnet50: 3, bert-base: 2, transformer: 2, lm: 2, resnet18: 2, gpt-1.3b: 1}

        """

    /// Two racks of PCIe nodes under an 8:1 oversubscribed spine with the flow-level network model (running jobs
    /// change speed as others start and stop), timed checkpoints, node failures (GPUs go down and come back), and
    /// GPU sharing allowed.
    static let contended = """
        name: external-contended
        seed: 42
        cluster:
          racks:
            - {name: rack0, nodes: [{template: pcie-8gpu, count: 4}]}
            - {name: rack1, nodes: [{template: pcie-8gpu, count: 4}]}
        network: {model: flow, oversubscription: 8}
        workload:
          synthetic:
            jobs: 200
            arrivals: {process: poisson, load: 0.8}
            gpus: {categorical: {values: [4, 8, 12, 16, 24], weights: [3, 4, 2, 2, 1]}}
            duration_s: {lognormal: {mu: 7.0, sigma: 0.8}}
            models: {lm: 3, transformer: 2, resnet50: 1}
        checkpoint: {write_gbps: 2, read_gbps: 4, load_overhead_s: 10, interval_s: 1800}
        failures:
          node: {mtbf_h: {exponential: {mean: 4}}, repair_h: 1}
        sharing: {max_jobs_per_gpu: 2}

        """

    /// The shipped ITP cluster10 trace (260 jobs) on 6 DGX-A100-like nodes.
    static let itpTrace = """
        name: external-itp-cluster10
        seed: 1
        cluster:
          racks:
            - name: rack0
              nodes:
                - {template: dgx-a100, count: 6}
        workload:
          trace:
            file: traces/itp-cluster10.csv

        """

    /// A `policy:` section: a Swift policy, or (with `command`) an external one.
    static func policy(
        _ name: String, command: [String]? = nil, placement: String = "packed", params: String? = nil, timeout: Double? = nil
    ) -> String {
        var lines = ["policy:", "  name: \(command == nil ? name : "external")", "  placement: \(placement)"]
        if let command { lines.append("  command: [\(command.map { "'\($0)'" }.joined(separator: ", "))]") }
        if let params { lines.append("  params: \(params)") }
        if let timeout { lines.append("  timeout_s: \(timeout)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The command running example `file` (in python/examples).
    static func example(_ file: String, _ args: String...) -> [String] {
        ["python3", examples.appendingPathComponent(file).path] + args
    }

    /// The command running fixture `file` (in Tests/ExternalPolicyTests/Fixtures).
    static func fixture(_ file: String, _ args: String...) -> [String] {
        ["python3", fixtures.appendingPathComponent(file).path] + args
    }

    /// Loads a scenario's text as if it were a file in Scenarios/ (so `traces/...` resolves to the shipped traces).
    static func load(_ text: String, overrides: [String] = [], policy: String? = nil) throws -> Scenario {
        let path = repoRoot.appendingPathComponent("Scenarios/external-test.yaml").path
        return try ScenarioLoader.load(text: text, path: path, overrides: try overrides.map { try ScenarioOverride($0) }, policy: policy)
    }

    /// Runs a scenario to its end; the simulation (and with it any policy process) is gone when this returns.
    static func run(_ scenario: Scenario) throws -> RunResult {
        try scenario.makeSimulation().run()
    }

    /// Runs a scenario expected to fail with `SimulationError.policyFailed`; its description.
    static func failure(_ scenario: Scenario, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            let result = try scenario.makeSimulation().run()
            XCTFail("the run succeeded (\(result.jobs.count) jobs) but should have failed", file: file, line: line)
            return nil
        } catch {
            guard case .policyFailed = error else {
                XCTFail("expected policyFailed, got \(error)", file: file, line: line)
                return nil
            }
            return error.description
        }
    }

    /// Fails unless this process has no child process at all, running or zombie: `waitpid(-1)` answers ECHILD.
    static func assertNoChildProcesses(file: StaticString = #filePath, line: UInt = #line) {
        var status: Int32 = 0
        let r = waitpid(-1, &status, WNOHANG)
        XCTAssertEqual(r, -1, "a child process is left (waitpid returned \(r))", file: file, line: line)
        XCTAssertEqual(errno, ECHILD, "a child process is left", file: file, line: line)
    }

    /// Whether python3 is on PATH (CI has it; the tests fail, rather than skip, without it).
    static var hasPython: Bool {
        ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/python3")
        } ?? false
    }
}
