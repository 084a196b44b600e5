import Foundation
import XCTest

/// A results database written by a newer SchedLab (a migration this binary does not know, or a higher
/// `PRAGMA user_version`) is refused with exit status 2 and one line naming both schema versions, and is not written.
final class DatabaseVersionTests: SchedLabProcessTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try write(CLITests.tiny, to: "tiny.yaml")
    }

    /// Runs `statement` on the database through Python's sqlite3 (a writer other than SchedLab).
    func alter(_ db: String, _ statement: String) throws {
        let script = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute(sys.argv[2])\nc.commit()\nc.close()\n"
        let out = try SchedLabBinaryProcess.run("/usr/bin/env", ["python3", "-c", script, db, statement], in: dir)
        guard out.status == 0 else { throw XCTSkip("python3 cannot write the database: \(out.stderr)") }
    }

    func assertRefused(_ db: String, mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: db))
        for args in [["run", "tiny.yaml", "--db", db, "--quiet"], ["export", "--db", db, "--table", "runs", "--all"]] {
            let r = try schedlab(args)
            XCTAssertEqual(r.status, 2, "\(args[0]): \(r.stderr)", file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n", omittingEmptySubsequences: false).count, 2,
                           "\(args[0]): one line:\n\(r.stderr)", file: file, line: line)
            XCTAssertTrue(r.stderr.hasPrefix("error: \(db): "), r.stderr, file: file, line: line)
            for m in mentions + ["v7", "newer"] {
                XCTAssertTrue(r.stderr.contains(m), "\(args[0]): should mention \(m): \(r.stderr)", file: file, line: line)
            }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), bytes, "nothing written", file: file, line: line)
        XCTAssertEqual(try query(db, "SELECT count(*) FROM runs"), [["1"]], file: file, line: line)
    }

    func testUnknownMigrationIsRefused() throws {
        let db = dir.appendingPathComponent("newer.sqlite").path
        XCTAssertEqual(try schedlab("run", "tiny.yaml", "--db", db, "--quiet").status, 0)
        try alter(db, "INSERT INTO grdb_migrations (identifier) VALUES ('v8')")
        try assertRefused(db, mentions: ["v8"])
    }

    func testHigherUserVersionIsRefused() throws {
        let db = dir.appendingPathComponent("newer.sqlite").path
        XCTAssertEqual(try schedlab("run", "tiny.yaml", "--db", db, "--quiet").status, 0)
        XCTAssertEqual(try query(db, "PRAGMA user_version"), [["7"]])
        try alter(db, "PRAGMA user_version = 12")
        try assertRefused(db, mentions: ["v12", "user_version"])
    }
}
