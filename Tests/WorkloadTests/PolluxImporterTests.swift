import Foundation
import Models
import Workload
import XCTest

/// `--format pollux` on the artifact's workload-1 (a copy of petuum/adaptdl osdi21-artifact
/// simulator/workloads/workload-1.csv), row for row, and read back as elastic goodput jobs.
final class PolluxImporterTests: XCTestCase {
    private let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pollux-workload-1.csv").path
    private let expectedModel = ["bert": "bert-squad", "cifar10": "resnet18-cifar10", "deepspeech2": "deepspeech2",
                                 "imagenet": "resnet50-imagenet", "ncf": "neumf", "yolov3": "yolov3"]
    private let epochCap = ["bert": 2, "cifar10": 100, "deepspeech2": 80, "imagenet": 90, "ncf": 10, "yolov3": 50]

    private func sourceRows() throws -> [[String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(lines[0], ["name", "time", "application", "num_replicas", "batch_size"])
        return Array(lines.dropFirst())
    }

    func testEveryRowIsConvertedAndReadsBackAsAnElasticGoodputJob() throws {
        let source = try sourceRows()
        XCTAssertEqual(source.count, 160)
        let result = try TraceImportFormat.pollux.convert(paths: [path])
        XCTAssertEqual(result.rawRecords, 160)
        XCTAssertEqual(result.rows.count, 160)
        XCTAssertEqual(result.dropped.total, 0)
        let csv = CanonicalTraceWriter.render(result.rows)
        XCTAssertTrue(csv.hasPrefix(CanonicalTraceWriter.epochHeader + "\n"))
        let jobs = try TraceReader.parse(csv, file: "pollux.csv")
        XCTAssertEqual(jobs.count, 160)
        let origin = source.map { Double($0[1])! }.min()!
        let byName = Dictionary(uniqueKeysWithValues: jobs.map { ($0.name, $0) })
        for row in source {
            let job = try XCTUnwrap(byName[row[0]], row[0])
            let model = try XCTUnwrap(ModelZoo.named(expectedModel[row[2]]!))
            let profile = try XCTUnwrap(model.efficiency)
            XCTAssertEqual(job.submitTime.seconds, Double(row[1])! - origin, row[0])
            XCTAssertEqual(job.zooModel?.name, model.name, row[0])
            XCTAssertEqual(job.gpuCount, Int(row[3])!, row[0])
            XCTAssertEqual(job.globalBatch, Int(row[4])!, row[0])
            XCTAssertEqual(job.work, .iterations(Double(epochCap[row[2]]!) * profile.iterationsPerEpoch), row[0])
            let most = row[2] == "ncf" ? 1 : profile.maxBatch / profile.localBatch.lowerBound
            XCTAssertEqual(job.gpuRange, 1...max(Int(row[3])!, most), row[0])
            XCTAssertFalse(job.adaptiveBatch)
        }
        // Submission order is kept (the artifact's rows are sorted by time), and re-importing is idempotent.
        XCTAssertEqual(jobs.map(\.name), source.map { $0[0] })
        XCTAssertEqual(CanonicalTraceWriter.render(try TraceImportFormat.canonical.convert(text: csv, file: "c.csv").rows), csv)
    }

    func testBadRowsNameTheirLineAndField() {
        let header = "name,time,application,num_replicas,batch_size\n"
        for (row, message) in [
            ("a,1,resnet,1,128", "w.csv:2: application: expected one of bert, cifar10, deepspeech2, imagenet, ncf, yolov3, got 'resnet'"),
            ("a,1,bert,0,128", "w.csv:2: num_replicas: expected an integer >= 1, got '0'"),
            ("a,-5,bert,1,128", "w.csv:2: time: expected a number of seconds >= 0, got '-5'"),
        ] {
            XCTAssertThrowsError(try TraceImportFormat.pollux.convert(text: header + row + "\n", file: "w.csv")) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
        XCTAssertThrowsError(try TraceImportFormat.pollux.convert(text: "name,time\n", file: "w.csv")) { error in
            XCTAssertEqual("\(error)", "w.csv:1: missing column 'application'; the header has name,time")
        }
    }

    func testEpochColumnsAreCheckedWhenRead() {
        let header = CanonicalTraceWriter.epochHeader + "\n"
        XCTAssertThrowsError(try TraceReader.parse(header + "a,0,1,,,resnet50,,,,256,3\n", file: "t.csv")) { error in
            XCTAssertTrue("\(error)".hasPrefix("t.csv:2: model: expected a model with an efficiency profile"), "\(error)")
        }
        XCTAssertThrowsError(try TraceReader.parse(header + "a,0,1,,,neumf,,,,256,0\n", file: "t.csv")) { error in
            XCTAssertEqual("\(error)", "t.csv:2: epochs: expected epochs in 1...100000 (whole numbers), got '0'")
        }
        XCTAssertThrowsError(try TraceReader.parse(header + "a,0,1,,,neumf,,,,256,\n", file: "t.csv")) { error in
            XCTAssertEqual("\(error)", "t.csv:2: duration_s: expected seconds in (0, 1e9], got ''")
        }
        XCTAssertThrowsError(try TraceReader.parse(header + "a,0,1,60,,neumf,,,,256,\n", file: "t.csv")) { error in
            XCTAssertEqual("\(error)", "t.csv:2: epochs: expected a number of epochs when batch_size is given, got ''")
        }
    }
}
