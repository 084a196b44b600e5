import Foundation
@testable import Workload
import SimTestSupport
import XCTest

/// The fast trace reader (bytes, `CSVByteSplitter`, `DecimalBytes`) against the reference reader it replaced
/// (`TraceReader.parseReference`: `Character`s and a `String` per field): on seeded random traces and mutations of the
/// repository's traces, both must return the same jobs, lines and skipped rows, or throw the same located error.
final class TraceReaderOracleTests: XCTestCase {
    /// Inputs come from SimTestSupport's `SeededGenerator` (SplitMix64), so that every run draws the same ones.
    typealias SplitMix64 = SeededGenerator


    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What one reader made of a text: the parse, or its error.
    enum Outcome: Equatable {
        case parsed(jobs: [JobSpec], lines: [Int], skipped: [InputError])
        case failed(InputError)
    }

    static func outcome(_ body: () throws(InputError) -> TraceReader.Parsed) -> Outcome {
        do {
            let p = try body()
            return .parsed(jobs: p.jobs, lines: p.lines, skipped: p.skipped)
        } catch {
            return .failed(error)
        }
    }

    /// Asserts both readers agree on `text`, with and without skipping bad rows; returns whether the strict read failed.
    @discardableResult
    func assertAgree(_ text: String, _ what: @autoclosure () -> String) -> Bool {
        var failed = false
        for skip in [false, true] {
            let fast = Self.outcome { () throws(InputError) in try TraceReader.parse(text, file: "o.csv", skipBadRows: skip) }
            let reference = Self.outcome { () throws(InputError) in try TraceReader.parseReference(text, file: "o.csv", skipBadRows: skip) }
            XCTAssertEqual(fast, reference, "\(what()) (skipBadRows: \(skip)): \(text.debugDescription.prefix(600))")
            let bytes = Self.outcome { () throws(InputError) in try TraceReader.parse(utf8: Array(text.utf8), file: "o.csv", skipBadRows: skip) }
            XCTAssertEqual(bytes, fast, "\(what()): the [UInt8] entry differs from the String entry")
            if !skip, case .failed = fast { failed = true }
        }
        return failed
    }

    static let header = TraceReader.requiredColumns + TraceReader.optionalColumns

    /// Field text that is valid, nearly valid or hostile, including the shapes `DecimalBytes` hands back to the
    /// standard parsers and text beyond ASCII whose `Character`s are not its bytes.
    static let numbers = [
        "0", "1", "7", "-0", "+7", "007", "1.5", ".5", "5.", ".", "1e3", "1E3", "1e+3", "2.5e-3", "1e", "e5", "1e400",
        "1e-400", "0x10", "0x1p3", "inf", "-inf", "nan", "NaN", "infinity", "12345678901234567890", "9007199254740993",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "123456789012345678", " 3 ", "\t4", "1_0",
        "", "+", "-", "1.0", "3.14159265358979323846", "6e9", "6000000000.5", "1e9", "1000000000.0000001", "0.1",
        "٣", "1\u{301}", "1e0000009", "00000000000000000000001", "1.5\u{0}", "1000000", "1000001", "999",
    ]
    static let texts = [
        "a", "job-1", "x,y", "\"q\"", "é", "e\u{301}", "\u{212A}", "\u{FEFF}id", "a\u{301},b", "\"\u{301}x", "日本", " pad ",
        "\t", "", "\"\"", "\"a\"\"b\"", "\"a\"b", "\"unterminated", "a\"b", "v100-16", "a100-80", "t4", "\u{212A}80",
        "resnet50", "neumf", "gpt-1.3b", "alice", "COMPLETED", ",", "\"x,\"\"1\"\"\"",
    ]

    /// A random trace: a header (usually right), rows of random fields, random line breaks, blank lines, a BOM.
    static func randomTrace(_ rng: inout SplitMix64) -> String {
        // Half the traces are clean (valid values, quoting and padding that change nothing), so that whole traces
        // parse too; the rest draw hostile text into about one field in three.
        let hostile = rng.below(2) == 0
        let breaks = ["\n", "\r\n", "\r"]
        let lineBreak = rng.pick(breaks)
        var columns = Array(header.prefix(4 + rng.below(header.count - 3)))
        if hostile && rng.below(10) == 0 { columns[rng.below(columns.count)] = rng.pick(texts) }
        var lines = [columns.joined(separator: ",")]
        let ids = (0..<6).map { "job\($0)" } + ["é", "e\u{301}", "\u{212A}", "K", "\"q,1\"", " \"p\"\"q\" "]
        let cleanCounts = ["1", "7", "+7", "007", " 3 ", "\"8\"", "1000000"]
        let cleanNumbers = cleanCounts + ["1.5", ".5", "5.", "1e3", "2.5E2", "1e9", "0.1"]
        let cleanTexts = ["", "t4", "a100-80", "resnet50", "alice", "\"x,y\"", "COMPLETED", " é "]
        var usedIDs = Set<String>()
        for _ in 0..<rng.below(12) {
            switch rng.below(hostile ? 12 : 20) {
            case 0: lines.append("")
            case 1: lines.append(rng.pick([" ", "\t", " \t ", "\u{A0}"]))
            default:
                var fields: [String] = []
                let count = hostile && rng.below(8) == 0 ? rng.below(columns.count + 2) : columns.count
                for i in 0..<count {
                    let wild = hostile && rng.below(3) == 0
                    switch i {
                    case 0:
                        var id = wild ? rng.pick(texts) : rng.pick(ids)
                        // Clean traces: ids unique (as Swift compares them: "é" and "e\u{301}" are one id).
                        if !hostile { while usedIDs.contains(id) { id = "j\(rng.below(1_000_000))" } }
                        usedIDs.insert(id)
                        fields.append(id)
                    case 1: fields.append(wild ? rng.pick(numbers) : rng.below(3) == 0 ? rng.pick(cleanNumbers)
                                          : "\(rng.below(100_000)).\(rng.below(1000))")
                    case 2, 3: fields.append(wild ? rng.pick(numbers) : rng.below(3) == 0 ? rng.pick(i == 2 ? cleanCounts : cleanNumbers)
                                             : String(rng.below(9) + 1))
                    // gpu_milli, batch_size, epochs: empty when clean (they need a model with a profile).
                    case 8, 9, 10: fields.append(wild ? rng.pick(numbers) : "")
                    // gpu_type, model: a catalog name or empty when clean; user, status: any text.
                    case 4: fields.append(wild ? rng.pick(texts) : rng.pick(["", "t4", "a100-80", " v100-16 "]))
                    case 5: fields.append(wild ? rng.pick(texts) : rng.pick(["", "resnet50", "\"neumf\""]))
                    default: fields.append(wild ? rng.pick(texts) : rng.pick(cleanTexts))
                    }
                }
                lines.append(fields.joined(separator: rng.below(20) == 0 ? ", " : ","))
            }
        }
        var text = hostile && rng.below(10) == 0 ? "\u{FEFF}" : ""
        for (k, line) in lines.enumerated() {
            text += line
            // Mixed line breaks now and then.
            if k < lines.count - 1 || rng.below(2) == 0 { text += hostile && rng.below(10) == 0 ? rng.pick(breaks) : lineBreak }
        }
        return text
    }

    func testRandomTracesReadTheSameByBothReaders() {
        var rng = SplitMix64(seed: 20_261_202)
        var failed = 0
        let rounds = 4000
        for round in 0..<rounds where assertAgree(Self.randomTrace(&rng), "random trace \(round)") { failed += 1 }
        // Both outcomes occur, or the generator tests too little.
        XCTAssertGreaterThan(failed, rounds / 4)
        XCTAssertLessThan(failed, rounds * 3 / 4)
    }

    func testMutatedRepositoryTracesReadTheSameByBothReaders() throws {
        // Canonical traces with every kind of column: ITP (ids, required columns), openb (gpu_milli, statuses), a
        // Pollux workload (models, batch_size, epochs); the fixture has quoted fields and a bad row.
        let files = ["Scenarios/traces/itp-cluster10.csv", "Scenarios/traces/openb.csv", "Scenarios/pollux-osdi21/workload-1.csv",
                     "Tests/WorkloadTests/Fixtures/canonical_fixture.csv"]
        let seeds = try files.map { try String(contentsOf: Self.repoRoot.appendingPathComponent($0), encoding: .utf8) }
            .map { $0.split(separator: "\n").prefix(40).joined(separator: "\n") + "\n" }
        for (seed, name) in zip(seeds, files) { XCTAssertEqual(assertAgree(seed, name), name.hasSuffix("fixture.csv"), name) }
        // Byte edits from a pool of the characters that matter to the reader, including multi-byte ones.
        let pool: [[UInt8]] = [",", "\"", "\r", "\n", " ", "\t", "0", "9", ".", "e", "-", "+", "x", "é", "\u{301}", "\u{212A}", "\u{FEFF}"]
            .map { Array($0.utf8) }
        var rng = SplitMix64(seed: 7)
        for round in 0..<3000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0...rng.below(4) {
                let at = rng.below(bytes.count)
                switch rng.below(3) {
                case 0: bytes.replaceSubrange(at..<at + 1, with: rng.pick(pool))
                case 1: bytes.insert(contentsOf: rng.pick(pool), at: at)
                default: bytes.remove(at: at)
                }
            }
            // Edits can split a multi-byte character; decoding repairs it as reading a file would reject it, and
            // both readers then see the same (valid) text.
            assertAgree(String(decoding: bytes, as: UTF8.self), "mutant \(round)")
        }
    }

    /// `DecimalBytes` either declines or returns exactly `Double(String)` / `Int(String)`, on random decimal text.
    func testDecimalBytesMatchTheStandardParsers() {
        var rng = SplitMix64(seed: 99)
        var handled = 0
        let digits = Array("0123456789")
        for round in 0..<200_000 {
            var s = ""
            if rng.below(4) == 0 { s += rng.pick(["-", "+"]) }
            for _ in 0..<rng.below(12) { s.append(rng.pick(digits)) }
            if rng.below(2) == 0 {
                s += "."
                for _ in 0..<rng.below(12) { s.append(rng.pick(digits)) }
            }
            if rng.below(4) == 0 { s += rng.pick(["e", "E", "e-", "e+"]) + String(rng.below(30)) }
            if round % 50 == 0 { s = rng.pick(Self.numbers) }
            let bytes = Array(s.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                if let d = DecimalBytes.double(buffer) {
                    handled += 1
                    XCTAssertEqual(d.bitPattern, Double(s)?.bitPattern, "'\(s)'")
                }
                if let n = DecimalBytes.int(buffer) { XCTAssertEqual(n, Int(s), "'\(s)'") }
                let fields = ByteFields(fields: [buffer])
                XCTAssertEqual(fields.double(0)?.bitPattern, Double(s)?.bitPattern, "'\(s)'")
                XCTAssertEqual(fields.int(0), Int(s), "'\(s)'")
            }
        }
        // The fast path must carry the common case, or it is not a fast path.
        XCTAssertGreaterThan(handled, 100_000)
    }

    /// `readUTF8` gives exactly the bytes of `readText`'s string, and the same errors.
    func testReadUTF8IsReadTextsBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-utf8-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, [UInt8])] = [
            ("ascii.csv", Array("job_id,submit_time_s,num_gpus,duration_s\na,1,1,1\n".utf8)),
            ("bom.csv", [0xEF, 0xBB, 0xBF] + Array("job_id,submit_time_s,num_gpus,duration_s\na,1,1,1\n".utf8)),
            ("two-boms.csv", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("job_id\n".utf8)),
            ("utf8.csv", Array("job_id,submit_time_s,num_gpus,duration_s\né,1,1,1\n".utf8)),
            ("invalid.csv", Array("job_id,submit_time_s,num_gpus,duration_s\n".utf8) + [0xFF, 0xFE, 0x0A]),
            ("empty.csv", []),
            ("nul.csv", [0x61, 0x00, 0x62, 0x0A]),
        ]
        for (name, bytes) in cases {
            let path = dir.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let text = Result { () throws(InputError) in try TraceReader.readText(path: path) }
            let utf8 = Result { () throws(InputError) in try TraceReader.readUTF8(path: path) }
            XCTAssertEqual(utf8, text.map { Array($0.utf8) }, name)
            // And the file reader parses what the text reader parses.
            let viaText = Self.outcome { () throws(InputError) in try TraceReader.parse(TraceReader.readText(path: path), file: path, skipBadRows: false) }
            let viaFile = Self.outcome { () throws(InputError) in try TraceReader.read(path: path, skipBadRows: false) }
            XCTAssertEqual(viaFile, viaText, name)
        }
        for path in [dir.path, dir.appendingPathComponent("missing.csv").path, "/dev/null"] {
            let text = Result { () throws(InputError) in try TraceReader.readText(path: path) }
            let utf8 = Result { () throws(InputError) in try TraceReader.readUTF8(path: path) }
            XCTAssertEqual(utf8, text.map { Array($0.utf8) }, path)
        }
    }

    /// The shared ITP trace, when present: the fast reader and the reference agree on all 69,351 jobs.
    func testSharedITPTraceReadsTheSame() throws {
        let path = Self.repoRoot.appendingPathComponent("Scenarios/traces/msft-itp-2021.csv").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("no \(path)") }
        let text = try TraceReader.readText(path: path)
        let fast = Self.outcome { () throws(InputError) in try TraceReader.read(path: path, skipBadRows: false) }
        let reference = Self.outcome { () throws(InputError) in try TraceReader.parseReference(text, file: path, skipBadRows: false) }
        XCTAssertEqual(fast, reference)
        if case .parsed(let jobs, _, _) = fast { XCTAssertEqual(jobs.count, 69_351) } else { XCTFail("\(fast)") }
    }
}
