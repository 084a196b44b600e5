import Foundation
import XCTest

/// Many `schedlab run` processes started at the same instant on one database file that does not exist yet: every
/// one must create-or-open it, migrate it (or find it migrated) and record its run. Before schema migration ran in
/// one immediate transaction, about 7% of such runs failed on "table runs already exists" or "duplicate column name".
final class ConcurrentWritersTests: SchedLabProcessTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try write(CLITests.tiny, to: "tiny.yaml")
    }

    /// Starts `count` `schedlab run tiny.yaml --db db --seed i` at once and waits for all; returns each exit status
    /// and stderr, in start order.
    func runAtOnce(_ count: Int, db: String) throws -> [(status: Int32, stderr: String)] {
        let binary = try XCTUnwrap(Self.binary, "no schedlab binary")
        var started: [(Process, URL)] = []
        for i in 0..<count {
            let errURL = dir.appendingPathComponent(".concurrent-\(i)-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
            let p = Process()
            p.executableURL = binary
            p.arguments = ["run", "tiny.yaml", "--db", db, "--seed", String(i + 1), "--quiet"]
            p.currentDirectoryURL = dir
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: errURL)
            started.append((p, errURL))
        }
        // Launched back to back, so that they all open the missing file within a few milliseconds of each other.
        for (p, _) in started { try p.run() }
        return try started.map { p, errURL in
            p.waitUntilExit()
            let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
            try? FileManager.default.removeItem(at: errURL)
            return (p.terminationStatus, stderr)
        }
    }

    /// All `count` runs exited 0 and are recorded complete, each with its 20 jobs, in a sound database.
    func assertAllRecorded(_ results: [(status: Int32, stderr: String)], db: String, count: Int, round: Int = 0,
                           file: StaticString = #filePath, line: UInt = #line) throws {
        for (i, r) in results.enumerated() {
            XCTAssertEqual(r.status, 0, "round \(round), run \(i): \(r.stderr)", file: file, line: line)
        }
        XCTAssertEqual(try query(db, "SELECT count(*), count(DISTINCT seed), sum(status = 'complete') FROM runs"),
                       [["\(count)", "\(count)", "\(count)"]], "round \(round)", file: file, line: line)
        XCTAssertEqual(try query(db, "SELECT count(*) FROM jobs"), [["\(count * 20)"]], "round \(round)", file: file, line: line)
        XCTAssertEqual(try query(db, "SELECT group_concat(identifier) FROM (SELECT identifier FROM grdb_migrations ORDER BY rowid)"),
                       [["v1,v2,v3,v4,v5,v6,v7"]], "each migration applied exactly once", file: file, line: line)
        XCTAssertEqual(try query(db, "PRAGMA integrity_check"), [["ok"]], file: file, line: line)
    }

    /// 16 processes on a fresh file, five times over (a new file each round).
    func testSixteenRunsOnAFreshFileFiveRounds() throws {
        for round in 1...5 {
            let db = dir.appendingPathComponent("round\(round).sqlite").path
            let results = try runAtOnce(16, db: db)
            try assertAllRecorded(results, db: db, count: 16, round: round)
        }
    }

    /// The examples: 8 and 20 runs at once on a database (and a directory) that does not exist yet.
    func testEightAndTwentyRunsOnANonexistentFile() throws {
        for count in [8, 20] {
            let db = dir.appendingPathComponent("new-\(count)/results.sqlite").path
            XCTAssertFalse(FileManager.default.fileExists(atPath: db))
            let results = try runAtOnce(count, db: db)
            try assertAllRecorded(results, db: db, count: count, round: count)
        }
    }
}
