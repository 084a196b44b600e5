import ClusterModel
import Network
import Performance
import Workload
import XCTest

/// `FabricFit`: recovery of known parameters from synthetic rows, degenerate fits, cross-validation.
final class FabricFitTests: XCTestCase {
    static let truth: [(FabricParameter, Double)] = [
        (.intraNodeEfficiency, 0.5), (.nicEfficiency, 0.7),
        (.intraNodeLatency(template: "pcie-4gpu"), 20e-6), (.nicLatency(template: "pcie-4gpu"), 300e-6),
    ]

    static var trueFabric: FabricSpec {
        var s = FabricSpec()
        for (p, v) in truth { p.set(v, in: &s) }
        return s
    }

    /// Rows of four models on eight placements, their step times exactly the prediction under `trueFabric`
    /// (times `noise(i)` for row i).
    static func syntheticRows(noise: (Int) -> Double = { _ in 1 }) -> [StepMeasurement] {
        var rows: [StepMeasurement] = []
        for model in ["bert-squad", "neumf", "resnet18-cifar10", "yolov3"] {
            for placement in [[2], [4], [1, 1], [2, 2], [4, 4], [1, 1, 1, 1], [3, 3, 3], [2, 2, 2, 2]] {
                var row = StepMeasurement(model: model, nodeTemplate: "pcie-4gpu", placement: placement, stepSeconds: 1,
                                         source: "synthetic", line: rows.count + 2)
                row.stepSeconds = FabricFit.predictedSeconds(of: row, fabric: trueFabric) * noise(rows.count)
                rows.append(row)
            }
        }
        return rows
    }

    // From the catalog's defaults (efficiencies 1, latencies 5 and 25 µs) the fit finds the generating values; the
    // spine, which no single-rack row crosses, is held; every row and every held-out model is then predicted exactly.
    func testRecoversKnownParameters() throws {
        let rows = Self.syntheticRows()
        let result = try FabricFit.fit(rows)
        XCTAssertGreaterThan(result.initialRows.map { abs($0.error) }.max()!, 0.01, "the starting fabric is off")
        for (p, v) in Self.truth {
            let e = try XCTUnwrap(result.parameters.first { $0.parameter == p })
            XCTAssertTrue(e.fitted, p.name)
            XCTAssertEqual(e.value, v, accuracy: 1e-4 * v, p.name)
        }
        for p in [FabricParameter.spineEfficiency, .spineLatency] {
            XCTAssertEqual(result.parameters.first { $0.parameter == p }?.fitted, false, p.name)
        }
        XCTAssertLessThan(result.maxAbsoluteError, 1e-6)
        XCTAssertEqual(result.heldOut.map(\.model), ["bert-squad", "neumf", "resnet18-cifar10", "yolov3"])
        XCTAssertLessThan(try XCTUnwrap(result.crossValidatedMaxAbsoluteError), 1e-5)
        // The profile carries the same values, and applying it gives the fitted fabric's predictions.
        let profile = result.profile(measurements: "synthetic.csv")
        let applied = try profile.applied(to: FabricSpec())
        for r in result.rows {
            XCTAssertEqual(FabricFit.predictedSeconds(of: r.measurement, fabric: applied), r.predicted, accuracy: 1e-12)
        }
    }

    // With ±3% deterministic noise the fit still lands near the truth, every fitted parameter has a positive
    // finite standard error, and the truth lies within a few of them.
    func testNoisyRowsGiveStandardErrors() throws {
        let rows = Self.syntheticRows { i in 1 + 0.03 * [1.0, -1, 0.5, -0.5, 0][i % 5] }
        let result = try FabricFit.fit(rows, crossValidate: false)
        XCTAssertTrue(result.heldOut.isEmpty)
        for (p, v) in Self.truth {
            let e = try XCTUnwrap(result.parameters.first { $0.parameter == p })
            let se = try XCTUnwrap(e.standardError, p.name)
            XCTAssertTrue(se > 0 && se.isFinite, p.name)
            if p == .nicEfficiency || p == .intraNodeEfficiency {
                XCTAssertEqual(e.value, v, accuracy: max(5 * se, 0.05 * v), p.name)
            }
        }
        XCTAssertLessThan(result.medianAbsoluteError, 0.04)
    }

    // One row cannot determine the default parameters: a clear error naming them. With one chosen parameter
    // it fits exactly (no residual degree of freedom, so no standard error), and a parameter the row does not
    // depend on is held, never fitted.
    func testDegenerateFits() throws {
        let row = Self.syntheticRows().first { $0.placement == [2, 2] && $0.model == "neumf" }!
        XCTAssertThrowsError(try FabricFit.fit([row])) { error in
            guard case .tooFewRows(rows: 1, free: let free) = error as? FabricFit.Failure else { return XCTFail("\(error)") }
            XCTAssertTrue(free.contains(.nicEfficiency))
            XCTAssertTrue("\(error)".hasPrefix("1 row cannot determine \(free.count) free parameters"), "\(error)")
        }
        let one = try FabricFit.fit([row], parameters: [.nicEfficiency])
        XCTAssertLessThan(abs(one.rows[0].error), 1e-8)
        XCTAssertEqual(one.parameters.count, 1)
        XCTAssertNil(one.parameters[0].standardError)
        XCTAssertTrue(one.heldOut.isEmpty, "one model: nothing to hold out")
        let held = try FabricFit.fit([row], parameters: [.spineEfficiency, .nicLatency(template: "dgx-a100")])
        XCTAssertEqual(held.parameters.map(\.fitted), [false, false])
        XCTAssertEqual(held.iterations, 0)
        XCTAssertEqual(held.rows[0].predicted, FabricFit.predictedSeconds(of: row), accuracy: 0)
    }

    // A held-out model whose training rows cannot determine the parameters gets a note, not a crash.
    func testHeldOutModelWithTooFewTrainingRows() throws {
        let rows = Self.syntheticRows()
        let few = [rows.first { $0.model == "neumf" && $0.placement == [2, 2] }!, rows.first { $0.model == "yolov3" && $0.placement == [4, 4] }!]
        let result = try FabricFit.fit(few, parameters: [.nicEfficiency, .nicLatency(template: "pcie-4gpu")])
        XCTAssertEqual(result.heldOut.count, 2)
        for h in result.heldOut {
            XCTAssertTrue(h.rows.isEmpty)
            XCTAssertTrue(h.note?.hasPrefix("1 row cannot determine 2 free parameters") == true, h.note ?? "nil")
        }
        XCTAssertNil(result.crossValidatedMedianAbsoluteError)
    }

    // No rows, or a row built in code that the predictor rejects, fail before any fit, naming the row.
    func testRowsThePredictorRejects() {
        XCTAssertThrowsError(try FabricFit.fit([])) { XCTAssertEqual($0 as? FabricFit.Failure, .noRows) }
        let bad = StepMeasurement(model: "neumf", nodeTemplate: "pcie-4gpu", placement: [9], stepSeconds: 1, file: "m.csv", line: 4)
        XCTAssertThrowsError(try FabricFit.fit([bad])) { error in
            guard case .badRow(let e) = error as? FabricFit.Failure else { return XCTFail("\(error)") }
            XCTAssertEqual(e.line, 4)
            XCTAssertEqual(e.field, "placement")
        }
    }

    // pollux-g4dn's per-stream cap is a default parameter of rows on it, and a cap of 0.4 GB/s that made the rows is
    // found again from the catalog's 0.606 GB/s.
    func testRecoversAStreamCap() throws {
        var truth = FabricSpec()
        FabricParameter.tcpStreamCap(template: "pollux-g4dn").set(0.4e9, in: &truth)
        var rows: [StepMeasurement] = []
        for model in ["bert-squad", "neumf"] {
            for placement in [[1, 1], [2, 2], [4, 4], [1, 1, 1, 1]] {
                var row = StepMeasurement(model: model, nodeTemplate: "pollux-g4dn", placement: placement, stepSeconds: 1)
                row.stepSeconds = FabricFit.predictedSeconds(of: row, fabric: truth)
                rows.append(row)
            }
        }
        XCTAssertTrue(FabricFit.defaultParameters(for: rows).contains(.tcpStreamCap(template: "pollux-g4dn")))
        XCTAssertFalse(FabricFit.defaultParameters(for: Self.syntheticRows()).contains(.tcpStreamCap(template: "pcie-4gpu")))
        let result = try FabricFit.fit(rows, parameters: [.tcpStreamCap(template: "pollux-g4dn")], crossValidate: false)
        XCTAssertEqual(try XCTUnwrap(result.parameters.first).value, 0.4e9, accuracy: 1e-4 * 0.4e9)
        XCTAssertLessThan(result.maxAbsoluteError, 1e-6)
    }

    // pollux-g4dn's node-pair cap is a default parameter too, and a pair cap of 0.6 GB/s that made two- and three-node
    // rows is found again from the catalog's 0.78 GB/s (the three-node rows do not depend on it: one flow per pair).
    func testRecoversANodePairCap() throws {
        var truth = FabricSpec()
        FabricParameter.nodePairCap(template: "pollux-g4dn").set(0.6e9, in: &truth)
        var rows: [StepMeasurement] = []
        for model in ["bert-squad", "neumf"] {
            for placement in [[1, 1], [2, 2], [4, 4], [1, 1, 1]] {
                var row = StepMeasurement(model: model, nodeTemplate: "pollux-g4dn", placement: placement, stepSeconds: 1)
                row.stepSeconds = FabricFit.predictedSeconds(of: row, fabric: truth)
                rows.append(row)
            }
        }
        XCTAssertTrue(FabricFit.defaultParameters(for: rows).contains(.nodePairCap(template: "pollux-g4dn")))
        XCTAssertFalse(FabricFit.defaultParameters(for: Self.syntheticRows()).contains(.nodePairCap(template: "pcie-4gpu")))
        let result = try FabricFit.fit(rows, parameters: [.nodePairCap(template: "pollux-g4dn")], crossValidate: false)
        XCTAssertEqual(try XCTUnwrap(result.parameters.first).value, 0.6e9, accuracy: 1e-4 * 0.6e9)
        XCTAssertLessThan(result.maxAbsoluteError, 1e-6)
    }

    func testMedian() {
        XCTAssertEqual(FabricFit.median([]), 0)
        XCTAssertEqual(FabricFit.median([3, 1, 2]), 2)
        XCTAssertEqual(FabricFit.median([4, 1, 3, 2]), 2.5)
    }

    /// `progress` hears of every solve before it starts: the fit of all rows, then one per model held out (in model
    /// order), each with the rows it fits; without cross-validation, only the first.
    func testProgressAnnouncesEverySolve() throws {
        let rows = Self.syntheticRows()
        var stages: [FabricFit.Stage] = []
        _ = try FabricFit.fit(rows, parameters: [.nicEfficiency]) { stages.append($0) }
        XCTAssertEqual(stages.map(\.number), [1, 2, 3, 4, 5])
        XCTAssertEqual(Set(stages.map(\.count)), [5])
        XCTAssertEqual(stages.map(\.heldOut), [nil, "bert-squad", "neumf", "resnet18-cifar10", "yolov3"])
        XCTAssertEqual(stages.map(\.rows), [32, 24, 24, 24, 24])
        stages = []
        _ = try FabricFit.fit(rows, parameters: [.nicEfficiency], crossValidate: false) { stages.append($0) }
        XCTAssertEqual(stages, [FabricFit.Stage(number: 1, count: 1, heldOut: nil, rows: 32)])
    }
}
