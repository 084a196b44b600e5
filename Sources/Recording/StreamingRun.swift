import ClusterModel
import Engine
import Foundation
import GRDB

/// Writes a run's result rows on a thread of its own while the simulation runs: the rows the engine hands over as they
/// become final (`SimulationOptions.output`, `RunOutputChunk`), then at `finish` the rest of the `RunResult`, the
/// summary and the `complete` status, in one transaction that commits only at `finish`.
///
/// The database is the one `completeRun` writes: every table's rows go in in `RunResult` order with the same values
/// through the same binding code (`BulkInsert`), so they get the same rowids (`WritePathTests` compares every row's
/// cells and storage classes). Only the file's page layout differs, since the tables' pages now interleave.
///
/// Crash safety is `completeRun`'s: nothing is visible to other connections before the commit, a process killed
/// mid-run leaves the run `running` (its uncommitted WAL frames are ignored on recovery), and `abort` (a failed or
/// interrupted simulation) rolls everything back. The price: the run holds the database's write lock for the whole
/// simulation, so other processes writing into the same file wait for it (up to their busy timeout) instead of for a
/// write of a second or less; a sweep with several workers on one file should keep `completeRun`. While a stream is
/// open, other writes through the same `SQLiteSink` wait for it too: call `finish` or `abort` first, and always one
/// of them (the writing thread holds the lock until then).
public final class StreamingRun: @unchecked Sendable {  // shared state is guarded by `condition`
    private enum Command {
        case finish(RunResult, wallEnd: Date)
        case abort
    }

    /// What the writing thread does next.
    private enum Next {
        case chunk(RunOutputChunk)
        case command(Command)
    }

    private let sink: SQLiteSink
    private let id: Int64
    private let topology: Topology
    private let condition = NSCondition()
    /// Chunks handed over and not yet taken by the writing thread.
    private var pending: [RunOutputChunk] = []
    private var command: Command?
    /// Set once the writing thread has ended, with its statistics or the error that ended it.
    private var outcome: Result<WriteStatistics, any Error>?
    /// Set by the writing thread when it stopped early on an error: chunks handed over after that are dropped.
    private var failed = false
    /// When `finish` was called: the end of the simulation.
    private var finishCalled: UInt64 = 0

    /// Starts the run's transaction on a new thread; `id` must be a `running` run of `sink` (`beginRun`).
    init(sink: SQLiteSink, id: Int64, topology: Topology) {
        self.sink = sink
        self.id = id
        self.topology = topology
        let thread = Thread { [self] in self.write() }
        thread.name = "SchedLab.writer"  // at most 15 bytes: the kernel's thread name limit
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Hands over rows that will not change any more (pass this as `SimulationOptions.output`). Cheap for the
    /// simulating thread: the writing thread does the inserts.
    public func receive(_ chunk: RunOutputChunk) {
        guard !chunk.isEmpty else { return }
        condition.lock()
        if !failed && command == nil { pending.append(chunk) }
        condition.signal()
        condition.unlock()
    }

    /// After a successful simulation: writes the rows of `result` not handed over yet, the summary and links, marks
    /// the run `complete` and commits; returns rows and seconds per table, with `totalSeconds` from this call to the
    /// end of the commit (the write time the simulation did not hide). Throws what the writing failed with; the run
    /// is then still `running` and nothing of it is written.
    public func finish(result: RunResult, wallEnd: Date) throws -> WriteStatistics {
        condition.lock()
        finishCalled = WriteStatistics.now()
        command = .finish(result, wallEnd: wallEnd)
        condition.signal()
        while outcome == nil { condition.wait() }
        let outcome = self.outcome!
        condition.unlock()
        var stats = try outcome.get()
        stats.totalSeconds = WriteStatistics.seconds(since: finishCalled)
        return stats
    }

    /// After a failed or interrupted simulation: rolls back every row written and waits for the writing thread to
    /// end, leaving the run `running` for the caller to mark (`failRun`, `interruptRun`).
    public func abort() {
        condition.lock()
        if command == nil { command = .abort }
        condition.signal()
        while outcome == nil { condition.wait() }
        condition.unlock()
    }

    /// The next chunk, or the command once every chunk is taken.
    private func next() -> Next {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if case .abort? = command { return .command(.abort) }
            if !pending.isEmpty {
                // Take everything waiting: fewer, larger pieces when the writer falls behind.
                var chunk = pending.removeFirst()
                while !pending.isEmpty {
                    let more = pending.removeFirst()
                    chunk.jobs += more.jobs
                    chunk.allocations += more.allocations
                    chunk.samples += more.samples
                }
                return .chunk(chunk)
            }
            if let command { return .command(command) }
            condition.wait()
        }
    }

    /// The writing thread: one transaction, chunks as they come, the rest at `finish`.
    private func write() {
        var result: Result<WriteStatistics, any Error>
        do {
            result = .success(try writeTransaction())
        } catch {
            result = .failure(error)
        }
        condition.lock()
        if case .failure = result { failed = true; pending.removeAll() }
        outcome = result
        condition.broadcast()
        condition.unlock()
    }

    private struct Aborted: Error {}

    private func writeTransaction() throws -> WriteStatistics {
        var stats = WriteStatistics()
        let cpu = WriteStatistics.threadCPU()
        var pieces = TablePieces()
        do {
            try sink.writer.writeWithoutTransaction { db in
                // As in `completeRun`'s bulk path: the run row is checked once under the write lock, not per row.
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                try db.inTransaction(.immediate) {
                    try SQLiteSink.requireRunning(id: id, db)
                    var completion: Database.TransactionCompletion?
                    while completion == nil {
                        switch next() {
                        case .chunk(let chunk):
                            let start = WriteStatistics.now()
                            let rows = stats.rows
                            try pieces.write(chunk, finalPiece: false, run: id, topology: topology, db, &stats)
                            stats.rowsWhileSimulating += stats.rows - rows
                            stats.secondsWhileSimulating += WriteStatistics.seconds(since: start)
                        case .command(.abort):
                            throw Aborted()
                        case .command(.finish(let result, let wallEnd)):
                            try writeRest(of: result, wallEnd: wallEnd, pieces: &pieces, db, &stats)
                            completion = .commit
                        }
                    }
                    return completion!
                }
            }
        } catch is Aborted {
            // Rolled back by `inTransaction`; the caller marks the run.
        }
        stats.cpuSeconds = WriteStatistics.threadCPU() - cpu
        stats.commitSeconds = pieces.bodyEnd.map { WriteStatistics.seconds(since: $0) } ?? 0
        return stats
    }

    /// The rows of `result` beyond those handed over, the summary, links and the run's final status.
    private func writeRest(
        of result: RunResult, wallEnd: Date, pieces: inout TablePieces, _ db: Database, _ stats: inout WriteStatistics
    ) throws {
        let rest = RunOutputChunk(
            jobs: Array(result.jobs[pieces.received.jobs...]),
            allocations: Array(result.allocations[pieces.received.allocations...]),
            samples: Array(result.samples[pieces.received.samples...]))
        try pieces.write(rest, finalPiece: true, run: id, topology: topology, db, &stats)
        var t = WriteStatistics.now()
        try SQLiteSink.insertSummary(
            result.summary, run: id, try BulkInsert(db, SQLiteSink.summaryInsert, rows: result.summary.count))
        stats.add("summary", rows: result.summary.count, since: t)
        t = WriteStatistics.now()
        if !result.links.isEmpty {
            try SQLiteSink.insertLinks(
                result.links, run: id, try BulkInsert(db, SQLiteSink.linksInsert, rows: result.links.count))
        }
        stats.add("links", rows: result.links.count, since: t)
        try db.execute(
            sql: """
                UPDATE runs SET status = 'complete', sim_end_s = ?, events = ?, wall_end = ?
                WHERE id = ? AND status = 'running'
                """,
            arguments: [result.simulatedEnd.seconds, result.eventsProcessed, WallClock.format(wallEnd), id])
        pieces.bodyEnd = WriteStatistics.now()
    }
}

/// The jobs, allocations and samples a `StreamingRun` has received, and the rows of each not yet inserted: only
/// whole batches (`BulkInsert.batchRows`) are inserted before the last piece, so every piece reuses the one cached
/// full-batch statement and none compiles a statement for a short last batch.
private struct TablePieces {
    var jobs: [JobOutcome] = []
    var allocations: [AllocationInterval] = []
    var samples: [UtilizationSample] = []
    /// Rows received per table (the `RunResult` index the rest starts at).
    var received = (jobs: 0, allocations: 0, samples: 0)
    /// When the last statement before the commit ended.
    var bodyEnd: UInt64?

    mutating func write(
        _ chunk: RunOutputChunk, finalPiece: Bool, run: Int64, topology: Topology, _ db: Database,
        _ stats: inout WriteStatistics
    ) throws {
        received.jobs += chunk.jobs.count
        received.allocations += chunk.allocations.count
        received.samples += chunk.samples.count
        jobs += chunk.jobs
        allocations += chunk.allocations
        samples += chunk.samples
        var t = WriteStatistics.now()
        var n = Self.ready(jobs.count, finalPiece)
        if n > 0 {
            try SQLiteSink.insertJobs(jobs[..<n], run: run, try BulkInsert(db, SQLiteSink.jobsInsert, rows: n))
            jobs.removeFirst(n)
        }
        stats.add("jobs", rows: n, since: t)
        t = WriteStatistics.now()
        n = Self.ready(allocations.count, finalPiece)
        if n > 0 {
            try SQLiteSink.insertAllocations(
                allocations[..<n], topology: topology, run: run, try BulkInsert(db, SQLiteSink.allocationsInsert, rows: n))
            allocations.removeFirst(n)
        }
        stats.add("allocations", rows: n, since: t)
        t = WriteStatistics.now()
        n = Self.ready(samples.count, finalPiece)
        if n > 0 {
            try SQLiteSink.insertSamples(samples[..<n], run: run, try BulkInsert(db, SQLiteSink.samplesInsert, rows: n))
            samples.removeFirst(n)
        }
        stats.add("samples", rows: n, since: t)
    }

    /// Rows to insert now out of `count` waiting: all of them in the last piece, else whole batches only.
    private static func ready(_ count: Int, _ finalPiece: Bool) -> Int {
        finalPiece ? count : count / BulkInsert.batchRows * BulkInsert.batchRows
    }
}
