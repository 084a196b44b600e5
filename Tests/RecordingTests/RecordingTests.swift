import ClusterModel
import Engine
import Foundation
import GRDB
@testable import Recording
import SimKernel
import SimTestSupport
import XCTest

final class RecordingTests: XCTestCase {
    // MARK: - Fixtures

    /// 2025-11-26T15:39:00.250Z; a binary-exact fraction so the millisecond text is predictable.
    private let wallStart = Date(timeIntervalSince1970: 1_764_171_540.25)
    private let wallEnd = Date(timeIntervalSince1970: 1_764_171_600.5)

    private func meta(seed: UInt64 = 42, parameters: String = "{\"quantum_s\": 60}") -> RunMetadata {
        RunMetadata(
            scenarioName: "tiny", scenarioHash: "ab12cd34", seed: seed, policy: "fifo", placement: "pack",
            parameters: parameters, codeVersion: "v0.1-test", schedlabVersion: "0.1.0-test", wallStart: wallStart,
            scenarioText: "name: tiny\nseed: 42\n", scenarioPath: "scen/tiny.yaml")
    }

    /// Nodes of 8, 4, 8 and 4 GPUs (DGX-A100, PCIe 4-GPU, twice), so node-local and global GPU numbers differ
    /// unevenly: node 0 holds GPUs 0-7, node 1 8-11, node 2 12-19, node 3 20-23.
    private let cluster = ClusterFixtures.topology(nodesPerRack: [
        [NodeTemplateCatalog.named("dgx-a100")!, NodeTemplateCatalog.named("pcie-4gpu")!],
        [NodeTemplateCatalog.named("dgx-a100")!, NodeTemplateCatalog.named("pcie-4gpu")!],
    ])

    private func s(_ seconds: Double) -> SimTime { .seconds(seconds) }

    /// Two jobs: job 0 finished; job 1 started, was preempted once, killed twice by failures, and never finished.
    private func smallResult() -> RunResult {
        RunResult(
            jobs: [
                JobOutcome(
                    id: JobID(0), name: "resnet-a", submit: s(1.5), firstStart: s(2), finish: s(12.25), gpus: 4,
                    gpuType: "A100", model: "resnet50", runSeconds: 10.25, preemptions: 0, meanIterationSeconds: 0.125,
                    communicationFraction: 0.25),
                {
                    var o = JobOutcome(
                        id: JobID(1), name: "bert-b", submit: s(3), firstStart: s(5), finish: nil, gpus: 8,
                        gpuType: "V100", model: nil, runSeconds: 4.5, preemptions: 1)
                    o.failures = 2
                    o.lostSeconds = 1.25
                    o.lostGPUSeconds = 10
                    return o
                }(),
            ],
            allocations: [
                AllocationInterval(job: JobID(1), start: s(5), end: s(9.5), node: NodeID(0), localGPUs: Array(0..<8)),
                AllocationInterval(job: JobID(0), start: s(2), end: s(12.25), node: NodeID(3), localGPUs: [0, 1, 2, 3]),
            ],
            samples: [
                UtilizationSample(time: s(0), busyGPUs: 0, queuedJobs: 0, runningJobs: 0),
                UtilizationSample(time: s(1.5), busyGPUs: 0, queuedJobs: 1, runningJobs: 0),
                UtilizationSample(time: s(2), busyGPUs: 4, queuedJobs: 0, runningJobs: 1),
            ],
            summary: [
                SummaryMetric(name: "jobs_total", value: 2),
                SummaryMetric(name: "jct_mean_s", value: 10.75),
                SummaryMetric(name: "undefined_metric", value: .nan),
            ],
            eventsProcessed: 17,
            simulatedEnd: s(12.25),
            unfinishedJobs: [JobID(1)])
    }

    private func count(_ sink: SQLiteSink, _ table: String, run: Int64) throws -> Int64 {
        guard case .integer(let n) = try sink.rawRows("SELECT count(*) FROM \(table) WHERE run = \(run)")[0][0] else {
            XCTFail("count(*) did not return an integer")
            return -1
        }
        return n
    }

    private func resultCounts(_ sink: SQLiteSink, run: Int64) throws -> [Int64] {
        try ["jobs", "allocations", "samples", "summary"].map { try count(sink, $0, run: run) }
    }

    // MARK: - Schema

    func testMigrationCreatesAllTablesAndIndexes() throws {
        let sink = try SQLiteSink.inMemory()
        let tables = try sink.rawRows(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('runs','jobs','allocations','samples','summary','links') ORDER BY name")
        XCTAssertEqual(tables, [[.text("allocations")], [.text("jobs")], [.text("links")], [.text("runs")],
                                [.text("samples")], [.text("summary")]])
        XCTAssertEqual(try sink.rawRows("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name"),
                       [[.text("allocation_gpus")], [.text("users")]])
        let indexes = try sink.rawRows(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        XCTAssertEqual(indexes, [
            [.text("allocations_run"), .text("allocations")], [.text("links_run"), .text("links")],
            [.text("samples_run"), .text("samples")], [.text("sweep_points_key"), .text("sweep_points")],
            [.text("sweep_points_run"), .text("sweep_points")],
        ])
        let migrations = try sink.rawRows("SELECT identifier FROM grdb_migrations")
        XCTAssertEqual(migrations, [[.text("v1")], [.text("v2")], [.text("v3")], [.text("v4")], [.text("v5")], [.text("v6")], [.text("v7")]])
        let jobColumns = try sink.rawRows("SELECT name FROM pragma_table_info('jobs') ORDER BY cid").map { $0[0] }
        XCTAssertEqual(jobColumns, [
            "run", "job", "name", "submit_s", "first_start_s", "finish_s", "gpus", "gpu_type", "model",
            "queue_delay_s", "jct_s", "run_time_s", "preemptions", "mean_iteration_s", "comm_fraction",
            "user", "migrations", "resizes", "restarts", "overhead_s", "overhead_gpu_s", "isolated_s", "rho",
            "failures", "lost_s", "lost_gpu_s",
        ].map(SQLCell.text))
    }

    func testStatusCheckConstraintRejectsUnknownStatus() throws {
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        XCTAssertThrowsError(try sink.writer.write { db in
            try db.execute(sql: "UPDATE runs SET status = 'paused' WHERE id = ?", arguments: [id])
        })
        XCTAssertEqual(try sink.fetchRun(id: id)?.status, .running)
    }

    // MARK: - Lifecycle and round trip

    func testBeginRunInsertsRunningRow() throws {
        let sink = try SQLiteSink.inMemory()
        let first = try sink.beginRun(meta())
        let second = try sink.beginRun(meta(seed: 7, parameters: ""))
        XCTAssertEqual(second, first + 1)
        let rows = try sink.rawRows("""
            SELECT id, scenario, scenario_hash, seed, policy, placement, parameters, code_version, wall_start,
                   wall_end, status, error, sim_end_s, events
            FROM runs ORDER BY id
            """)
        XCTAssertEqual(rows[0], [
            .integer(first), .text("tiny"), .text("ab12cd34"), .integer(42), .text("fifo"), .text("pack"),
            .text("{\"quantum_s\": 60}"), .text("v0.1-test"), .text("2025-11-26T15:39:00.250Z"),
            .null, .text("running"), .null, .null, .null,
        ])
        XCTAssertEqual(rows[1][3], .integer(7))
        XCTAssertEqual(try sink.rawRows("SELECT scenario_text, scenario_path FROM runs WHERE id = \(first)"),
                       [[.text("name: tiny\nseed: 42\n"), .text("scen/tiny.yaml")]])
        XCTAssertEqual(rows[1][6], .text(""))
        XCTAssertEqual(try sink.rawRows("SELECT schedlab_version FROM runs ORDER BY id"), [[.text("0.1.0-test")], [.text("0.1.0-test")]])
    }

    func testCompleteRunRoundTripsExactValues() throws {
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        try sink.completeRun(id: id, result: smallResult(), topology: cluster, wallEnd: wallEnd)

        let jobs = try sink.rawRows("SELECT * FROM jobs ORDER BY job")
        XCTAssertEqual(jobs, [
            [.integer(id), .integer(0), .text("resnet-a"), .real(1.5), .real(2), .real(12.25), .integer(4),
             .text("A100"), .text("resnet50"), .real(0.5), .real(10.75), .real(10.25), .integer(0), .real(0.125), .real(0.25),
             .null, .integer(0), .integer(0), .integer(0), .real(0), .real(0), .null, .null, .integer(0), .real(0), .real(0)],
            [.integer(id), .integer(1), .text("bert-b"), .real(3), .real(5), .null, .integer(8),
             .text("V100"), .null, .real(2), .null, .real(4.5), .integer(1), .null, .null,
             .null, .integer(0), .integer(0), .integer(0), .real(0), .real(0), .null, .null, .integer(2), .real(1.25), .real(10)],
        ])
        // Insertion order is the RunResult order (job 1's interval closed first), not sorted by job.
        let allocations = try sink.rawRows("SELECT * FROM allocations ORDER BY rowid")
        XCTAssertEqual(allocations, [
            [.integer(id), .integer(1), .real(5), .real(9.5), .integer(0), .text("0,1,2,3,4,5,6,7"), .integer(0)],
            [.integer(id), .integer(0), .real(2), .real(12.25), .integer(3), .text("0,1,2,3"), .integer(20)],  // node 3 starts at GPU 20
        ])
        let samples = try sink.rawRows("SELECT * FROM samples ORDER BY rowid")
        XCTAssertEqual(samples, [
            [.integer(id), .real(0), .integer(0), .integer(0), .integer(0)],
            [.integer(id), .real(1.5), .integer(0), .integer(1), .integer(0)],
            [.integer(id), .real(2), .integer(4), .integer(0), .integer(1)],
        ])
        let summary = try sink.rawRows("SELECT * FROM summary ORDER BY rowid")
        XCTAssertEqual(summary, [
            [.integer(id), .text("jobs_total"), .real(2)],
            [.integer(id), .text("jct_mean_s"), .real(10.75)],
            [.integer(id), .text("undefined_metric"), .null],
        ])
        let run = try sink.rawRows("SELECT status, error, sim_end_s, events, wall_end FROM runs WHERE id = \(id)")
        XCTAssertEqual(run, [[.text("complete"), .null, .real(12.25), .integer(17), .text("2025-11-26T15:40:00.500Z")]])
    }

    func testReadBackHelpers() throws {
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta(seed: .max))
        try sink.completeRun(id: id, result: smallResult(), topology: cluster, wallEnd: wallEnd)

        let summary = try sink.fetchSummary(run: id)
        XCTAssertEqual(summary.map(\.name), ["jobs_total", "jct_mean_s", "undefined_metric"])
        XCTAssertEqual(summary[0].value, 2)
        XCTAssertEqual(summary[1].value, 10.75)
        XCTAssertTrue(summary[2].value.isNaN, "NULL reads back as NaN")
        XCTAssertEqual(try sink.fetchSummary(run: id + 1), [])

        // UInt64.max is stored as its Int64 bit pattern and converted back on read.
        XCTAssertEqual(try sink.rawRows("SELECT seed FROM runs"), [[.integer(-1)]])
        let runs = try sink.fetchRuns()
        XCTAssertEqual(runs, [
            RunRow(
                id: id, scenario: "tiny", scenarioHash: "ab12cd34", seed: .max, policy: "fifo", placement: "pack",
                parameters: "{\"quantum_s\": 60}", codeVersion: "v0.1-test", wallStart: wallStart, wallEnd: wallEnd,
                status: .complete, error: nil, simulatedEndSeconds: 12.25, eventsProcessed: 17,
                scenarioText: "name: tiny\nseed: 42\n", scenarioPath: "scen/tiny.yaml", schedlabVersion: "0.1.0-test"),
        ])
        XCTAssertNil(try sink.fetchRun(id: id + 1))
    }

    func testFailRunSetsStatusAndMessage() throws {
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        try sink.failRun(id: id, message: "policy crashed: index out of range", wallEnd: wallEnd)
        let run = try XCTUnwrap(try sink.fetchRun(id: id))
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(run.error, "policy crashed: index out of range")
        XCTAssertEqual(run.wallEnd, wallEnd)
        XCTAssertNil(run.simulatedEndSeconds)
        XCTAssertNil(run.eventsProcessed)
        XCTAssertEqual(try resultCounts(sink, run: id), [0, 0, 0, 0])
    }

    func testFinishedRunsCannotBeFinishedAgain() throws {
        let sink = try SQLiteSink.inMemory()
        let done = try sink.beginRun(meta())
        try sink.completeRun(id: done, result: smallResult(), topology: cluster, wallEnd: wallEnd)
        XCTAssertThrowsError(try sink.completeRun(id: done, result: smallResult(), topology: cluster, wallEnd: wallEnd)) {
            XCTAssertEqual($0 as? RecordingError, .runNotRunning(id: done, status: "complete"))
        }
        XCTAssertThrowsError(try sink.failRun(id: done, message: "late", wallEnd: wallEnd)) {
            XCTAssertEqual($0 as? RecordingError, .runNotRunning(id: done, status: "complete"))
        }
        XCTAssertThrowsError(try sink.failRun(id: 999, message: "x", wallEnd: wallEnd)) {
            XCTAssertEqual($0 as? RecordingError, .unknownRun(id: 999))
        }
        XCTAssertEqual(try sink.fetchRun(id: done)?.status, .complete)
        XCTAssertEqual(try resultCounts(sink, run: done), [2, 2, 3, 3])
    }

    // MARK: - Atomicity

    /// A failure in the first table (duplicate job ID) and one in the last (duplicate metric, after jobs,
    /// allocations and samples were inserted) must both leave no trace and leave other runs untouched.
    func testCompleteRunIsAtomic() throws {
        let sink = try SQLiteSink.inMemory()
        let good = try sink.beginRun(meta())
        try sink.completeRun(id: good, result: smallResult(), topology: cluster, wallEnd: wallEnd)
        let goodRowsBefore = try sink.rawRows("SELECT * FROM jobs WHERE run = \(good) ORDER BY job")

        var duplicateJob = smallResult()
        duplicateJob.jobs[1].id = JobID(0)
        var duplicateMetric = smallResult()
        duplicateMetric.summary.append(SummaryMetric(name: "jobs_total", value: 3))

        for broken in [duplicateJob, duplicateMetric] {
            let id = try sink.beginRun(meta())
            XCTAssertThrowsError(try sink.completeRun(id: id, result: broken, topology: cluster, wallEnd: wallEnd))
            XCTAssertEqual(try resultCounts(sink, run: id), [0, 0, 0, 0], "rolled back")
            let run = try XCTUnwrap(try sink.fetchRun(id: id))
            XCTAssertEqual(run.status, .running)
            XCTAssertNil(run.wallEnd)
            XCTAssertNil(run.eventsProcessed)
            // The caller can still record the failure afterwards.
            try sink.failRun(id: id, message: "recording failed", wallEnd: wallEnd)
            XCTAssertEqual(try sink.fetchRun(id: id)?.status, .failed)
        }

        XCTAssertEqual(try resultCounts(sink, run: good), [2, 2, 3, 3])
        XCTAssertEqual(try sink.rawRows("SELECT * FROM jobs WHERE run = \(good) ORDER BY job"), goodRowsBefore)
        XCTAssertEqual(try sink.fetchRun(id: good)?.status, .complete)
    }

    // MARK: - Files

    func testFileDatabaseIsWALAndPersists() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("RecordingTests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nested/deeper/results.sqlite").path

        let id: Int64
        do {
            let sink = try SQLiteSink(path: path)  // creates the missing parent directories
            XCTAssertEqual(try sink.rawRows("PRAGMA journal_mode"), [[.text("wal")]])
            id = try sink.beginRun(meta())
            try sink.completeRun(id: id, result: smallResult(), topology: cluster, wallEnd: wallEnd)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))

        // Reopening runs the migrator again (a no-op) and sees the committed run.
        let reopened = try SQLiteSink(path: path)
        XCTAssertEqual(try reopened.rawRows("SELECT identifier FROM grdb_migrations"), [[.text("v1")], [.text("v2")], [.text("v3")], [.text("v4")], [.text("v5")], [.text("v6")], [.text("v7")]])
        XCTAssertEqual(try reopened.fetchRuns().map(\.status), [.complete])
        XCTAssertEqual(try reopened.fetchSummary(run: id).first?.value, 2)
    }

    // MARK: - Per-GPU allocations (v4)

    /// One row per job × global GPU × interval: node 0's local GPUs are GPUs 0-7, node 3's are 20-23.
    func testAllocationGPUsHoldOneRowPerGlobalGPU() throws {
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        try sink.completeRun(id: id, result: smallResult(), topology: cluster, wallEnd: wallEnd)
        let rows = try sink.rawRows("SELECT run, job, start_s, end_s, gpu FROM allocation_gpus ORDER BY job DESC, gpu")
        XCTAssertEqual(rows, (0..<8).map { [.integer(id), .integer(1), .real(5), .real(9.5), .integer(Int64($0))] }
            + (20..<24).map { [.integer(id), .integer(0), .real(2), .real(12.25), .integer(Int64($0))] })
    }

    /// "Who held GPU 17 at time t" is one query, which finds the run's rows through the allocations index;
    /// intervals are half-open, so at a hand-over instant the job that starts holds it.
    func testWhoHeldAGPUAtATimeIsOneQuery() throws {
        var result = smallResult()
        result.allocations = [
            // Node 2 starts at global GPU 8 + 4 = 12, so local 5 is GPU 17 and local 4 is GPU 16.
            AllocationInterval(job: JobID(0), start: s(3), end: s(8), node: NodeID(2), localGPUs: [4, 5]),
            AllocationInterval(job: JobID(1), start: s(8), end: s(20), node: NodeID(2), localGPUs: [5]),
            AllocationInterval(job: JobID(1), start: s(8), end: s(20), node: NodeID(1), localGPUs: [1]),  // GPU 9
        ]
        let sink = try SQLiteSink.inMemory()
        let other = try sink.beginRun(meta())
        try sink.completeRun(id: other, result: smallResult(), topology: cluster, wallEnd: wallEnd)
        let id = try sink.beginRun(meta())
        try sink.completeRun(id: id, result: result, topology: cluster, wallEnd: wallEnd)
        func holder(gpu: Int, at t: Double) throws -> [[SQLCell]] {
            try sink.rawRows("SELECT job FROM allocation_gpus WHERE run = \(id) AND gpu = \(gpu) AND start_s <= \(t) AND \(t) < end_s")
        }
        XCTAssertEqual(try holder(gpu: 17, at: 7.5), [[.integer(0)]])
        XCTAssertEqual(try holder(gpu: 17, at: 8), [[.integer(1)]])
        XCTAssertEqual(try holder(gpu: 16, at: 8), [])
        XCTAssertEqual(try holder(gpu: 9, at: 10), [[.integer(1)]])
        XCTAssertEqual(try holder(gpu: 17, at: 25), [])
        XCTAssertEqual(try holder(gpu: 3, at: 6), [], "run \(other)'s GPU 3 is not this run's")
        let plan = try sink.rawRows("EXPLAIN QUERY PLAN SELECT job FROM allocation_gpus WHERE run = 1 AND gpu = 17 AND start_s <= 3")
        XCTAssertTrue(plan.contains { $0.contains(.text("SEARCH a USING INDEX allocations_run (run=?)")) }, "\(plan)")
    }

    /// An allocation on a GPU the given topology lacks means the wrong topology: nothing of the run is written.
    func testAllocationOutsideTheClusterRollsBack() throws {
        var result = smallResult()
        result.allocations.append(AllocationInterval(job: JobID(0), start: s(1), end: s(2), node: NodeID(1), localGPUs: [3, 4]))
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        XCTAssertThrowsError(try sink.completeRun(id: id, result: result, topology: cluster, wallEnd: wallEnd)) {
            XCTAssertEqual($0 as? RecordingError, .allocationOutsideCluster(job: 0, node: 1))
        }
        XCTAssertEqual(try resultCounts(sink, run: id), [0, 0, 0, 0])
        XCTAssertEqual(try count(sink, "allocation_gpus", run: id), 0)
    }

    // MARK: - Migration from v3

    /// A database written at schema v3 opens, gains v4's columns and table, keeps its run (with no scenario
    /// text), and records new runs with theirs.
    func testV3DatabaseMigratesToV4() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("RecordingTests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("v3.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v3")
            // The INSERT the v3 sink made.
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (scenario, scenario_hash, seed, policy, placement, parameters, code_version,
                                      wall_start, status, skipped_input_rows)
                    VALUES ('old', 'ff00', 5, 'fifo', 'packed', '', 'v0.0', '2025-11-26T15:39:00.250Z', 'running', 0)
                    """)
            }
            XCTAssertEqual(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'scenario_text'") }, 0)
        }
        let sink = try SQLiteSink(path: path)
        XCTAssertEqual(try sink.rawRows("SELECT identifier FROM grdb_migrations"), [[.text("v1")], [.text("v2")], [.text("v3")], [.text("v4")], [.text("v5")], [.text("v6")], [.text("v7")]])
        let old = try XCTUnwrap(try sink.fetchRun(id: 1))
        XCTAssertEqual(old.scenario, "old")
        XCTAssertNil(old.scenarioText)
        XCTAssertNil(old.scenarioPath)
        let id = try sink.beginRun(meta())
        try sink.completeRun(id: id, result: smallResult(), topology: cluster, wallEnd: wallEnd)
        XCTAssertEqual(try sink.fetchRun(id: id)?.scenarioText, "name: tiny\nseed: 42\n")
        XCTAssertEqual(try count(sink, "allocation_gpus", run: id), 12)
    }

    /// A database written at schema v4 (by SchedLab before it recorded its version) opens, gains
    /// `runs.schedlab_version` with NULL for its old run, and records the version of new runs.
    func testV4DatabaseMigratesToV5() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("RecordingTests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("v4.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v4")
            // The INSERT the v4 sink made.
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (scenario, scenario_hash, seed, policy, placement, parameters, code_version,
                                      wall_start, status, skipped_input_rows, scenario_text, scenario_path)
                    VALUES ('old', 'ff00', 5, 'fifo', 'packed', '', '0.1.0+g0123456789ab', '2025-11-26T15:39:00.250Z',
                            'running', 0, 'name: old', 'old.yaml')
                    """)
            }
            XCTAssertEqual(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'schedlab_version'") }, 0)
        }
        let sink = try SQLiteSink(path: path)
        XCTAssertEqual(try sink.rawRows("SELECT identifier FROM grdb_migrations"), [[.text("v1")], [.text("v2")], [.text("v3")], [.text("v4")], [.text("v5")], [.text("v6")], [.text("v7")]])
        let old = try XCTUnwrap(try sink.fetchRun(id: 1))
        XCTAssertEqual(old.codeVersion, "0.1.0+g0123456789ab")
        XCTAssertEqual(old.scenarioText, "name: old")
        XCTAssertNil(old.schedlabVersion)
        let id = try sink.beginRun(meta())
        try sink.completeRun(id: id, result: smallResult(), topology: cluster, wallEnd: wallEnd)
        XCTAssertEqual(try sink.fetchRun(id: id)?.schedlabVersion, "0.1.0-test")
        XCTAssertEqual(try sink.rawRows("SELECT id, schedlab_version FROM runs ORDER BY id"),
                       [[.integer(1), .null], [.integer(id), .text("0.1.0-test")]])
    }

    // MARK: - Bulk

    func testBulkWriteKeepsEveryRowInOrder() throws {
        let n = 5_000
        var result = smallResult()
        result.jobs = (0..<n).map { i in
            JobOutcome(
                id: JobID(i), name: "j\(i)", submit: s(Double(i)), firstStart: s(Double(i) + 1),
                finish: i.isMultiple(of: 2) ? s(Double(i) + 3) : nil, gpus: 1 + i % 8, gpuType: "A100",
                model: nil, runSeconds: 2, preemptions: i % 3)
        }
        result.allocations = (0..<n).map { i in
            AllocationInterval(
                job: JobID(n - 1 - i), start: s(Double(i)), end: s(Double(i) + 2), node: NodeID(i % 16),
                localGPUs: [i % 8])
        }
        result.samples = (0..<2 * n).map { i in
            UtilizationSample(time: s(Double(i) / 2), busyGPUs: i % 64, queuedJobs: i % 7, runningJobs: i % 5)
        }
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        try sink.completeRun(id: id, result: result, topology: ClusterFixtures.dgxA100(nodes: 16), wallEnd: wallEnd)

        XCTAssertEqual(try resultCounts(sink, run: id), [Int64(n), Int64(n), Int64(2 * n), 3])
        let unfinished = try sink.rawRows("SELECT count(*) FROM jobs WHERE finish_s IS NULL AND jct_s IS NULL")
        XCTAssertEqual(unfinished, [[.integer(Int64(n / 2))]])
        let allocationJobs = try sink.rawRows("SELECT job FROM allocations WHERE run = \(id) ORDER BY rowid")
        XCTAssertEqual(allocationJobs, (0..<n).map { [.integer(Int64(n - 1 - $0))] })
        let lastSample = try sink.rawRows("SELECT * FROM samples ORDER BY rowid DESC LIMIT 1")
        XCTAssertEqual(lastSample, [[.integer(id), .real(Double(2 * n - 1) / 2), .integer(Int64((2 * n - 1) % 64)),
                                     .integer(Int64((2 * n - 1) % 7)), .integer(Int64((2 * n - 1) % 5))]])
    }
}
