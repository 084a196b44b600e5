import Performance
import XCTest

/// `FidelityMisses`: a row's error split into compute and exposed communication, and the miss table's groups, on
/// hand-computed rows.
final class FidelityMissesTests: XCTestCase {
    /// BERT on 1|1 at local batch 12 predicts compute 0.907026 s and communication 2·25 µs + 440 MB / 0.39 GB/s
    /// (`MeasurementTests.testMultiNodePredictionFollowsTheFabric`), a step of √(c² + n²) with γ = 2. Measured: a 2 s
    /// step of which 1 s is sync, so 1 s of compute.
    func testSplitIsComputeAndExposedCommunication() throws {
        let row = StepMeasurement(model: "bert-squad", nodeTemplate: "pollux-g4dn", placement: [1, 1], localBatch: 12,
                                  stepSeconds: 2, syncSeconds: 1)
        let p = try MeasurementPrediction.predict(row)
        let c = 0.907026
        let n = 2 * 25e-6 + 440e6 / 0.39e9
        let step = (c * c + n * n).squareRoot()
        let split = try XCTUnwrap(p.missSplit)
        XCTAssertEqual(split.compute, (c - 1) / 2, accuracy: 1e-9)
        XCTAssertEqual(split.communication, (step - c - 1) / 2, accuracy: 1e-9)
        XCTAssertEqual(split.compute + split.communication, p.relativeError, accuracy: 1e-12)
        XCTAssertEqual(split.side, .communication)  // −0.230 against −0.046
        // Without a measured sync there is nothing to split.
        var unsplit = row
        unsplit.syncSeconds = nil
        XCTAssertNil(try MeasurementPrediction.predict(unsplit).missSplit)
    }

    /// Groups: only rows over the threshold, by model (first appearance), side (compute, communication, unsplit), node
    /// class and GPUs on the busiest node, with medians.
    func testMissGroups() throws {
        let bertPair = StepMeasurement(model: "bert-squad", nodeTemplate: "pollux-g4dn", placement: [1, 1], localBatch: 12,
                                       stepSeconds: 2, syncSeconds: 1)
        var bertPairNoSync = bertPair
        bertPairNoSync.syncSeconds = nil
        // BERT alone at its reference batch: predicted exactly, so never a miss.
        let bertExact = StepMeasurement(model: "bert-squad", nodeTemplate: "pollux-g4dn", placement: [1], localBatch: 12,
                                        stepSeconds: 0.907026, syncSeconds: 0)
        // YOLOv3 alone, measured twice as slow as its compute: −50%, all of it compute.
        let yolo = StepMeasurement(model: "yolov3", nodeTemplate: "pollux-g4dn", placement: [1], localBatch: 8,
                                   stepSeconds: 0.410789 / 0.5, syncSeconds: 0)
        let report = try FidelityReport(rows: [yolo, bertPair, bertExact, bertPairNoSync])
        let strict = report.misses()
        XCTAssertEqual(strict.count, 1)
        XCTAssertEqual(strict.first?.model, "yolov3")
        XCTAssertEqual(strict.first?.side, .compute)
        XCTAssertEqual(try XCTUnwrap(strict.first?.medianCompute), -0.5, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(strict.first?.medianCommunication), 0, accuracy: 1e-12)

        let loose = report.misses(over: 0.2)
        XCTAssertEqual(loose.map(\.model), ["yolov3", "bert-squad", "bert-squad"])
        XCTAssertEqual(loose.map(\.side), [.compute, .communication, .unsplit])
        XCTAssertEqual(loose.map(\.nodes), ["1", "2", "2"])
        XCTAssertEqual(loose.map(\.busiestNodeGPUs), [1, 1, 1])
        XCTAssertEqual(loose.map(\.rows), [1, 1, 1])
        XCTAssertNil(loose[2].medianCompute)
        XCTAssertEqual(loose[1].medianError, loose[2].medianError, accuracy: 1e-15)

        let table = report.missesMarkdown(over: 0.2)
        XCTAssertTrue(table.contains("| bert-squad | no sync_s | 2 | 1 | 1 |"), table)
        XCTAssertTrue(table.hasSuffix("| **all** | | | | 3 | | | |"), table)
    }

    func testNodeClasses() {
        XCTAssertEqual([1, 2, 3, 4, 5, 16].map(FidelityReport.nodeClass), ["1", "2", "3–4", "3–4", "5+", "5+"])
    }

    /// The shortfall table: rows on at least three nodes only, grouped by model and replica count, the median of
    /// measured sync − predicted exposed (two rows: the mean of their gaps).
    func testSyncShortfallByReplicas() throws {
        func row(_ placement: [Int], sync: Double) -> StepMeasurement {
            StepMeasurement(model: "resnet50-imagenet", nodeTemplate: "pollux-g4dn", placement: placement, localBatch: 81,
                            stepSeconds: 1, syncSeconds: sync)
        }
        let rows = [row([2, 2, 2], sync: 0.3), row([1, 1, 1], sync: 0.2), row([2, 2, 2], sync: 0.5), row([1, 1], sync: 9)]
        let report = try FidelityReport(rows: rows)
        let exposed = report.predictions.map(\.syncSeconds)
        let cells = report.syncShortfall()
        XCTAssertEqual(cells.map(\.replicas), [3, 6])
        XCTAssertEqual(cells.map(\.rows), [1, 2])
        XCTAssertEqual(cells[0].medianSeconds, 0.2 - exposed[1], accuracy: 1e-12)
        XCTAssertEqual(cells[1].medianSeconds, ((0.3 - exposed[0]) + (0.5 - exposed[2])) / 2, accuracy: 1e-12)
        XCTAssertEqual(report.syncShortfall(minNodes: 2).map(\.replicas), [2, 3, 6])
        let table = report.syncShortfallMarkdown()
        XCTAssertEqual(table.components(separatedBy: "\n").first, "| model | 3 | 6 |")
        XCTAssertEqual(table.components(separatedBy: "\n").count, 3)
    }
}
