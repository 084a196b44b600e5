import ClusterModel
import Engine
import Foundation
@testable import Recording
import Scheduling
import SimKernel
import SimTestSupport
import Workload
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

    /// 300 jobs of 1–32 GPUs for the 128 GPUs of `topology`.
    private func simulatedJobs() -> [JobSpec] {
        (0..<300).map { i in
            job(i, submit: Double(i) * 13.7, gpus: [1, 2, 4, 8, 16, 32][i % 6], duration: 50 + Double((i * 37) % 900))
        }
    }

    /// A whole simulated run: 300 jobs on 128 GPUs under FIFO (first-fit placement).
    private func simulatedResult() throws -> RunResult {
        try simulate(jobs: simulatedJobs(), topology: topology)
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

    /// The reference path's database holding `edgeResult()` and then `result`, with its sink and the run's ID.
    private func reference(_ result: RunResult, in dir: URL) throws -> SQLiteSink {
        try written(result, in: dir, name: "reference") { sink, id, result, wallEnd in
            try sink.completeRun(id: id, result: result, topology: topology, wallEnd: wallEnd, writePath: .reference)
        }
    }

    /// A file database (the pooled WAL connection the CLI uses) holding an earlier run, so the rows under test are
    /// not the tables' first, and then `result` written by `write`.
    private func written(
        _ result: RunResult, in dir: URL, name: String,
        write: (SQLiteSink, Int64, RunResult, Date) throws -> WriteStatistics
    ) throws -> SQLiteSink {
        let sink = try SQLiteSink(path: dir.appendingPathComponent("\(name).sqlite").path)
        try write(sink, try sink.beginRun(meta()), edgeResult(), Date(timeIntervalSince1970: 1_764_171_600))
        let id = try sink.beginRun(meta())
        let stats = try write(sink, id, result, Date(timeIntervalSince1970: 1_764_171_600.5))
        XCTAssertEqual(stats.tables.map(\.name), ["jobs", "allocations", "samples", "summary", "links"], name)
        XCTAssertEqual(stats.tables.map(\.rows),
                       [result.jobs.count, result.allocations.count, result.samples.count, result.summary.count,
                        result.links.count], name)
        XCTAssertEqual(try sink.fetchRun(id: id)?.status, .complete, name)
        return sink
    }

    /// Every table of `sink` has the rows of `reference`, cell by cell (storage class and exact bits), in rowid order;
    /// and foreign keys are back on: deleting a run still cascades.
    private func assertSameRows(_ sink: SQLiteSink, _ reference: SQLiteSink, _ label: String,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        for table in ["runs", "jobs", "allocations", "samples", "summary", "links"] {
            let expected = try dump(reference, table)
            XCTAssertFalse(expected.isEmpty, "\(table) is empty", file: file, line: line)
            XCTAssertEqual(try dump(sink, table), expected, "table \(table) differs: \(label)", file: file, line: line)
        }
        try sink.writer.write { db in try db.execute(sql: "DELETE FROM runs WHERE id = 1") }
        XCTAssertEqual(try sink.rawRows("SELECT count(*) FROM jobs WHERE run = 1"), [[.integer(0)]], file: file, line: line)
    }

    private func assertPathsAgree(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("write-paths-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try reference(result, in: dir)
        for path in WritePath.allCases where path != .reference {
            let sink = try written(result, in: dir, name: path.rawValue) { sink, id, result, wallEnd in
                try sink.completeRun(id: id, result: result, topology: topology, wallEnd: wallEnd, writePath: path)
            }
            try assertSameRows(sink, expected, path.rawValue, file: file, line: line)
        }
    }

    func testBulkPathWritesTheReferenceRowsForEdgeValues() throws {
        XCTAssertEqual(WritePath.allCases, [.bulk, .reference, .streamed])
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

    /// The streamed path with rows handed over while a simulation runs, as the benchmark and `schedlab run` do:
    /// after every event, every few events, or rarely, under a non-preemptive and a preemptive policy, the database
    /// holds exactly the rows the reference path writes after the run.
    func testStreamedWhileSimulatingWritesTheReferenceRows() throws {
        for (name, make) in everyCatalogPolicy where name == "fifo" || name == "tiresias" {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("write-stream-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let plain = try simulate(jobs: simulatedJobs(), topology: topology, policy: make())
            let expected = try reference(plain, in: dir)
            for interval in [1, 5, 4096] {
                let label = "\(name), every \(interval) events"
                let sink = try SQLiteSink(path: dir.appendingPathComponent("streamed-\(interval).sqlite").path)
                try sink.completeRun(id: try sink.beginRun(meta()), result: edgeResult(), topology: topology,
                                     wallEnd: Date(timeIntervalSince1970: 1_764_171_600), writePath: .bulk)
                let id = try sink.beginRun(meta())
                let stream = sink.streamRun(id: id, topology: topology)
                var options = SimulationOptions(checkInvariants: true)
                options.output = stream.receive
                options.outputInterval = interval
                let result = try Simulation(topology: topology, jobs: simulatedJobs(), policy: make(),
                                            placement: FirstFitPlacement(), options: options).run()
                XCTAssertEqual(result.jobs, plain.jobs, label)
                // Nothing is visible to other connections before the commit.
                XCTAssertEqual(try sink.rawRows("SELECT count(*) FROM jobs WHERE run = \(id)"), [[.integer(0)]], label)
                let stats = try stream.finish(result: result, wallEnd: Date(timeIntervalSince1970: 1_764_171_600.5))
                XCTAssertEqual(stats.tables.map { $0.name }, ["jobs", "allocations", "samples", "summary", "links"], label)
                let rows: Int = result.jobs.count + result.allocations.count + result.samples.count
                XCTAssertEqual(stats.rows, rows + result.summary.count + result.links.count, label)
                if interval < 4096 {
                    XCTAssertGreaterThan(stats.rowsWhileSimulating, stats.rows / 2, label)
                }
                try assertSameRows(sink, expected, label)
            }
        }
    }

    /// Rows handed over by hand in pieces of awkward sizes (single rows, a batch and one more, empty pieces), the
    /// rest left to `finish`.
    func testStreamedPiecesOfAnySizeWriteTheReferenceRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("write-pieces-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = edgeResult()
        let expected = try reference(result, in: dir)
        let sizes = [1, 0, BulkInsert.batchRows + 1, 3, BulkInsert.batchRows - 1, 1]
        let sink = try written(result, in: dir, name: "pieces") { sink, id, result, wallEnd in
            let stream = sink.streamRun(id: id, topology: topology)
            var taken = (jobs: 0, allocations: 0, samples: 0)
            for size in sizes {
                let end = (jobs: min(taken.jobs + size, result.jobs.count),
                           allocations: min(taken.allocations + 2 * size, result.allocations.count),
                           samples: min(taken.samples + size, result.samples.count))
                stream.receive(RunOutputChunk(
                    jobs: Array(result.jobs[taken.jobs..<end.jobs]),
                    allocations: Array(result.allocations[taken.allocations..<end.allocations]),
                    samples: Array(result.samples[taken.samples..<end.samples])))
                taken = end
            }
            XCTAssertLessThan(taken.jobs, result.jobs.count)
            return try stream.finish(result: result, wallEnd: wallEnd)
        }
        try assertSameRows(sink, expected, "pieces")
    }

    /// `abort` (a failed or interrupted simulation) rolls back every row already written, releases the write lock and
    /// leaves the run `running` for the caller to mark.
    func testStreamAbortLeavesNoRows() throws {
        let sink = try SQLiteSink.inMemory()  // one connection: the pragma below is the writer's
        let id = try sink.beginRun(meta())
        let stream = sink.streamRun(id: id, topology: topology)
        let result = edgeResult()
        stream.receive(RunOutputChunk(jobs: result.jobs, allocations: result.allocations, samples: result.samples))
        stream.abort()
        stream.receive(RunOutputChunk(jobs: result.jobs, allocations: [], samples: []))  // after the end: dropped
        for table in ["jobs", "allocations", "samples", "summary", "links"] {
            XCTAssertEqual(try sink.rawRows("SELECT count(*) FROM \(table)"), [[.integer(0)]], table)
        }
        XCTAssertEqual(try sink.fetchRun(id: id)?.status, .running)
        try sink.failRun(id: id, message: "simulation failed", wallEnd: Date())
        XCTAssertEqual(try sink.fetchRun(id: id)?.status, .failed)
        XCTAssertEqual(try sink.rawRows("PRAGMA foreign_keys"), [[.integer(1)]])
    }

    /// An insert failing on the writing thread (an allocation on a node the topology lacks) fails `finish` with that
    /// error, writes nothing, and leaves the sink usable.
    func testStreamFailureLeavesNoRows() throws {
        let sink = try SQLiteSink.inMemory()
        let id = try sink.beginRun(meta())
        let stream = sink.streamRun(id: id, topology: ClusterFixtures.dgxA100(nodes: 2))
        let result = edgeResult()
        stream.receive(RunOutputChunk(jobs: result.jobs, allocations: result.allocations, samples: result.samples))
        stream.receive(RunOutputChunk(jobs: [], allocations: [], samples: result.samples))
        XCTAssertThrowsError(try stream.finish(result: result, wallEnd: Date())) { error in
            guard case .allocationOutsideCluster? = error as? RecordingError else { return XCTFail("\(error)") }
        }
        for table in ["jobs", "allocations", "samples", "summary", "links"] {
            XCTAssertEqual(try sink.rawRows("SELECT count(*) FROM \(table)"), [[.integer(0)]], table)
        }
        XCTAssertEqual(try sink.fetchRun(id: id)?.status, .running)
        XCTAssertEqual(try sink.rawRows("PRAGMA foreign_keys"), [[.integer(1)]])
        try sink.completeRun(id: id, result: result, topology: topology, wallEnd: Date(), writePath: .streamed)
        XCTAssertEqual(try sink.fetchRun(id: id)?.status, .complete)
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
