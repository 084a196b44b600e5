import ClusterModel
import Engine
import Foundation
import GRDB
@testable import Recording
import SimKernel
import SimTestSupport
import XCTest

/// `schedlab export`'s CSV gives back exactly the database's rows; `schedlab merge` copies runs with provenance and
/// refuses duplicates.
final class ExportAndMergeTests: XCTestCase {
    private let cluster = ClusterFixtures.topology(nodesPerRack: [[NodeTemplateCatalog.named("dgx-a100")!, NodeTemplateCatalog.named("dgx-a100")!]])
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ExportAndMergeTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func meta(seed: UInt64, text: String = "name: t\nworkload: {note: \"a, \\\"b\\\"\"}\n") -> RunMetadata {
        RunMetadata(scenarioName: "t, \"quoted\"", scenarioHash: "h\(seed)", seed: seed, policy: "fifo", placement: "packed",
                    parameters: "", codeVersion: "test", wallStart: Date(timeIntervalSince1970: 1_764_171_540.25),
                    scenarioText: text, scenarioPath: "dir with space/t.yaml")
    }

    /// Awkward values on purpose: text with commas, quotes, CR and LF; '' next to NULL; reals that need 17 digits;
    /// a seed ≥ 2^63 (stored negative).
    private func result() -> RunResult {
        var a = JobOutcome(id: JobID(0), name: "a, \"quoted\"\r\nname", submit: .seconds(0.1), firstStart: .seconds(1.0 / 3),
                           finish: .seconds(12.25), gpus: 4, gpuType: "A100", model: "resnet50", runSeconds: Double(0.1) + 0.2,
                           preemptions: 0, meanIterationSeconds: 1e-7, communicationFraction: 0.25)
        a.user = ""
        let b = JobOutcome(id: JobID(1), name: "", submit: .seconds(3.0), firstStart: nil, finish: nil, gpus: 8, gpuType: nil,
                           model: nil, runSeconds: 0, preemptions: 2)
        return RunResult(
            jobs: [a, b],
            allocations: [AllocationInterval(job: JobID(0), start: .seconds(1.0 / 3), end: .seconds(12.25), node: NodeID(1), localGPUs: [0, 1, 2, 3])],
            samples: [UtilizationSample(time: .seconds(0.0), busyGPUs: 0, queuedJobs: 1, runningJobs: 0),
                      UtilizationSample(time: .seconds(1.0 / 3), busyGPUs: 4, queuedJobs: 1, runningJobs: 1)],
            summary: [SummaryMetric(name: "jobs_total", value: 2), SummaryMetric(name: "jct_mean_s", value: 12.15),
                      SummaryMetric(name: "gpu_util", value: .nan), SummaryMetric(name: "made_up", value: 1e300)],
            eventsProcessed: 9, simulatedEnd: .seconds(12.25), unfinishedJobs: [JobID(1)],
            links: [LinkUtilizationSample(time: .seconds(600.0), link: 3, name: "rack0.up", utilization: 0.1 + 0.7)])
    }

    private func record(_ sink: SQLiteSink, seed: UInt64) throws -> Int64 {
        let id = try sink.beginRun(meta(seed: seed))
        try sink.completeRun(id: id, result: result(), topology: cluster, wallEnd: Date(timeIntervalSince1970: 1_764_171_600.5))
        return id
    }

    /// Every table: export, parse, and compare each field with the stored cell: integers and text exactly, reals bit
    /// for bit, NULL as an unquoted empty field, '' as "", seeds as the unsigned seed.
    func testCSVRoundTripGivesBackExactlyTheDatabaseRows() throws {
        let sink = try SQLiteSink.inMemory()
        _ = try record(sink, seed: 7)
        _ = try record(sink, seed: UInt64(1) << 63 + 5)
        let failed = try sink.beginRun(meta(seed: 9))
        try sink.failRun(id: failed, message: "policy said \"no\", twice\nsecond line", wallEnd: Date(timeIntervalSince1970: 1_764_171_601))
        for table in ExportTable.allCases {
            var text = ""
            try sink.exportCSV(table, runs: nil) { text += $0 }
            let records = try CSVTestParser.parse(text)
            XCTAssertEqual(records.first, table.columns.map { .unquoted($0.name) }, "\(table) header")
            let stored = try sink.rawRows(table.query(runs: nil))
            XCTAssertEqual(records.count - 1, stored.count, "\(table): one record per row")
            XCTAssertGreaterThan(stored.count, 0, "\(table) has rows to compare")
            for (record, row) in zip(records.dropFirst(), stored) {
                XCTAssertEqual(record.count, row.count)
                for (c, (field, cell)) in zip(record, row).enumerated() {
                    let column = table.columns[c]
                    switch (cell, field) {
                    case (.null, .unquoted("")): break
                    case (.integer(let v), .unquoted(let s)) where column.isSeed:
                        XCTAssertEqual(s, String(UInt64(bitPattern: v)), "\(table).\(column.name)")
                    case (.integer(let v), .unquoted(let s)): XCTAssertEqual(Int64(s), v, "\(table).\(column.name)")
                    case (.real(let v), .unquoted(let s)):
                        XCTAssertEqual(Double(s)?.bitPattern, v.bitPattern, "\(table).\(column.name): \(s) vs \(v)")
                    case (.text(let v), .unquoted(let s)), (.text(let v), .quoted(let s)):
                        XCTAssertEqual(s, v, "\(table).\(column.name)")
                        if v.isEmpty { XCTAssertEqual(field, .quoted(""), "'' must be written as \"\"") }
                    default:
                        XCTFail("\(table).\(column.name): stored \(cell), exported \(field)")
                    }
                }
            }
        }
        // The seed ≥ 2^63 reads back as itself, and a job's name keeps its CR LF.
        var jobs = ""
        try sink.exportCSV(.jobs, runs: [2]) { jobs += $0 }
        let rows = try CSVTestParser.parse(jobs)
        XCTAssertEqual(rows[1][4], .unquoted("9223372036854775813"))
        XCTAssertEqual(rows[1][6], .quoted("a, \"quoted\"\r\nname"))
    }

    func testExportOfAMissingRunFails() throws {
        let sink = try SQLiteSink.inMemory()
        XCTAssertThrowsError(try sink.exportCSV(.jobs, runs: [4]) { _ in }) { XCTAssertEqual($0 as? RecordingError, .unknownRun(id: 4)) }
    }

    // MARK: - Merge

    func testMergeCopiesRunsWithProvenanceAndRefusesDuplicates() throws {
        let a = dir.appendingPathComponent("a.sqlite").path, b = dir.appendingPathComponent("b.sqlite").path
        let out = dir.appendingPathComponent("out.sqlite").path
        let sa = try SQLiteSink(path: a)
        _ = try record(sa, seed: 1)
        let a2 = try record(sa, seed: 2)
        try sa.recordFailedPoint(SweepPointRecord(sweep: "s", point: 3, key: "k3", settings: "{}"), error: "bad", wallTime: Date())
        let sb = try SQLiteSink(path: b)
        let b1 = try sb.beginRun(meta(seed: 3), sweepPoint: SweepPointRecord(sweep: "s", point: 0, key: "k0", settings: #"{"seed": "3"}"#))
        try sb.completeRun(id: b1, result: result(), topology: cluster, wallEnd: Date())

        let copied = try ResultsMerger.merge(into: out, from: [a, b])
        XCTAssertEqual(copied.map(\.outputRun), [1, 2, 3])
        XCTAssertEqual(copied.map(\.inputRun), [1, a2, b1])
        let merged = try SQLiteSink(path: out)
        XCTAssertEqual(try merged.rawRows("SELECT id, seed, origin_run FROM runs ORDER BY id"), [
            [.integer(1), .integer(1), .integer(1)], [.integer(2), .integer(2), .integer(2)], [.integer(3), .integer(3), .integer(1)],
        ])
        XCTAssertEqual(try merged.rawRows("SELECT DISTINCT origin_db FROM runs ORDER BY id").count, 2)
        // Every result row came along, re-pointed at the new run IDs.
        for table in ["jobs", "allocations", "samples", "summary", "links"] {
            XCTAssertEqual(try merged.rawRows("SELECT run, count(*) FROM \(table) GROUP BY run ORDER BY run"),
                           try sa.rawRows("SELECT run, count(*) FROM \(table) GROUP BY run ORDER BY run")
                               + [[.integer(3), try sb.rawRows("SELECT count(*) FROM \(table)")[0][0]]], table)
        }
        XCTAssertEqual(try merged.rawRows("SELECT run, key, error FROM sweep_points ORDER BY rowid"), [
            [.null, .text("k3"), .text("bad")], [.integer(3), .text("k0"), .null],
        ])
        XCTAssertEqual(try merged.completedPointKeys(sweep: "s"), ["k0"])

        // Merging b again would duplicate its complete run: refused, and the output is unchanged.
        XCTAssertThrowsError(try ResultsMerger.merge(into: out, from: [b])) { e in
            XCTAssertTrue("\(e)".contains("b.sqlite: run 1 ") && "\(e)".contains("duplicates run 3 of"), "\(e)")
        }
        XCTAssertEqual(try merged.rawRows("SELECT count(*) FROM runs"), [[.integer(3)]])
        // So would the same input twice, and two inputs holding the same run.
        XCTAssertThrowsError(try ResultsMerger.merge(into: dir.appendingPathComponent("o2.sqlite").path, from: [a, a]))
        // A snapshot of b (its recent writes are still in its WAL file, so no plain file copy).
        try DatabaseQueue(path: b).writeWithoutTransaction {
            try $0.execute(sql: "VACUUM INTO ?", arguments: [self.dir.appendingPathComponent("b-copy.sqlite").path])
        }
        XCTAssertThrowsError(try ResultsMerger.merge(into: dir.appendingPathComponent("o3.sqlite").path,
                                                     from: [b, dir.appendingPathComponent("b-copy.sqlite").path])) { e in
            XCTAssertTrue("\(e)".contains("duplicates run 1 of"), "\(e)")
        }
        XCTAssertEqual(try SQLiteSink(path: dir.appendingPathComponent("o3.sqlite").path).rawRows("SELECT count(*) FROM runs"), [[.integer(0)]])
    }

    /// An input at an older schema (v3: no scenario text, no sweep points) merges; what it lacks is NULL.
    func testMergeReadsOlderSchemas() throws {
        let old = dir.appendingPathComponent("v3.sqlite").path
        let queue = try DatabaseQueue(path: old)
        try Schema.migrator.migrate(queue, upTo: "v3")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO runs (scenario, scenario_hash, seed, policy, placement, parameters, code_version, wall_start, status, skipped_input_rows)
                VALUES ('old', 'ff00', 5, 'fifo', 'packed', '', 'v0.0', '2025-11-26T15:39:00.250Z', 'complete', 0);
                INSERT INTO summary (run, metric, value) VALUES (1, 'jct_mean_s', 4.5);
                """)
        }
        let out = dir.appendingPathComponent("out.sqlite").path
        XCTAssertEqual(try ResultsMerger.merge(into: out, from: [old]).count, 1)
        let merged = try SQLiteSink(path: out)
        XCTAssertEqual(try merged.rawRows("SELECT scenario, scenario_text, origin_run FROM runs"), [[.text("old"), .null, .integer(1)]])
        XCTAssertEqual(try merged.rawRows("SELECT run, value FROM summary"), [[.integer(1), .real(4.5)]])
        // The input was opened read-only: still at v3.
        XCTAssertEqual(try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }, ["v1", "v2", "v3"])
    }
}
