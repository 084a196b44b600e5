import ClusterModel
import Foundation
import Models
import Network
import Performance
import Workload
import XCTest

/// The Measurement CSV reader, the Pollux placements converter and the row predictor.
final class MeasurementTests: XCTestCase {
    private let header = "model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source"

    func testParsesRowsCommentsAndQuotedSources() throws {
        let text = """
            # a comment
            \(header)

            bert-squad,pollux-g4dn,,2|2,12,1.234,0.83,"petuum/adaptdl, simulator/traces/bert/placements.csv"
            resnet50,dgx-a100,a100-80,8,,0.2,,"say ""hi"" there"
            """
        let rows = try MeasurementFile.parse(text, file: "m.csv")
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0].placement, [2, 2])
        XCTAssertEqual(rows[0].localBatch, 12)
        XCTAssertEqual(rows[0].syncSeconds, 0.83)
        XCTAssertEqual(rows[0].source, "petuum/adaptdl, simulator/traces/bert/placements.csv")
        XCTAssertEqual(rows[0].line, 4)
        XCTAssertNil(rows[1].localBatch)
        XCTAssertNil(rows[1].syncSeconds)
        XCTAssertEqual(rows[1].gpuType, "a100-80")
        XCTAssertEqual(rows[1].source, "say \"hi\" there")
        // Writing and reading back gives the same rows.
        let again = try MeasurementFile.parse(StepMeasurement.header + "\n" + rows.map(\.csvLine).joined(separator: "\n"), file: "m.csv")
        XCTAssertEqual(again.map(\.csvLine), rows.map(\.csvLine))
    }

    private func error(_ row: String) -> String {
        do {
            _ = try MeasurementFile.parse(header + "\n" + row, file: "m.csv")
            return "no error"
        } catch {
            return error.description
        }
    }

    func testBadFieldsAreLocated() {
        XCTAssertEqual(error("bert-squad,pollux-g4dn,,2|x,12,1.2,,s"),
                       "m.csv:2: placement: expected GPUs per node as positive integers separated by '|' (e.g. 2|2), got '2|x'")
        XCTAssertEqual(error("bert-squad,pollux-g4dn,,5,12,1.2,,s"), "m.csv:2: placement: expected at most 4 GPUs per pollux-g4dn node, got '5'")
        XCTAssertTrue(error("nope,pollux-g4dn,,1,12,1.2,,s").hasPrefix("m.csv:2: model: expected a zoo model ("))
        XCTAssertTrue(error("bert-squad,nope,,1,12,1.2,,s").hasPrefix("m.csv:2: node_template: expected a node template ("))
        XCTAssertEqual(error("bert-squad,pollux-g4dn,,1,12,-1,,s"), "m.csv:2: step_s: expected seconds per iteration, a number in (0, 1e6], got '-1'")
        XCTAssertEqual(error("bert-squad,pollux-g4dn,,1,12,1,2,s"), "m.csv:2: sync_s: expected empty or seconds in [0, step_s], got '2'")
        XCTAssertEqual(error("bert-squad,pollux-g4dn,,1,0,1,,s"), "m.csv:2: local_batch: expected empty or an integer in 1...1073741824, got '0'")
        XCTAssertEqual(error("bert-squad,pollux-g4dn,,1,1,1"), "m.csv:2: expected 8 fields (\(header)), got 6")
        XCTAssertEqual(error("bert-squad,pollux-g4dn,,1,1,1,,\"open"), "m.csv:2: expected a closing '\"' before the end of the line, got an unterminated quoted field")
        XCTAssertThrowsError(try MeasurementFile.parse("model,step\n", file: "h.csv")) {
            XCTAssertEqual(($0 as? InputError)?.description, "h.csv:1: header: expected \(header), got model,step")
        }
    }

    func testPolluxPlacementsConvert() throws {
        let rows = try PolluxPlacementsImport.convert(
            "placement,local_bsz,step_time,sync_time\n22,8,2.0,1.5\n1,4,0.5,0.01\n", file: "bert/placements.csv",
            model: "bert-squad", nodeTemplate: "pollux-g4dn", source: "src")
        XCTAssertEqual(rows.map(\.placement), [[2, 2], [1]])
        XCTAssertEqual(rows.map(\.localBatch), [8, 4])
        XCTAssertEqual(rows.map(\.stepSeconds), [2.0, 0.5])
        XCTAssertEqual(rows.map(\.syncSeconds), [1.5, 0.01])
        XCTAssertEqual(PolluxPlacementsImport.model(forApp: "ncf"), "neumf")
        XCTAssertThrowsError(try PolluxPlacementsImport.convert(
            "placement,local_bsz,step_time,sync_time\n20,8,2.0,1.5\n", file: "p.csv", model: "bert-squad", nodeTemplate: "pollux-g4dn", source: "")) {
            XCTAssertEqual(($0 as? InputError)?.description, "p.csv:2: placement: expected digits 1-9 (GPUs per node), got '20'")
        }
    }

    /// scalability.csv: an even split becomes that many GPUs on every node; an uneven one is skipped and counted.
    func testPolluxScalabilityConvert() throws {
        let text = "num_nodes,num_replicas,local_bsz,step_time,sync_time\n6,12,8,1.5,1.0\n6,7,8,1.4,0.9\n16,64,4,2.0,3.0\n"
        let (rows, skipped) = try PolluxPlacementsImport.convertScalability(
            text, file: "bert/scalability.csv", model: "bert-squad", nodeTemplate: "pollux-g4dn", source: "src")
        XCTAssertEqual(skipped, 1)
        XCTAssertEqual(rows.map(\.placement), [Array(repeating: 2, count: 6), Array(repeating: 4, count: 16)])
        XCTAssertEqual(rows.map(\.localBatch), [8, 4])
        XCTAssertEqual(rows.map(\.stepSeconds), [1.5, 2.0])
        XCTAssertEqual(rows.map(\.syncSeconds), [1.0, 2.0], "sync is capped at the step")
        func error(_ row: String) -> String? {
            do {
                _ = try PolluxPlacementsImport.convertScalability(
                    "num_nodes,num_replicas,local_bsz,step_time,sync_time\n" + row, file: "s.csv", model: "bert-squad",
                    nodeTemplate: "pollux-g4dn", source: "")
                return nil
            } catch { return error.description }
        }
        XCTAssertEqual(error("0,6,8,1,1"), "s.csv:2: num_nodes: expected an integer in 1...1024, got '0'")
        XCTAssertEqual(error("6,5,8,1,1"), "s.csv:2: num_replicas: expected an integer from num_nodes (6) to 64 per node (384), got '5'")
        XCTAssertEqual(error("6,30,8,1,1"), "s.csv:2: num_replicas: expected at most 4 GPUs per pollux-g4dn node, got 30 replicas on 6 nodes")
        XCTAssertEqual(error("6,6,0,1,1"), "s.csv:2: local_bsz: expected a positive integer, got '0'")
        XCTAssertEqual(error("6,6,8,nan,1"), "s.csv:2: step_time: expected positive seconds, got 'nan'")
        XCTAssertEqual(error("6,6,8,1"), "s.csv:2: expected 5 fields, got 4")
        XCTAssertThrowsError(try PolluxPlacementsImport.convertScalability(
            "placement,local_bsz,step_time,sync_time\n", file: "h.csv", model: "bert-squad", nodeTemplate: "pollux-g4dn", source: "")) {
            XCTAssertEqual(($0 as? InputError)?.description,
                "h.csv:1: header: expected num_nodes,num_replicas,local_bsz,step_time,sync_time, got placement,local_bsz,step_time,sync_time")
        }
    }

    /// One GPU: no communication, so the prediction is the compute at the local batch, α + (T − α)·local/reference:
    /// BERT on SQuAD at local batch 6 of 12 is 0.212971 + (0.907026 − 0.212971)·6/12 s.
    func testSingleGPUPredictionIsCompute() throws {
        let row = StepMeasurement(model: "bert-squad", nodeTemplate: "pollux-g4dn", placement: [1], localBatch: 6, stepSeconds: 0.5)
        let p = try MeasurementPrediction.predict(row)
        XCTAssertEqual(p.stepSeconds, 0.212971 + (0.907026 - 0.212971) * 0.5, accuracy: 1e-12)
        XCTAssertEqual(p.syncSeconds, 0, accuracy: 1e-15)
        XCTAssertEqual(p.relativeError, (p.stepSeconds - 0.5) / 0.5, accuracy: 1e-15)
    }

    /// Several nodes: the steptime path (flow model alone on the nodes, γ overlap), and a FabricSpec override changes it.
    /// Over two nodes each direction gets half the 0.78 GB/s node-pair cap, below the 0.606 GB/s stream cap; without the
    /// pair cap and with two sockets per connection the stream cap doubles and binds.
    func testMultiNodePredictionFollowsTheFabric() throws {
        let row = StepMeasurement(model: "bert-squad", nodeTemplate: "pollux-g4dn", placement: [1, 1], localBatch: 12, stepSeconds: 1)
        let p = try MeasurementPrediction.predict(row)
        let cap = 5e9 / 8 * 0.97
        let comm = 2 * 25e-6 + 440e6 / (0.78e9 / 2)
        XCTAssertEqual(p.breakdown.communication, comm, accuracy: 1e-9)
        XCTAssertEqual(p.stepSeconds, StepTimeModel.overlap(compute: 0.907026, communication: comm, gamma: 2), accuracy: 1e-9)
        let faster = FabricSpec(nodeOverrides: [NodeFabricOverride(
            templateName: "pollux-g4dn", socketsPerConnection: 2, nodePairBytesPerSecond: .infinity)])
        let q = try MeasurementPrediction.predict(row, fabric: faster)
        XCTAssertEqual(q.breakdown.communication, 2 * 25e-6 + 440e6 / (2 * cap), accuracy: 1e-9)
    }

    func testFidelitySummaries() throws {
        let rows = [
            StepMeasurement(model: "bert-squad", nodeTemplate: "pollux-g4dn", placement: [1], localBatch: 12, stepSeconds: 0.907026),
            StepMeasurement(model: "bert-squad", nodeTemplate: "pollux-g4dn", placement: [1], localBatch: 12, stepSeconds: 0.907026 / 1.1),
            StepMeasurement(model: "yolov3", nodeTemplate: "pollux-g4dn", placement: [1], localBatch: 8, stepSeconds: 0.410789 / 0.5),
        ]
        let report = try FidelityReport(rows: rows)
        XCTAssertEqual(report.perModel.map(\.name), ["bert-squad", "yolov3"])
        XCTAssertEqual(report.perModel[0].medianAbsError, 0.05, accuracy: 1e-9)
        XCTAssertEqual(report.perModel[0].maxAbsError, 0.1, accuracy: 1e-9)
        XCTAssertEqual(report.perModel[1].rowsOver35, 1)
        XCTAssertEqual(report.overall.medianAbsError, 0.1, accuracy: 1e-9)
        XCTAssertEqual(report.overall.maxAbsError, 0.5, accuracy: 1e-9)
    }
}
