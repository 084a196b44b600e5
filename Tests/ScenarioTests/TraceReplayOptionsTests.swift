import ClusterModel
import Foundation
import Models
import Scenario
import SimKernel
import Workload
import XCTest

/// Trace replay options of a scenario: window, filter, time scale, seeded model assignment, a cluster sized
/// from the trace, and skipping bad rows (counted, never silent).
final class TraceReplayOptionsTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // 6 jobs; c and e overlap at t=100..150 with 8+4 GPUs (the no-queueing peak: 12 GPUs).
        let trace = """
            job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status
            a,0,1,50,,,,
            b,10,2,30,,resnet50,,
            c,100,8,100,,,,
            x/d,120,1,10,,,,
            e,150,4,20,,,,
            f,400,16,10,,,,
            """
        try trace.write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func load(cluster: String = "racks:\n    - nodes:\n        - {template: dgx-a100, count: 2}", trace: String,
                      file: String = "t.csv") throws -> Scenario {
        let text = """
            seed: 3
            cluster:
              \(cluster)
            workload:
              trace:
                file: \(file)
            \(trace.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            policy: {name: fifo}
            """
        let url = dir.appendingPathComponent("s.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(path: url.path)
    }

    // Window [100, 400) keeps c, x/d, e and rebases their submit times to 0, 20, 50.
    func testWindowRebases() throws {
        let s = try load(trace: "window: {start_s: 100, end_s: 400}")
        XCTAssertEqual(s.jobs.map(\.name), ["c", "x/d", "e"])
        XCTAssertEqual(s.jobs.map(\.submitTime.seconds), [0, 20, 50])
        XCTAssertEqual(s.jobs.map(\.id), [0, 1, 2].map(JobID.init))
    }

    // Filters by id prefix and GPU range.
    func testFilter() throws {
        XCTAssertEqual(try load(trace: "filter: {job_id_prefix: \"x/\"}").jobs.map(\.name), ["x/d"])
        XCTAssertEqual(try load(trace: "filter: {min_gpus: 2, max_gpus: 8}").jobs.map(\.name), ["b", "c", "e"])
    }

    // time_scale multiplies submit times and leaves durations alone.
    func testTimeScale() throws {
        let s = try load(trace: "time_scale: 0.5")
        XCTAssertEqual(s.jobs.map(\.submitTime.seconds), [0, 5, 50, 60, 75, 200])
        XCTAssertEqual(s.jobs[2].work, .duration(SimTime.seconds(Int64(100))))
    }

    // Model assignment fills only jobs without a model, is seeded (same seed, same models) and uses the weights.
    func testAssignModelsIsSeededAndKeepsKnownModels() throws {
        let s1 = try load(trace: "assign_models: {bert-base: 1, lm: 1}")
        let s2 = try load(trace: "assign_models: {bert-base: 1, lm: 1}")
        XCTAssertEqual(s1.jobs.map(\.model), s2.jobs.map(\.model))
        XCTAssertEqual(s1.jobs[1].model, ModelZoo.index(named: "resnet50"))
        let allowed = Set([ModelZoo.index(named: "bert-base")!, ModelZoo.index(named: "lm")!])
        for (i, job) in s1.jobs.enumerated() where i != 1 { XCTAssertTrue(allowed.contains(job.model!), "\(job)") }
    }

    // from_trace sizes the cluster: peak 16 (job f alone) → 2 nodes of 8; capacity 2 → 4 nodes in racks of 3.
    func testClusterFromTrace() throws {
        let s = try load(cluster: "from_trace: {template: dgx-a100}", trace: "")
        XCTAssertEqual(s.topology.gpuCount, 16)
        let big = try load(cluster: "from_trace: {template: dgx-a100, capacity: 2, nodes_per_rack: 3}", trace: "")
        XCTAssertEqual(big.topology.nodeCount, 4)
        XCTAssertEqual(big.topology.rackCount, 2)
        // Without f, the peak is 12 (c + e overlap): 2 nodes; capacity 0.5 → 6 GPUs, but the largest job (8) wins.
        let small = try load(cluster: "from_trace: {template: dgx-a100, capacity: 0.5}", trace: "filter: {max_gpus: 8}")
        XCTAssertEqual(small.topology.gpuCount, 8)
    }

    // A bad row fails by default with file:line; with on_bad_row: skip it is counted and reported, not silent.
    func testBadRowFailsOrIsSkippedAndCounted() throws {
        let bad = """
            job_id,submit_time_s,num_gpus,duration_s
            a,0,1,50
            b,abc,1,10
            c,5,1,10
            """
        try bad.write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try load(trace: "", file: "bad.csv")) { e in
            let error = e as? InputError
            XCTAssertEqual(error?.line, 3)
            XCTAssertEqual(error?.field, "submit_time_s")
        }
        let s = try load(trace: "on_bad_row: skip", file: "bad.csv")
        XCTAssertEqual(s.jobs.map(\.name), ["a", "c"])
        XCTAssertEqual(s.skippedRows.count, 1)
        XCTAssertEqual(s.skippedRows.first?.line, 3)
    }

    // A window that selects nothing is an error naming the scenario, not an empty run.
    func testEmptySelectionIsAnError() throws {
        XCTAssertThrowsError(try load(trace: "window: {start_s: 1000}")) { e in
            XCTAssertTrue("\(e)".contains("no job of the trace is selected"), "\(e)")
        }
    }

    // Bad option values are located errors.
    func testBadOptionValues() throws {
        XCTAssertThrowsError(try load(trace: "time_scale: 0")) { e in
            XCTAssertEqual((e as? InputError)?.field, "workload.trace.time_scale")
        }
        XCTAssertThrowsError(try load(trace: "window: {start_s: 50, end_s: 10}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "workload.trace.window.end_s")
        }
        XCTAssertThrowsError(try load(trace: "on_bad_row: ignore")) { e in
            XCTAssertEqual((e as? InputError)?.field, "workload.trace.on_bad_row")
        }
        XCTAssertThrowsError(try load(trace: "filter: {gpus: 3}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "workload.trace.filter.gpus")
        }
    }
}
