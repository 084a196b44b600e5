import Foundation
import XCTest

/// `schedlab measurements import` and `schedlab fidelity` end to end: conversion, the report, the median gate, bad input.
final class FidelityCommandTests: SchedLabProcessTestCase {
    func testImportThenFidelity() throws {
        try write("placement,local_bsz,step_time,sync_time\n1,12,0.907026,0.01\n1,6,0.6,0.01\n", to: "bert/placements.csv")
        let imported = try schedlab("measurements", "import", "--format", "pollux-placements", "bert/placements.csv", "-o", "m.csv")
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let csv = try String(contentsOf: dir.appendingPathComponent("m.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains("model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\n"), csv)
        XCTAssertTrue(csv.contains("bert-squad,pollux-g4dn,,1,12,0.907026,0.01,petuum/adaptdl osdi21-artifact simulator/traces/bert/placements.csv"), csv)
        // Row 1 is exact (the zoo's compute at batch 12); row 2 is 0.212971 + 0.694055/2 = 0.5600 s against 0.6: −6.7%.
        let report = try schedlab("fidelity", "m.csv", "--max-median", "0.15")
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("+0.0%"), report.stdout)
        XCTAssertTrue(report.stdout.contains("-6.7%"), report.stdout)
        let md = try schedlab("fidelity", "m.csv", "--markdown", "--summary-only", "--write", "report.md")
        XCTAssertEqual(md.status, 0, md.stderr)
        XCTAssertTrue(md.stdout.hasPrefix("| model | rows |"), md.stdout)
        let written = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(written.contains("## Every row"), written)
        XCTAssertTrue(written.contains("## Rows worse than 35%: where they miss"), written)
        XCTAssertTrue(written.contains("| **all** | | | | 0 | | | |"), written)
        // One-node rows only: no shortfall table, a sentence instead.
        let shortfall = try schedlab("fidelity", "m.csv", "--sync-shortfall")
        XCTAssertEqual(shortfall.status, 0, shortfall.stderr)
        XCTAssertEqual(shortfall.stdout, "No row with a measured sync on 3 or more nodes.\n")
        let misses = try schedlab("fidelity", "m.csv", "--misses")
        XCTAssertEqual(misses.status, 0, misses.stderr)
        XCTAssertTrue(misses.stdout.hasPrefix("| model | misses most on |"), misses.stdout)
        // The gate: a median above the threshold exits 1.
        let gate = try schedlab("fidelity", "m.csv", "--max-median", "0.01")
        XCTAssertEqual(gate.status, 1)
        XCTAssertTrue(gate.stderr.contains("exceeds 1.0%"), gate.stderr)
    }

    // --fabric-profile predicts under a fitted profile, with the overlap it was fitted under; another --overlap is bad input.
    func testFabricProfile() throws {
        let header = "model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\n"
        try write(header + "bert-squad,pollux-g4dn,,1|1,12,1.4,,s\nneumf,pollux-g4dn,,1|1,32768,0.05,,s\n", to: "m.csv")
        func profile(_ overlap: String?) -> String {
            "{\"schema\": 1, \"measurements\": \"m.csv\", \"rows\": 2, \"medianAbsoluteError\": 0, \"maxAbsoluteError\": 0, "
                + "\"parameters\": [{\"name\": \"node_pair_cap@pollux-g4dn\", \"value\": 300000000, \"fitted\": true}]"
                + (overlap.map { ", \"overlap\": \"\($0)\"" } ?? "") + "}"
        }
        try write(profile("ddp-buckets"), to: "buckets.json")
        try write(profile(nil), to: "exponent.json")
        let plain = try schedlab("fidelity", "m.csv", "--markdown")
        let slow = try schedlab("fidelity", "m.csv", "--markdown", "--fabric-profile", "exponent.json")
        let buckets = try schedlab("fidelity", "m.csv", "--markdown", "--fabric-profile", "buckets.json")
        let explicit = try schedlab("fidelity", "m.csv", "--markdown", "--overlap", "ddp-buckets", "--fabric-profile", "buckets.json")
        for r in [plain, slow, buckets, explicit] { XCTAssertEqual(r.status, 0, r.stderr) }
        XCTAssertTrue(plain.stdout.contains("## Default model (unfitted)"), plain.stdout)
        XCTAssertTrue(slow.stdout.contains("## Model under the fabric profile exponent.json"), slow.stdout)
        XCTAssertNotEqual(plain.stdout.components(separatedBy: "## Every row").last, slow.stdout.components(separatedBy: "## Every row").last,
                          "a slower node pair moves the two-node rows")
        XCTAssertNotEqual(slow.stdout.components(separatedBy: "## Every row").last, buckets.stdout.components(separatedBy: "## Every row").last,
                          "the profile's overlap applies")
        XCTAssertEqual(buckets.stdout, explicit.stdout)
        let mismatch = try schedlab("fidelity", "m.csv", "--overlap", "exponent", "--fabric-profile", "buckets.json")
        XCTAssertEqual(mismatch.status, 2)
        XCTAssertTrue(mismatch.stderr.contains("buckets.json: overlap: the profile was fitted with overlap 'ddp-buckets', --overlap asks for 'exponent'"),
                      mismatch.stderr)
        let missing = try schedlab("fidelity", "m.csv", "--fabric-profile", "none.json")
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.hasPrefix("error: none.json: cannot read the fabric profile"), missing.stderr)
    }

    func testBadInputIsExit2() throws {
        try write("model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\nbert-squad,pollux-g4dn,,9,12,1,,s\n", to: "bad.csv")
        let r = try schedlab("fidelity", "bad.csv")
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "error: bad.csv:2: placement: expected at most 4 GPUs per pollux-g4dn node, got '9'\n")
        try write("placement,local_bsz\n1,2\n", to: "x/placements.csv")
        let imp = try schedlab("measurements", "import", "--format", "pollux-placements", "x/placements.csv", "--model", "yolov3")
        XCTAssertEqual(imp.status, 2)
        XCTAssertTrue(imp.stderr.hasPrefix("error: x/placements.csv:1: header: expected placement,local_bsz,step_time,sync_time"), imp.stderr)
        let noApp = try schedlab("measurements", "import", "--format", "pollux-placements", "x/placements.csv")
        XCTAssertEqual(noApp.status, 2)
        XCTAssertTrue(noApp.stderr.contains("got directory 'x'"), noApp.stderr)
        let none = try schedlab("fidelity")
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("Scenarios/measurements"), none.stderr)
        // A header without rows would give a 0% median that passes any gate.
        try write("model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\n", to: "empty.csv")
        let empty = try schedlab("fidelity", "empty.csv", "--max-median", "0.15")
        XCTAssertEqual(empty.status, 2)
        XCTAssertEqual(empty.stderr, "error: empty.csv: the file has no measurement rows; expected at least one\n")
        // A FIFO (or device) as a measurement file or a fabric profile is refused from its type, before it is opened.
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("pipe").path, 0o600), 0)
        let pipeRows = try schedlab("fidelity", "pipe")
        XCTAssertEqual(pipeRows.status, 2)
        XCTAssertEqual(pipeRows.stderr, "error: pipe: cannot read the measurement file (not a regular file); expected a UTF-8 CSV\n")
        try write("model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\nbert-squad,pollux-g4dn,,2,12,1,,s\n", to: "ok.csv")
        let pipeProfile = try schedlab("fidelity", "ok.csv", "--fabric-profile", "pipe")
        XCTAssertEqual(pipeProfile.status, 2)
        XCTAssertEqual(pipeProfile.stderr,
                       "error: pipe: cannot read the fabric profile (not a regular file); expected the JSON written by `schedlab fit -o`\n")
    }
}

/// The report's sections beyond the network corpus: single-GPU rows off the zoo's measured GPUs, and the `schedlab hw`
/// records.
final class FidelityReportSectionsTests: SchedLabProcessTestCase {
    static let committedRecord = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Results/validation/validate-lm-nvidia-h200-20261204T102936Z.json")

    func testWriteHasTheOffAnchorAndHardwareSections() throws {
        let header = "model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\n"
        try write(header + "bert-squad,pollux-g4dn,,1,12,0.907026,,s\n", to: "Scenarios/measurements/net.csv")
        // lm is measured on a V100 (0.01545 s at batch 20); an H200 is 989.4 / 125 faster by the FP16-peak rule:
        // 0.001952 s predicted against 0.005 s, −61.0%.
        try write(header + "lm,dgx-h100,h200,1,20,0.005,,bf16 on an H200\n", to: "Scenarios/measurements/compute/h200.csv")
        let pending = try schedlab("fidelity", "--hardware")
        XCTAssertEqual(pending.status, 0, pending.stderr)
        XCTAssertTrue(pending.stdout.hasPrefix("*Pending*: no `schedlab hw calibrate` / `hw validate` records in `Results/validation`"), pending.stdout)
        try write(String(contentsOf: Self.committedRecord, encoding: .utf8), to: "Results/validation/validate-lm-nvidia-h200-20261204T102936Z.json")
        let r = try schedlab("fidelity", "--write", "report.md")
        XCTAssertEqual(r.status, 0, r.stderr)
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## Off the zoo's measured GPUs: the cross-GPU compute rule (`Scenarios/measurements/compute`)"), md)
        XCTAssertTrue(md.contains("| h200.csv:2 | lm | dgx-h100 (h200) | 1 | 20 | 0.0050 | 0.0020 | -61.0% | bf16 on an H200 |"), md)
        XCTAssertTrue(md.contains("## Hardware measurements (`schedlab hw`)"), md)
        XCTAssertTrue(md.contains("| validate-lm-nvidia-h200-20261204T102936Z.json | lm | 7 × bf16 GEMM n=2048 | 0.0001716 | 0.0001642 | -4.3% | 1.870× | 2.0× | +7.0% |"), md)
        // The network summary is the network corpus's alone.
        XCTAssertTrue(md.contains("| **all** | 1 | 0.0% | 0.0% | 0 |"), md)
        // Given files, the report is about them only.
        let given = try schedlab("fidelity", "Scenarios/measurements/net.csv", "--write", "given.md")
        XCTAssertEqual(given.status, 0, given.stderr)
        XCTAssertFalse(try String(contentsOf: dir.appendingPathComponent("given.md"), encoding: .utf8).contains("cross-GPU compute rule"))
    }

    func testHardwareTablesOfTheCommittedRecords() throws {
        let records = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Results/validation").path
        let r = try schedlab("fidelity", "--hardware", "--hardware-records", records)
        XCTAssertEqual(r.status, 0, r.stderr)
        // The simulator's factor is Gavel's V100 one (GPUSharingModel.measured: resnet50 with resnet18, 0.732) against
        // 0.5354 measured on the H200: (0.732 − 0.5354) / 0.5354 = +36.7%.
        XCTAssertTrue(r.stdout.contains("| fp32 | resnet50 | resnet18 | 40.92 | 21.91 | 0.535 | 0.732 | +36.7% |"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("12 packed measurements with a simulator factor: its median |error| 36.2% (max 63.1%).\n"), r.stdout)
    }

    func testBadRecordIsExit2() throws {
        try write("{\"schema\": 1}", to: "recs/validate-bad.json")
        let r = try schedlab("fidelity", "--hardware", "--hardware-records", "recs")
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.hasPrefix("error: recs/validate-bad.json: "), r.stderr)
        XCTAssertTrue(r.stderr.contains("missing; expected the JSON `schedlab hw` writes"), r.stderr)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("recs/validate-bad.json"))
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("recs/profile-pipe.json").path, 0o600), 0)
        let pipe = try schedlab("fidelity", "--hardware", "--hardware-records", "recs")
        XCTAssertEqual(pipe.status, 2)
        XCTAssertEqual(pipe.stderr, "error: recs/profile-pipe.json: not a regular file; expected the JSON `schedlab hw` writes\n")
        // A bad record stops only the reports that show the records, not a run that prints rows.
        let header = "model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\n"
        try write(header + "bert-squad,pollux-g4dn,,1,12,0.907026,,s\n", to: "m.csv")
        let rows = try schedlab("fidelity", "m.csv", "--hardware-records", "recs")
        XCTAssertEqual(rows.status, 0, rows.stderr)
        let report = try schedlab("fidelity", "m.csv", "--hardware-records", "recs", "--write", "r.md")
        XCTAssertEqual(report.status, 2, report.stderr)
    }
}
