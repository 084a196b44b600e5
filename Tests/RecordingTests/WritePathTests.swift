import ClusterModel
import Engine
import Foundation
@testable import Recording
import SimKernel
import SimTestSupport
import XCTest

/// The bulk write path (multi-row statements bound through the C API, foreign-key checks off for the transaction)
/// must write exactly the database the reference path (one GRDB statement per row, every check on) writes.
final class WritePathTests: XCTestCase {
    private let topology = ClusterFixtures.dgxA100(nodes: 16, racks: 2)

    private func meta() -> RunMetadata {
        RunMetadata(
            scenarioName: "paths", scenarioHash: "00ff", seed: 7, policy: "fifo", placement: "packed",
            codeVersion: "v-test", schedlabVersion: "0.1.0-test", wallStart: Date(timeIntervalSince1970: 1_764_171_540.25))
    }

    /// A result with row counts below, at and across the bulk path's batch size, and every kind of value the
    /// columns take: NULLs, NaN (stored as NULL), fractions that are not exact in decimal, non-ASCII text.
    private func edgeResult() -> RunResult {
        let n = 3 * BulkInsert.batchRows + 5
        var jobs: [JobOutcome] = []
        for i in 0..<n {
            let started = i % 7 != 3
            let finished = started && i % 5 != 1
            var o = JobOutcome(
                id: JobID(i), name: i % 11 == 0 ? "jöb-\(i)-π" : "job\(i)", submit: .seconds(Double(i) * 0.1),
                firstStart: started ? .seconds(Double(i) * 0.1 + 1.0 / 3.0) : nil,
                finish: finished ? .seconds(Double(i) + 100.7) : nil, gpus: 1 << (i % 6),
                gpuType: i % 4 == 0 ? nil : "A100", model: i % 3 == 0 ? nil : "resnet50", runSeconds: Double(i) * 1.1,
                preemptions: i % 3, meanIterationSeconds: i % 2 == 0 ? 0.1 * Double(i) : nil,
                communicationFraction: i % 9 == 0 ? .nan : 0.25)
            o.user = i % 2 == 0 ? "user\(i % 5)" : nil
            o.restarts = i % 4
            o.isolatedSeconds = i % 6 == 0 ? nil : Double(i) + 0.5
            o.lostSeconds = Double(i % 3) / 7
            jobs.append(o)
        }
        let allocations = (0..<(2 * BulkInsert.batchRows)).map { k in
            AllocationInterval(job: JobID(k % n), start: .seconds(Double(k)), end: .seconds(Double(k) + 2.5),
                               node: NodeID(k % 16), localGPUs: Array(0..<(1 + k % 8)))
        }
        let samples = [UtilizationSample(time: .zero, busyGPUs: 0, queuedJobs: 0, runningJobs: 0)]
        let links = (0..<(BulkInsert.batchRows + 1)).map { k in
            LinkUtilizationSample(time: .seconds(Double(k / 4)), link: Int32(k % 9), name: "rack\(k % 2).up",
                                  utilization: Double(k) / 65)
        }
        let summary = [SummaryMetric(name: "jobs_total", value: Double(n)), SummaryMetric(name: "undefined", value: .nan),
                       SummaryMetric(name: "jct_mean_s", value: 1.0 / 3.0)]
        return RunResult(jobs: jobs, allocations: allocations, samples: samples, summary: summary, eventsProcessed: 1234,
                         simulatedEnd: .seconds(400.5), unfinishedJobs: [], links: links)
    }

    /// A whole simulated run: 300 jobs on 128 GPUs under FIFO (first-fit placement).
    private func simulatedResult() throws -> RunResult {
        let jobs = (0..<300).map { i in
            job(i, submit: Double(i) * 13.7, gpus: [1, 2, 4, 8, 16, 32][i % 6], duration: 50 + Double((i * 37) % 900))
        }
        return try simulate(jobs: jobs, topology: topology)
    }

    /// Every table's rows in insertion order, each cell with its storage class and exact bits.
    private func dump(_ sink: SQLiteSink, _ table: String) throws -> [[String]] {
        try sink.rawRows("SELECT * FROM \(table) ORDER BY rowid").map { row in
            row.map { cell in
                switch cell {
                case .null: return "null"
                case .integer(let v): return "i\(v)"
                case .real(let v): return "r\(v.bitPattern)"
                case .text(let v): return "t\(v)"
                }
            }
        }
    }

    private func assertPathsAgree(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("write-paths-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var sinks: [SQLiteSink] = []
        for path in WritePath.allCases {
            // Files, not memory: the bulk path's pragma and transaction handling on a pooled WAL database.
            let sink = try SQLiteSink(path: dir.appendingPathComponent("\(path.rawValue).sqlite").path)
            // An earlier run in each database, so the rows under test are not the tables' first.
            try sink.completeRun(id: try sink.beginRun(meta()), result: edgeResult(), topology: topology,
                                 wallEnd: Date(timeIntervalSince1970: 1_764_171_600), writePath: path)
            let id = try sink.beginRun(meta())
            let stats = try sink.completeRun(id: id, result: result, topology: topology,
                                             wallEnd: Date(timeIntervalSince1970: 1_764_171_600.5), writePath: path)
            XCTAssertEqual(stats.tables.map(\.name), ["jobs", "allocations", "samples", "summary", "links"], file: file, line: line)
            XCTAssertEqual(stats.tables.map(\.rows),
                           [result.jobs.count, result.allocations.count, result.samples.count, result.summary.count,
                            result.links.count], file: file, line: line)
            XCTAssertEqual(try sink.fetchRun(id: id)?.status, .complete, file: file, line: line)
            sinks.append(sink)
        }
        for table in ["runs", "jobs", "allocations", "samples", "summary", "links"] {
            let reference = try dump(sinks[1], table)
            XCTAssertFalse(reference.isEmpty, "\(table) is empty", file: file, line: line)
            XCTAssertEqual(try dump(sinks[0], table), reference, "table \(table) differs between the paths", file: file, line: line)
        }
        // Foreign keys are back on after the bulk path's transaction: deleting a run still cascades.
        try sinks[0].writer.write { db in try db.execute(sql: "DELETE FROM runs WHERE id = 1") }
        XCTAssertEqual(try sinks[0].rawRows("SELECT count(*) FROM jobs WHERE run = 1"), [[.integer(0)]], file: file, line: line)
    }

    func testBulkPathWritesTheReferenceRowsForEdgeValues() throws {
        XCTAssertEqual(WritePath.allCases, [.bulk, .reference])
        try assertPathsAgree(edgeResult())
    }

    func testBulkPathWritesTheReferenceRowsForASimulatedRun() throws {
        let result = try simulatedResult()
        XCTAssertGreaterThan(result.samples.count, BulkInsert.batchRows)
        try assertPathsAgree(result)
    }

    func testBulkPathFailureLeavesNoRowsAndForeignKeysOn() throws {
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        var broken = edgeResult()
        // Two rows with the same (run, metric) key in the last batch of the summary: the insert fails mid-transaction.
        broken.summary.append(SummaryMetric(name: "jobs_total", value: 1))
        XCTAssertThrowsError(try sink.completeRun(id: id, result: broken, topology: topology, wallEnd: Date(), writePath: .bulk))
        for table in ["jobs", "allocations", "samples", "summary", "links"] {
            XCTAssertEqual(try sink.rawRows("SELECT count(*) FROM \(table)"), [[.integer(0)]], table)
        }
        XCTAssertEqual(try sink.fetchRun(id: id)?.status, .running)
        XCTAssertEqual(try sink.rawRows("PRAGMA foreign_keys"), [[.integer(1)]])
    }

    /// Text the bulk path copies into its batch memory (`BatchText`): empty, non-ASCII, with a NUL byte (stored up to
    /// it, as the reference binds it), longer than a chunk, and enough of it in one batch to fill several chunks.
    func testBulkPathWritesTheReferenceRowsForLongAndOddText() throws {
        var result = edgeResult()
        let long = String(repeating: "λ", count: BatchText.chunkBytes)  // two bytes each: twice a chunk
        for i in result.jobs.indices {
            switch i % 6 {
            case 0: result.jobs[i].name = ""
            case 1: result.jobs[i].name = "a\u{0}b"
            case 2: result.jobs[i].name = long
            case 3: result.jobs[i].name = String(repeating: "x", count: BatchText.chunkBytes / 3 + i)
            case 4: result.jobs[i].user = "ユーザー\(i)"
            default: result.jobs[i].name = String(repeating: "n", count: BatchText.chunkBytes - 1)
            }
        }
        try assertPathsAgree(result)
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        try sink.completeRun(id: id, result: result, topology: topology, wallEnd: Date(), writePath: .bulk)
        XCTAssertEqual(try sink.rawRows("SELECT name FROM jobs WHERE job = 1"), [[.text("a")]])
        XCTAssertEqual(try sink.rawRows("SELECT length(name) FROM jobs WHERE job = 2"), [[.integer(Int64(BatchText.chunkBytes))]])
    }

    func testBatchTextKeepsEveryValueOfABatch() {
        let text = BatchText()
        for round in 0..<3 {
            // Values of every size class, all alive at once until the reset.
            let values = (0..<200).map { i in String(repeating: Character(UnicodeScalar(UInt8(65 + (i + round) % 26))), count: (i * 997) % (BatchText.chunkBytes + 10)) }
            let pointers = values.map { text.store($0) }
            for (value, pointer) in zip(values, pointers) { XCTAssertEqual(String(cString: pointer), value) }
            text.reset()
        }
    }

    func testBatchStatementsHoldTheirRows() {
        XCTAssertEqual(InsertSQL(prefix: "INSERT INTO t (a, b) VALUES", columns: 2).sql(rows: 3),
                       "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)")
    }
}
