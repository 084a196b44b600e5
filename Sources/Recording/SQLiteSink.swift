import ClusterModel
import Engine
import Foundation
import GRDB

/// A `ResultSink` that writes runs into a SQLite database (schema: `Schema`).
///
/// Several processes may record into the same file (e.g. parallel sweeps): WAL mode lets readers proceed
/// during a write, and the busy timeout makes a writer wait for another's transaction instead of failing. Any number
/// of processes may open (create, migrate) the same file at once: see `openPool` and `SchemaMigrator`.
public final class SQLiteSink: ResultSink {
    /// How long a write waits for another connection's lock before failing, seconds.
    public static let busyTimeout: TimeInterval = 10

    /// The connection (pool for files, queue in memory); internal so GRDB stays out of our public API.
    let writer: any DatabaseWriter

    /// Opens (creating if needed, with parent directories) the database at `path` and migrates it.
    ///
    /// `busyTimeout` is how long a write waits for other processes' transactions; sweep workers, many writing into one
    /// file, wait longer than the default rather than fail a finished run for want of a lock.
    public convenience init(path: String, busyTimeout: TimeInterval = SQLiteSink.busyTimeout) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // A pool puts the database in WAL mode and allows reads concurrent with our long result transaction.
        try self.init(writer: Self.openPool(
            path: url.path, configuration: Self.configuration(busyTimeout: busyTimeout), busyTimeout: busyTimeout))
    }

    /// A fresh private in-memory database, for tests.
    public static func inMemory() throws -> SQLiteSink {
        try SQLiteSink(writer: DatabaseQueue(configuration: configuration()))
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Schema.migrator.migrate(writer)
    }

    private static func configuration(busyTimeout: TimeInterval = SQLiteSink.busyTimeout) -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "SchedLab.Recording"
        return config
    }

    // MARK: - ResultSink

    /// Inserts the `runs` row with status `running` in its own committed transaction and returns its ID.
    public func beginRun(_ meta: RunMetadata) throws -> Int64 {
        try writer.write { db in try Self.insertRun(meta, db) }
    }

    /// Inserts a `running` run row and returns its ID; the caller's transaction decides when it commits.
    static func insertRun(_ meta: RunMetadata, _ db: Database) throws -> Int64 {
            try db.execute(
                sql: """
                    INSERT INTO runs (scenario, scenario_hash, seed, policy, placement, parameters,
                                      code_version, wall_start, status, skipped_input_rows, scenario_text, scenario_path,
                                      schedlab_version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
                    """,
                arguments: [
                    meta.scenarioName, meta.scenarioHash, Int64(bitPattern: meta.seed), meta.policy,
                    meta.placement, meta.parameters, meta.codeVersion, WallClock.format(meta.wallStart),
                    meta.skippedInputRows, meta.scenarioText, meta.scenarioPath, meta.schedlabVersion,
                ])
            return db.lastInsertedRowID
    }

    /// Writes all result rows and marks the run `complete` in one transaction; rolls everything back on error.
    public func completeRun(id: Int64, result: RunResult, topology: Topology, wallEnd: Date) throws {
        try completeRun(id: id, result: result, topology: topology, wallEnd: wallEnd, writePath: .bulk)
    }

    /// `completeRun` through a chosen write path, returning rows and seconds per table (for the benchmark, and the
    /// test that both paths write the same database).
    @discardableResult
    public func completeRun(
        id: Int64, result: RunResult, topology: Topology, wallEnd: Date, writePath: WritePath
    ) throws -> WriteStatistics {
        var stats = WriteStatistics()
        let start = WriteStatistics.now()
        var bodyEnd = start
        /// Everything but the commit; `makeInsert` prepares one table's INSERT for the path.
        func writeRows<R: RowSink>(_ db: Database, _ makeInsert: (Database, InsertSQL, Int) throws -> R) throws {
            // Check first so a wrong ID fails fast instead of after inserting a million rows.
            try Self.requireRunning(id: id, db)
            var t = WriteStatistics.now()
            try Self.insertJobs(result.jobs[...], run: id, try makeInsert(db, Self.jobsInsert, result.jobs.count))
            stats.record("jobs", rows: result.jobs.count, since: t)
            t = WriteStatistics.now()
            try Self.insertAllocations(
                result.allocations[...], topology: topology, run: id,
                try makeInsert(db, Self.allocationsInsert, result.allocations.count))
            stats.record("allocations", rows: result.allocations.count, since: t)
            t = WriteStatistics.now()
            try Self.insertSamples(result.samples[...], run: id, try makeInsert(db, Self.samplesInsert, result.samples.count))
            stats.record("samples", rows: result.samples.count, since: t)
            t = WriteStatistics.now()
            try Self.insertSummary(result.summary, run: id, try makeInsert(db, Self.summaryInsert, result.summary.count))
            stats.record("summary", rows: result.summary.count, since: t)
            t = WriteStatistics.now()
            if !result.links.isEmpty {
                try Self.insertLinks(result.links, run: id, try makeInsert(db, Self.linksInsert, result.links.count))
            }
            stats.record("links", rows: result.links.count, since: t)
            try db.execute(
                sql: """
                    UPDATE runs SET status = 'complete', sim_end_s = ?, events = ?, wall_end = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [result.simulatedEnd.seconds, result.eventsProcessed, WallClock.format(wallEnd), id])
            bodyEnd = WriteStatistics.now()
        }
        switch writePath {
        case .streamed:
            return try streamRun(id: id, topology: topology).finish(result: result, wallEnd: wallEnd)
        case .reference:
            try writer.writeWithoutTransaction { db in
                let cpu = WriteStatistics.threadCPU()
                defer { stats.cpuSeconds = WriteStatistics.threadCPU() - cpu }
                // What `write` does: a transaction that commits only if the closure returns normally.
                try db.inTransaction {
                    try writeRows(db) { db, sql, _ in try ReferenceInsert(db, sql: sql.sql(rows: 1)) }
                    return .commit
                }
            }
        case .bulk:
            try writer.writeWithoutTransaction { db in
                let cpu = WriteStatistics.threadCPU()
                defer { stats.cpuSeconds = WriteStatistics.threadCPU() - cpu }
                // Every result row references `runs(id)`; with foreign keys on, SQLite looks the run up once per row.
                // `requireRunning` checks it once inside the same transaction, which holds the write lock until the
                // commit, so the check per row is redundant. The pragma is a no-op inside a transaction, hence
                // switched around it (and back on whatever happens).
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                do {
                    try db.inTransaction(.immediate) {
                        try writeRows(db) { db, sql, rows in try BulkInsert(db, sql, rows: rows) }
                        return .commit
                    }
                } catch {
                    try? db.execute(sql: "PRAGMA foreign_keys = ON")
                    throw error
                }
                try db.execute(sql: "PRAGMA foreign_keys = ON")
            }
        }
        let end = WriteStatistics.now()
        stats.commitSeconds = Double(end - bodyEnd) / 1e9
        stats.totalSeconds = Double(end - start) / 1e9
        return stats
    }

    /// Starts writing run `id` (a `running` run, `beginRun`) while it is simulated: pass the stream's `receive` as
    /// `SimulationOptions.output`, then call its `finish` with the result, or `abort` if the simulation fails. The
    /// database content is `completeRun`'s; see `StreamingRun` for the write lock it holds meanwhile.
    public func streamRun(id: Int64, topology: Topology) -> StreamingRun {
        StreamingRun(sink: self, id: id, topology: topology)
    }

    /// Marks a `running` run `failed` with `message`; throws if the run does not exist or already ended.
    public func failRun(id: Int64, message: String, wallEnd: Date) throws {
        try writer.write { db in
            try Self.requireRunning(id: id, db)
            try db.execute(
                sql: "UPDATE runs SET status = 'failed', error = ?, wall_end = ? WHERE id = ?",
                arguments: [message, WallClock.format(wallEnd), id])
        }
    }

    // MARK: - Writing helpers

    /// Throws unless run `id` exists and is `running`: a run's results are written at most once.
    static func requireRunning(id: Int64, _ db: Database) throws {
        guard let status = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [id])
        else { throw RecordingError.unknownRun(id: id) }
        guard status == RunStatus.running.rawValue else {
            throw RecordingError.runNotRunning(id: id, status: status)
        }
    }

    // The inserts below prepare one statement per table and bind each row's values through a `RowSink`: the bulk
    // path binds them directly with the C API (see `BulkInsert`), the reference path collects GRDB arguments; the
    // values come from the same code either way, so the two paths cannot drift apart.

    static let jobsInsert = InsertSQL(prefix: """
        INSERT INTO jobs (run, job, name, submit_s, first_start_s, finish_s, gpus, gpu_type, model,
                          queue_delay_s, jct_s, run_time_s, preemptions, mean_iteration_s, comm_fraction,
                          user, migrations, resizes, restarts, overhead_s, overhead_gpu_s, isolated_s, rho,
                          failures, lost_s, lost_gpu_s) VALUES
        """, columns: 26)
    static let allocationsInsert = InsertSQL(
        prefix: "INSERT INTO allocations (run, job, start_s, end_s, node, gpus, first_gpu) VALUES", columns: 7)
    static let samplesInsert = InsertSQL(
        prefix: "INSERT INTO samples (run, time_s, busy_gpus, queued_jobs, running_jobs) VALUES", columns: 5)
    static let summaryInsert = InsertSQL(prefix: "INSERT INTO summary (run, metric, value) VALUES", columns: 3)
    static let linksInsert = InsertSQL(prefix: "INSERT INTO links (run, time_s, link, name, utilization) VALUES", columns: 5)

    static func insertJobs<R: RowSink>(_ jobs: ArraySlice<JobOutcome>, run: Int64, _ insert: R) throws {
        for job in jobs {
            insert.bind(1, run)
            insert.bind(2, Int64(job.id.raw))
            insert.bind(3, job.name)
            insert.bind(4, job.submit.seconds)
            insert.bind(5, job.firstStart?.seconds)
            insert.bind(6, job.finish?.seconds)
            insert.bind(7, job.gpus)
            insert.bind(8, job.gpuType)
            insert.bind(9, job.model)
            insert.bind(10, job.queueingDelaySeconds)
            insert.bind(11, job.jctSeconds)
            insert.bind(12, job.runSeconds)
            insert.bind(13, job.preemptions)
            insert.bind(14, job.meanIterationSeconds)
            insert.bind(15, job.communicationFraction)
            insert.bind(16, job.user)
            insert.bind(17, job.migrations)
            insert.bind(18, job.resizes)
            insert.bind(19, job.restarts)
            insert.bind(20, job.overheadSeconds)
            insert.bind(21, job.overheadGPUSeconds)
            insert.bind(22, job.isolatedSeconds)
            insert.bind(23, job.rho)
            insert.bind(24, job.failures)
            insert.bind(25, job.lostSeconds)
            insert.bind(26, job.lostGPUSeconds)
            try insert.step()
        }
    }

    static func insertAllocations<R: RowSink>(
        _ allocations: ArraySlice<AllocationInterval>, topology: Topology, run: Int64, _ insert: R
    ) throws {
        for allocation in allocations {
            let node = allocation.node.index
            // A wrong topology would silently attribute GPUs to other nodes; fail the transaction instead.
            let gpus = allocation.localGPUs
            guard node >= 0 && node < topology.nodeCount,
                  gpus.allSatisfy({ $0 >= 0 && $0 < Int(topology.nodeGPUCount[node]) })
            else {
                throw RecordingError.allocationOutsideCluster(job: Int64(allocation.job.raw), node: Int64(node))
            }
            insert.bind(1, run)
            insert.bind(2, Int64(allocation.job.raw))
            insert.bind(3, allocation.start.seconds)
            insert.bind(4, allocation.end.seconds)
            insert.bind(5, Int64(allocation.node.raw))
            insert.bind(6, gpuList: gpus)
            insert.bind(7, Int64(topology.nodeFirstGPU[node]))
            try insert.step()
        }
    }

    static func insertSamples<R: RowSink>(_ samples: ArraySlice<UtilizationSample>, run: Int64, _ insert: R) throws {
        for sample in samples {
            insert.bind(1, run)
            insert.bind(2, sample.time.seconds)
            insert.bind(3, sample.busyGPUs)
            insert.bind(4, sample.queuedJobs)
            insert.bind(5, sample.runningJobs)
            try insert.step()
        }
    }

    static func insertLinks<R: RowSink>(_ links: [LinkUtilizationSample], run: Int64, _ insert: R) throws {
        for l in links {
            insert.bind(1, run)
            insert.bind(2, l.time.seconds)
            insert.bind(3, Int64(l.link))
            insert.bind(4, l.name)
            insert.bind(5, l.utilization)
            try insert.step()
        }
    }

    static func insertSummary<R: RowSink>(_ metrics: [SummaryMetric], run: Int64, _ insert: R) throws {
        for metric in metrics {
            insert.bind(1, run)
            insert.bind(2, metric.name)
            insert.bind(3, metric.value)  // NaN → NULL: "undefined"
            try insert.step()
        }
    }

    /// "0,1,2,3": compact, human-readable, and splittable in SQL/pandas without a JSON parser.
    static func gpuList(_ gpus: [Int]) -> String {
        gpus.map(String.init).joined(separator: ",")
    }
}
