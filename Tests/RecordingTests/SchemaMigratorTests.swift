import Foundation
import GRDB
@testable import Recording
import XCTest

/// Schema v7 and the migrator: the rebuilt `runs` keeps every row, ID and the AUTOINCREMENT counter; concurrent
/// openers of an old database all succeed with each migration applied once; a newer database is refused unwritten;
/// an interrupted run is marked once.
final class SchemaMigratorTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("SchemaMigratorTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// A schema-v6 database as SchedLab 0.1 left it: runs 1-3 with results, run 3 then deleted (so the counter, 3,
    /// is above the highest surviving ID).
    func makeV6Database() throws -> String {
        let path = dir.appendingPathComponent("v6.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v6")
        try queue.write { db in
            for (id, status) in [(1, "complete"), (2, "failed"), (3, "complete")] {
                try db.execute(sql: """
                    INSERT INTO runs (scenario, scenario_hash, seed, policy, placement, code_version, wall_start, status)
                    VALUES ('old', 'ff00', ?, 'fifo', 'packed', '0.1.0', '2025-11-26T15:39:00.250Z', ?)
                    """, arguments: [id, status])
                try db.execute(sql: "INSERT INTO summary (run, metric, value) VALUES (?, 'jobs_total', 2)", arguments: [id])
                try db.execute(sql: """
                    INSERT INTO jobs (run, job, name, submit_s, gpus, run_time_s, preemptions) VALUES (?, 0, 'a', 0, 1, 5, 0)
                    """, arguments: [id])
            }
            try db.execute(sql: "DELETE FROM runs WHERE id = 3")
        }
        return path
    }

    func testV6DatabaseMigratesToV7KeepingRunsIDsAndCounter() throws {
        let path = try makeV6Database()
        let sink = try SQLiteSink(path: path)
        XCTAssertEqual(try sink.rawRows("SELECT group_concat(identifier) FROM (SELECT identifier FROM grdb_migrations ORDER BY rowid)"),
                       [[.text("v1,v2,v3,v4,v5,v6,v7")]])
        XCTAssertEqual(try sink.rawRows("PRAGMA user_version"), [[.integer(7)]])
        XCTAssertEqual(try sink.rawRows("SELECT id, status FROM runs ORDER BY id"),
                       [[.integer(1), .text("complete")], [.integer(2), .text("failed")]])
        XCTAssertEqual(try sink.rawRows("SELECT run, count(*) FROM jobs GROUP BY run ORDER BY run"),
                       [[.integer(1), .integer(1)], [.integer(2), .integer(1)]], "results survive the rebuild (no cascade)")
        XCTAssertEqual(try sink.rawRows("SELECT seq FROM sqlite_sequence WHERE name = 'runs'"), [[.integer(3)]])
        XCTAssertEqual(try sink.rawRows("PRAGMA foreign_key_check"), [])
        XCTAssertEqual(try sink.rawRows("PRAGMA foreign_keys"), [[.integer(1)]], "foreign keys are on again")
        // A deleted run's ID is still never reused, and the rebuilt table still cascades deletes.
        let id = try sink.beginRun(RunMetadata(
            scenarioName: "new", scenarioHash: "00", seed: 1, policy: "fifo", placement: "packed", parameters: "",
            codeVersion: "test", wallStart: Date()))
        XCTAssertEqual(id, 4)
        try sink.writer.write { db in try db.execute(sql: "DELETE FROM runs WHERE id = 1") }
        XCTAssertEqual(try sink.rawRows("SELECT count(*) FROM jobs WHERE run = 1"), [[.integer(0)]])
        // 'interrupted' passes the new CHECK; anything else still fails it.
        try sink.interruptRun(id: id, reason: "interrupted by SIGINT", simulatedEndSeconds: 12.5, events: 40, wallEnd: Date())
        XCTAssertEqual(try sink.fetchRun(id: id)?.status, .interrupted)
        XCTAssertEqual(try sink.rawRows("SELECT error, sim_end_s, events FROM runs WHERE id = \(id)"),
                       [[.text("interrupted by SIGINT"), .real(12.5), .integer(40)]])
        XCTAssertThrowsError(try sink.writer.write { db in try db.execute(sql: "UPDATE runs SET status = 'paused' WHERE id = 2") })
        // Marked once: a second stop, or a completion, is refused.
        XCTAssertThrowsError(try sink.interruptRun(id: id, reason: "again", simulatedEndSeconds: 1, events: 1, wallEnd: Date())) {
            XCTAssertEqual($0 as? RecordingError, .runNotRunning(id: id, status: "interrupted"))
        }
        XCTAssertThrowsError(try sink.interruptRun(id: 99, reason: "x", simulatedEndSeconds: 1, events: 1, wallEnd: Date())) {
            XCTAssertEqual($0 as? RecordingError, .unknownRun(id: 99))
        }
    }

    /// 16 connections open the v6 file at once (threads of one process: SQLite's locks work between connections the
    /// same way they do between processes): every open succeeds and v7 is applied once.
    func testConcurrentOpenersOfAnOldDatabase() throws {
        for round in 1...3 {
            let path = try makeV6Database()
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 16) { i in
                do {
                    let sink = try SQLiteSink(path: path)
                    _ = try sink.beginRun(RunMetadata(
                        scenarioName: "t\(i)", scenarioHash: "00", seed: UInt64(i), policy: "fifo", placement: "packed",
                        parameters: "", codeVersion: "test", wallStart: Date()))
                } catch {
                    failures.add("\(i): \(error)")
                }
            }
            XCTAssertEqual(failures.all, [], "round \(round)")
            let sink = try SQLiteSink(path: path)
            XCTAssertEqual(try sink.rawRows("SELECT count(*) FROM grdb_migrations"), [[.integer(7)]], "round \(round)")
            XCTAssertEqual(try sink.rawRows("SELECT count(*), min(id) FROM runs WHERE id > 3"), [[.integer(16), .integer(4)]], "round \(round)")
            try FileManager.default.removeItem(atPath: path)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// Opening waits for another connection's exclusive lock (here on a file still in rollback mode, so even the
    /// switch to WAL must wait) instead of failing.
    func testOpeningWaitsForAnotherConnectionsLock() throws {
        let path = dir.appendingPathComponent("locked.sqlite").path
        let holder = try DatabaseQueue(path: path)
        try holder.write { db in try db.execute(sql: "CREATE TABLE other (x INTEGER)") }
        let locked = DispatchSemaphore(value: 0)
        let released = expectation(description: "lock released")
        DispatchQueue.global().async {
            try? holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                locked.signal()
                Thread.sleep(forTimeInterval: 0.5)
                try db.execute(sql: "COMMIT")
            }
            released.fulfill()
        }
        locked.wait()
        let started = Date()
        let sink = try SQLiteSink(path: path, busyTimeout: 10)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.3, "it did wait for the lock")
        wait(for: [released], timeout: 5)
        XCTAssertEqual(try sink.rawRows("SELECT count(*) FROM grdb_migrations"), [[.integer(7)]])
    }

    func testNewerDatabaseIsRefusedUntouched() throws {
        for (change, database) in [("INSERT INTO grdb_migrations (identifier) VALUES ('v8'), ('v10'), ('v9')", "v10 (unknown migrations v8, v9, v10)"),
                                   ("PRAGMA user_version = 9", "v9 (PRAGMA user_version = 9)")] {
            let path = dir.appendingPathComponent("newer-\(UUID().uuidString).sqlite").path
            do {
                let queue = try DatabaseQueue(path: path)
                try Schema.migrator.migrate(queue)
                try queue.writeWithoutTransaction { db in try db.execute(sql: change) }
            }
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try SQLiteSink(path: path)) { error in
                guard case .newerSchema(let found, let supported)? = error as? RecordingError else {
                    return XCTFail("expected newerSchema, got \(error)")
                }
                XCTAssertEqual(found, database)
                XCTAssertTrue(supported.hasPrefix("v7"), supported)
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "not written")
        }
    }

    func testVersionOrder() {
        XCTAssertEqual(["v10", "v2", "v9", "x", "v1"].sorted(by: SchemaMigrator.versionOrder), ["v1", "v2", "v9", "v10", "x"])
    }
}

/// Messages collected from concurrent threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }
}
