import CUDABackend
import Foundation
import XCTest

/// The `schedlab hw` records the fidelity report reads: the committed H200 records, and hand-broken copies of them.
final class ValidationRecordsTests: XCTestCase {
    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Results/validation")

    func testCommittedH200RecordsReadAndSummarize() throws {
        let records = try ValidationRecords.read(directory: Self.committed.path)
        // Two runs of .ci/hw-validate on one H200 (2026-12-04): a calibration and six validations each.
        XCTAssertEqual(records.profiles.map(\.file), [
            "profile-nvidia-h200-20261204T102929Z.json", "profile-nvidia-h200-20261204T103439Z.json",
        ])
        XCTAssertEqual(records.validations.count, 12)
        XCTAssertEqual(Set(records.validations.map(\.report.step.model)), ["resnet50", "resnet18", "bert-base", "transformer", "lm", "gpt-1.3b"])
        let summary = try XCTUnwrap(records.summary)
        // Golden figures of the records as committed: re-recording them must change this test too.
        XCTAssertEqual(summary.iterationMedianAbsError, 0.0118, accuracy: 0.0005)
        XCTAssertEqual(summary.iterationMaxAbsError, 0.1169, accuracy: 0.0005)
        XCTAssertEqual(summary.sharingMedianAbsError, 0.0317, accuracy: 0.0005)
        XCTAssertEqual(summary.sharingMaxAbsError, 0.0819, accuracy: 0.0005)
        let md = records.markdown(directory: "Results/validation")
        XCTAssertTrue(md.contains("| profile-nvidia-h200-20261204T102929Z.json | NVIDIA H200 (catalog `h200`) ×1 | 886.3 / 865.3 / 51.2 | 0.896 | 4201.0 | 0.875 |"), md)
        XCTAssertTrue(md.contains("| validate-gpt-1.3b-nvidia-h200-20261204T102937Z.json | gpt-1.3b | 116 × bf16 GEMM n=8192 | 0.1629 | 0.1439 | -11.7% | 1.972× | 2.0× | +1.4% |"), md)
        XCTAssertTrue(md.contains("12 validations: iteration median |error| 1.2% (max 11.7%); sharing slowdown median |error| 3.2% (max 8.2%).\n"), md)
        // One packing run, cut short by its time limit after six of the ten pairs (twelve entries, two per pair of
        // different models).
        XCTAssertEqual(records.packings.map(\.record.pairs.count), [12])
        XCTAssertFalse(md.contains("simulator's factor for a pair"))
    }

    func testPackingTableSetsTheSimulatorFactorBeside() throws {
        let records = try ValidationRecords.read(directory: Self.committed.path)
        // With every simulator factor 0.5: resnet50 with resnet50 measured 0.4703 → (0.5 − 0.4703) / 0.4703 = +6.3%;
        // lm with resnet18 measured 0.7139 → −30.0%.
        let md = records.markdown(directory: "R", packedFactor: { _, _ in 0.5 })
        XCTAssertTrue(md.contains("| packing-nvidia-h200-20261204T104630Z.json | fp32 | resnet50 | resnet50 | 40.92 | 19.25 | 0.470 | 0.500 | +6.3% |"), md)
        XCTAssertTrue(md.contains("| packing-nvidia-h200-20261204T104630Z.json | fp32 | lm | resnet18 | 190.50 | 136.00 | 0.714 | 0.500 | -30.0% |"), md)
        XCTAssertTrue(md.hasSuffix("12 packed measurements with a simulator factor: its median |error| 17.4% (max 30.0%)."), md)
        // Without simulator factors: dashes, and no summary line.
        let bare = records.markdown(directory: "R")
        XCTAssertTrue(bare.contains("| 0.470 | – | – |"), bare)
        XCTAssertFalse(bare.contains("packed measurements with a simulator factor"), bare)
    }

    /// A copy of the committed packing record with `edit` applied; the problem reading it.
    func packingProblem(_ edit: (inout [String: Any]) -> Void) throws -> ValidationRecords.Problem? {
        try problem(copying: "packing-nvidia-h200-20261204T104630Z.json", as: "packing-x.json", editing: edit)
    }

    func testPackingRecordChecks() throws {
        XCTAssertNil(try packingProblem { _ in })
        func editPair(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
            { json in
                var pairs = json["pairs"] as! [[String: Any]]
                pairs[0][key] = value
                json["pairs"] = pairs
            }
        }
        XCTAssertEqual(try packingProblem(editPair("factor", 0.9))?.field, "pairs[0].factor")
        XCTAssertEqual(try packingProblem(editPair("with", "gpt-9"))?.field, "pairs[0].with")
        XCTAssertEqual(try packingProblem(editPair("stepsPerSecond", 0))?.field, "pairs[0].stepsPerSecond")
        XCTAssertEqual(try packingProblem { json in
            var solo = json["solo"] as! [[String: Any]]
            solo[1]["model"] = solo[0]["model"]
            json["solo"] = solo
        }?.field, "solo[1].model")
        XCTAssertEqual(try packingProblem { json in json["secondsPerRun"] = -3 }?.field, "secondsPerRun")
    }

    func testMissingDirectoryIsPending() throws {
        let records = try ValidationRecords.read(directory: "/nonexistent/schedlab-records")
        XCTAssertTrue(records.isEmpty)
        XCTAssertNil(records.summary)
        XCTAssertTrue(records.markdown(directory: "R").hasPrefix("*Pending*: no `schedlab hw calibrate` / `hw validate` records in `R`"))
    }

    func testAFileIsNotADirectory() throws {
        let path = Self.committed.appendingPathComponent("README.md").path
        XCTAssertThrowsError(try ValidationRecords.read(directory: path)) { error in
            XCTAssertTrue("\(error)".contains("expected a directory"), "\(error)")
        }
    }

    /// A copy of the committed record `source` with `edit` applied (or `raw` text instead), alone in a fresh
    /// directory as `name`; the problem reading it, nil when it reads.
    func problem(copying source: String = "validate-resnet50-nvidia-h200-20261204T102934Z.json", as name: String = "validate-x.json",
                 raw: String? = nil, editing edit: (inout [String: Any]) -> Void) throws -> ValidationRecords.Problem? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: Self.committed.appendingPathComponent(source))) as? [String: Any])
        edit(&json)
        let data = try raw.map { Data($0.utf8) } ?? JSONSerialization.data(withJSONObject: json)
        try data.write(to: dir.appendingPathComponent(name))
        do {
            _ = try ValidationRecords.read(directory: dir.path)
            return nil
        } catch {
            return error
        }
    }

    func testUnchangedCopyReads() throws {
        XCTAssertNil(try problem(editing: { _ in }))
    }

    func testNegativeTimeNamesTheField() throws {
        let p = try XCTUnwrap(problem(editing: { json in
            var iteration = json["iteration"] as! [String: Any]
            iteration["measuredSeconds"] = -0.5
            json["iteration"] = iteration
        }))
        XCTAssertEqual(p.field, "iteration.measuredSeconds")
        XCTAssertTrue(p.message.contains("positive finite"), p.message)
        XCTAssertTrue(p.file.hasSuffix("validate-x.json"), p.file)
    }

    func testErrorThatDoesNotFollowFromTheTimesIsRejected() throws {
        let p = try XCTUnwrap(problem(editing: { json in
            var iteration = json["iteration"] as! [String: Any]
            iteration["relativeError"] = 0.0  // the stored times give +1.25%
            json["iteration"] = iteration
        }))
        XCTAssertEqual(p.field, "iteration.relativeError")
    }

    func testSlowdownThatDoesNotFollowFromTheTimesIsRejected() throws {
        let p = try XCTUnwrap(problem(editing: { json in
            var sharing = json["timeSharing"] as! [String: Any]
            sharing["measuredSlowdown"] = 1.0
            json["timeSharing"] = sharing
        }))
        XCTAssertEqual(p.field, "timeSharing.measuredSlowdown")
    }

    func testMissingKeyNamesItsPath() throws {
        let p = try XCTUnwrap(problem(editing: { json in
            var step = json["step"] as! [String: Any]
            step.removeValue(forKey: "gemmSize")
            json["step"] = step
        }))
        XCTAssertEqual(p.field, "step.gemmSize")
    }

    func testUnknownSchemaIsRejected() throws {
        let p = try XCTUnwrap(problem(editing: { json in json["schema"] = 7 }))
        XCTAssertEqual(p.field, "schema")
    }

    func testTruncatedFileIsNotJSON() throws {
        let p = try XCTUnwrap(problem(raw: "{\"schema\": 1, \"iteration\": {", editing: { _ in }))
        XCTAssertTrue(p.message.contains("not valid JSON"), p.message)
    }

    func testOtherFilesAreIgnored() throws {
        XCTAssertNil(try problem(as: "notes.json", raw: "not json at all", editing: { _ in }))
    }
}
