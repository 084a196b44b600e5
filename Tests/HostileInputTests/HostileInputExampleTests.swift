import Foundation
import SimTestSupport
import XCTest

/// Every hostile-input example of issue 11 (numbers too large, times past the simulated clock, absurd capacities,
/// `check` passing what `run` then failed on, values accepted silently), run through the built `schedlab` with a time
/// limit: each must exit 2 with exactly one located line naming the file and the field or line and what was expected,
/// and `run` must agree with `check`. The valid neighbours of those inputs must check and run.
final class HostileInputExampleTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-hostile-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// Runs `schedlab args` in the test directory, killed after `limit` seconds (status 124: a hang).
    func schedlab(_ args: [String], limit: Int = 60) throws -> SchedLabBinary.Output {
        guard let binary = SchedLabBinary.url else { throw XCTSkip("no schedlab binary (build it, or set SCHEDLAB_BIN)") }
        return try SchedLabBinary.run(URL(fileURLWithPath: "/usr/bin/timeout"), ["\(limit)", binary.path] + args, in: dir)
    }

    func write(_ text: String, _ name: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// A synthetic scenario on two 8-GPU nodes with the given workload fields, and any extra top-level YAML.
    func synthetic(gpus: String = "2", duration: String = "600", jobs: String = "20", rate: String = "90", count: String = "2",
                   models: Bool = false, extra: String = "") -> String {
        """
        seed: 1
        cluster:
          racks:
            - nodes:
                - template: dgx-a100
                  count: \(count)
        workload:
          synthetic:
            jobs: \(jobs)
            arrivals: {process: poisson, rate_per_hour: \(rate)}
            gpus: \(gpus)
            duration_s: \(duration)
        \(models ? "    models: {resnet50: 1}\n" : "")policy: {name: fifo}
        \(extra)
        """
    }

    /// A trace scenario over `trace`, on two 8-GPU nodes or a cluster sized from the trace.
    func traceScenario(_ trace: String, cluster: String = "racks: [{nodes: [{template: dgx-a100, count: 2}]}]", fields: String = "") -> String {
        "seed: 1\ncluster: {\(cluster)}\nworkload: {trace: {file: \(trace)\(fields)}}\npolicy: {name: fifo}\n"
    }

    static let header = "job_id,submit_time_s,num_gpus,duration_s\n"

    /// Asserts `schedlab args` exits 2 with one line `error: FILE...` holding every one of `expected`.
    func assertRejected(_ args: [String], _ expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let out = try schedlab(args)
        let lines = out.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(out.status, 2, "\(args): \(out.stderr.prefix(600))", file: file, line: line)
        XCTAssertEqual(lines.count, 1, "\(args): expected one line, got \(out.stderr.prefix(600))", file: file, line: line)
        let text = String(lines.first ?? "")
        XCTAssertTrue(text.hasPrefix("error: "), text, file: file, line: line)
        for e in expected { XCTAssertTrue(text.contains(e), "\(args): '\(text)' lacks '\(e)'", file: file, line: line) }
    }

    /// A scenario `check` must reject with `expected` in its line, and `run` likewise (no simulation, nothing written).
    func assertScenarioRejected(_ name: String, _ text: String, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        try write(text, name)
        // An error in a trace names the trace file and line; any other names the scenario file.
        let located = expected.contains { $0.contains(".csv") } ? expected : [name] + expected
        try assertRejected(["check", name], located, file: file, line: line)
        try assertRejected(["run", name, "--no-db"], located, file: file, line: line)
    }

    /// A scenario `check` and `run` must both accept.
    func assertScenarioRuns(_ name: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try write(text, name)
        let check = try schedlab(["check", name])
        XCTAssertEqual(check.status, 0, check.stderr, file: file, line: line)
        let run = try schedlab(["run", name, "--no-db"])
        XCTAssertEqual(run.status, 0, run.stderr.prefix(600).description, file: file, line: line)
    }

    // MARK: - Numbers too large for an integer

    func testHugeCategoricalGPUCountIsRejected() throws {
        try assertScenarioRejected("gpus-1e308.yaml", synthetic(gpus: "{categorical: {values: [1e308]}}"), [":11:", "workload.synthetic.gpus", "1...1000000"])
    }

    func testIntMaxGPURowIsRejectedByEveryTraceCommand() throws {
        try write(Self.header + "a,0,9223372036854775807,10\nb,5,2,10\n", "t.csv")
        try assertRejected(["trace", "stats", "t.csv"], ["t.csv:2", "num_gpus", "1...1000000"])
        try assertRejected(["trace", "import", "--format", "canonical", "t.csv", "-o", "out.csv"], ["t.csv:2", "num_gpus"])
        try assertScenarioRejected("s.yaml", traceScenario("t.csv"), ["t.csv:2", "num_gpus", "GPUs in 1...1000000"])
    }

    func testNodeCountNearIntMaxIsRejected() throws {
        for count in ["9223372036854775807", "9223372036854775000", "100000000"] {
            try assertScenarioRejected("count.yaml", synthetic(count: count), ["cluster.racks[0].nodes[0].count", "nodes in 1...20000"])
        }
    }

    func testManyNodeGroupsPastTheClusterLimitAreRejected() throws {
        let groups = Array(repeating: "{template: dgx-a100, count: 20000}", count: 3).joined(separator: ", ")
        try assertScenarioRejected("groups.yaml", synthetic().replacingOccurrences(
            of: "    - nodes:\n        - template: dgx-a100\n          count: 2", with: "    - nodes: [\(groups)]"), ["cluster.racks", "60000 nodes", "at most 20000"])
    }

    func testBillionJobsAreRejected() throws {
        try assertScenarioRejected("jobs-1e9.yaml", synthetic(jobs: "1e9"), ["workload.synthetic.jobs"])
        try assertScenarioRejected("jobs-int.yaml", synthetic(jobs: "1000000000"), ["workload.synthetic.jobs", "jobs in 1...1e7"])
    }

    // MARK: - Times beyond SimTime

    func testTraceTimesPastTheClockAreRejected() throws {
        try write(Self.header + "a,0,1,1e10\n", "d.csv")
        try write(Self.header + "a,1e10,1,10\n", "s.csv")
        try assertScenarioRejected("d.yaml", traceScenario("d.csv"), ["d.csv:2", "duration_s", "(0, 1e9]"])
        try assertScenarioRejected("s.yaml", traceScenario("s.csv"), ["s.csv:2", "submit_time_s", "0...6e9"])
        try assertRejected(["trace", "stats", "d.csv"], ["d.csv:2", "duration_s"])
        try assertRejected(["trace", "stats", "s.csv"], ["s.csv:2", "submit_time_s"])
    }

    func testWindowEndAtIntMaxIsRejected() throws {
        try write(Self.header + "a,0,2,100\nb,10,4,100\n", "t.csv")
        try assertScenarioRejected("w.yaml", traceScenario("t.csv", fields: ", window: {end_s: 9223372036854775807}"),
                                   ["workload.trace.window.end_s", "(0, 6e9]"])
    }

    func testLognormalDurationsPastTheClockAreRejected() throws {
        try assertScenarioRejected("mu30.yaml", synthetic(duration: "{lognormal: {mu: 30, sigma: 1}}"),
                                   ["workload.synthetic.duration_s", "mean is at most 1e9"])
    }

    func testVanishingRateIsRejected() throws {
        try assertScenarioRejected("rate.yaml", synthetic(rate: "1e-300"), ["workload.synthetic.arrivals", "years"])
    }

    func testHugeTimeScaleIsRejected() throws {
        try write(Self.header + "a,0,2,100\nb,10,4,100\n", "t.csv")
        try assertScenarioRejected("ts.yaml", traceScenario("t.csv", fields: ", time_scale: 1e308"), ["workload.trace.time_scale", "(0, 1000000]"])
    }

    // MARK: - Capacities that hang or overflow

    func testAbsurdCapacitiesAreRejected() throws {
        try write(Self.header + "a,0,2,100\nb,10,4,100\nc,20,1,50\n", "t.csv")
        for capacity in ["1e308", "9e15"] {
            try assertScenarioRejected("cap.yaml", traceScenario("t.csv", cluster: "from_trace: {template: dgx-a100, capacity: \(capacity)}"),
                                       ["cluster.from_trace.capacity", "(0, 1000]"])
        }
        // The largest capacity allowed still needs a cluster past the node limit for this trace's peak of 6 GPUs × 1000.
        try assertScenarioRuns("cap-ok.yaml", traceScenario("t.csv", cluster: "from_trace: {template: dgx-a100, capacity: 2}"))
    }

    func testClusterSizedFromHugeRowsIsRejected() throws {
        for gpus in ["2147483648", "100000000"] {
            try write(Self.header + "a,0,\(gpus),10\n", "t.csv")
            try assertScenarioRejected("big.yaml", traceScenario("t.csv", cluster: "from_trace: {template: dgx-a100}"), ["t.csv:2", "num_gpus"])
        }
        // The largest row allowed, 1e6 GPUs, needs 125000 nodes: past the node limit, so rejected rather than run for hours.
        try write(Self.header + "a,0,1000000,10\n", "t.csv")
        try assertScenarioRejected("max.yaml", traceScenario("t.csv", cluster: "from_trace: {template: dgx-a100}"),
                                   ["cluster.from_trace", "125000 nodes", "at most 20000"])
        // Within the limits, a cluster sized from the trace runs.
        try write(Self.header + "a,0,4000,10\nb,5,8,10\n", "t.csv")
        try assertScenarioRuns("fits.yaml", traceScenario("t.csv", cluster: "from_trace: {template: dgx-a100}"))
    }

    // MARK: - check said ok, then run failed

    func testZeroNICBandwidthIsRejected() throws {
        let extra = "network: {templates: {dgx-a100: {nic_gbps: 0}}}"
        try assertScenarioRejected("nic.yaml", synthetic(gpus: "16", models: true, extra: extra),
                                   ["network.templates.dgx-a100.nic_gbps", "GB/s in 0.01...100000"])
        try assertScenarioRuns("nic-ok.yaml", synthetic(gpus: "16", models: true, extra: "network: {templates: {dgx-a100: {nic_gbps: 25}}}"))
    }

    func testLinksTooSlowForTheClockAreRejected() throws {
        // Found beyond the issue's examples: vanishing bandwidths or efficiencies trapped in `run` after `check` said ok.
        for extra in ["network: {templates: {dgx-a100: {nic_gbps: 1e-300}}}", "network: {nic_efficiency: 1e-300}",
                      "network: {intra_node_efficiency: 1e-300}"] {
            try assertScenarioRejected("slow.yaml", synthetic(gpus: "16", models: true, extra: extra), ["network.", "0.01...", "got 1e-300"])
        }
        // Within every range, but a 900-million-second job on 0.01 GB/s NICs at 1% efficiency would outlast the clock.
        try assertScenarioRejected("slowest.yaml", synthetic(gpus: "16", duration: "900000000", jobs: "3", models: true,
                                                             extra: "network: {nic_efficiency: 0.01, templates: {dgx-a100: {nic_gbps: 0.01}}}"),
                                   ["network:", "reference placement", "expected at most 2e9 s"])
    }

    func testFailuresFasterThanAnyJobCanFinishAreRejected() throws {
        // Found beyond the issue's examples: failures every few seconds made `run` restart jobs forever (a hang).
        for (failures, field) in [("{node: {mtbf_h: 1e-300, repair_h: 1}}", "failures.node.mtbf_h"),
                                  ("{node: {mtbf_h: 0.001, repair_h: 1}}", "failures.node.mtbf_h"),
                                  ("{gpu: {mtbf_h: 0.01, repair_h: 0}}", "failures.gpu.mtbf_h")] {
            try assertScenarioRejected("f.yaml", synthetic(gpus: "16", models: true, extra: "failures: \(failures)"),
                                       [field, "attempts to finish", "expected at most e^10"])
        }
        try assertScenarioRuns("f-ok.yaml", synthetic(gpus: "16", models: true, extra: "failures: {node: {mtbf_h: 1, repair_h: 1}}"))
    }

    func testTinyLinkSampleIntervalIsRejected() throws {
        try assertScenarioRejected("ls.yaml", synthetic(gpus: "16", models: true, extra: "network: {link_sample_s: 0.001}"),
                                   ["network.link_sample_s", "1...1e9"])
        // Allowed by the range, but a million samples over the arrivals' span: rejected with the interval that would do.
        try assertScenarioRejected("ls-span.yaml", synthetic(gpus: "16", jobs: "2000", rate: "1", models: true, extra: "network: {link_sample_s: 1}"),
                                   ["network.link_sample_s", "samples", "expected at most 1000000", "link_sample_s >= 8"])
        try assertScenarioRuns("ls-ok.yaml", synthetic(gpus: "16", models: true, extra: "network: {link_sample_s: 60}"))
    }

    // MARK: - Values accepted silently

    func testNonPositiveOrFractionalGPUCountsAreRejected() throws {
        for gpus in ["0", "-3", "1.5", "{categorical: {values: [1, 0.5]}}"] {
            try assertScenarioRejected("g.yaml", synthetic(gpus: gpus), ["workload.synthetic.gpus", "whole numbers of GPUs in 1...1000000"])
        }
        try assertScenarioRuns("g-ok.yaml", synthetic(gpus: "{categorical: {values: [1, 2, 4]}}"))
    }

    func testNonPositiveDurationsAreRejected() throws {
        for d in ["0", "-5", "{uniform: {low: -10, high: 5}}"] {
            try assertScenarioRejected("d.yaml", synthetic(duration: d), ["workload.synthetic.duration_s", "seconds in (0, 1e9]"])
        }
    }

    func testNegativeSmallMessageBytesAreRejected() throws {
        try assertScenarioRejected("smb.yaml", synthetic(extra: "network: {small_message_bytes: -1}"),
                                   ["network.small_message_bytes", "bytes in 0...1e15"])
    }

    func testDuplicateJobIDsAreRejectedEverywhere() throws {
        try write(Self.header + "a,0,2,10\na,5,2,10\n", "t.csv")
        let expected = ["t.csv:3", "job_id", "also on line 2"]
        try assertScenarioRejected("dup.yaml", traceScenario("t.csv"), expected)
        try assertRejected(["trace", "stats", "t.csv"], expected)
        try assertRejected(["trace", "import", "--format", "canonical", "t.csv", "-o", "out.csv"], expected)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.csv").path))
    }

    func testHeaderOnlyTraceIsAnErrorEverywhere() throws {
        try write(Self.header, "t.csv")
        try assertScenarioRejected("h.yaml", traceScenario("t.csv"), ["t.csv", "no job rows"])
        try assertRejected(["trace", "stats", "t.csv"], ["t.csv", "no job rows"])
        try assertRejected(["trace", "import", "--format", "canonical", "t.csv", "-o", "out.csv"], ["t.csv", "no job rows"])
    }

    // MARK: - Resource bounds

    func testMemoryBudgetRejectsWithTheEstimate() throws {
        // Within every declared range, but ten million jobs need more than the default budget.
        try assertScenarioRejected("mem.yaml", synthetic(jobs: "10000000", rate: "1000000"),
                                   ["workload.synthetic.jobs", "would need about", "GB", "limits.memory_gb"])
        // A budget too small for a modest cluster names the cluster.
        try assertScenarioRejected("mem-cluster.yaml", synthetic(count: "20000", extra: "limits: {memory_gb: 0.05}"),
                                   ["cluster.racks", "would need about"])
        try assertScenarioRuns("mem-ok.yaml", synthetic(extra: "limits: {memory_gb: 1}"))
    }
}
