import ClusterModel
import Network
import Performance
import SimTestSupport
import Workload
import XCTest

/// The measurement CSV reader, its located errors, and the fabric parameter and profile types it feeds.
final class MeasurementCSVTests: XCTestCase {
    let header = "model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\n"

    func testParsesRowsCommentsAndQuotes() throws {
        let text = "# a comment\n" + header
            + "bert-squad,pollux-g4dn,,2|2,12,1.234,0.83,\"petuum/adaptdl, bert\"\r\n"
            + "\n  # indented comment\n"
            + "resnet50,dgx-a100,v100-32,8,,0.25,,\"say \"\"hi\"\"\"\n"
        let rows = try MeasurementCSV.parse(text, file: "m.csv")
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0], MeasurementRow(model: "bert-squad", nodeTemplate: "pollux-g4dn", placement: [2, 2], localBatch: 12,
                                               stepSeconds: 1.234, syncSeconds: 0.83, source: "petuum/adaptdl, bert", line: 3))
        XCTAssertEqual(rows[1].gpuType, "v100-32")
        XCTAssertEqual(rows[1].template?.gpuType.name, "v100-32")
        XCTAssertNil(rows[1].localBatch)
        XCTAssertNil(rows[1].syncSeconds)
        XCTAssertEqual(rows[1].source, "say \"hi\"")
        XCTAssertEqual(rows[1].line, 6)
        XCTAssertEqual(rows[0].placementText, "2|2")
    }

    /// Each bad file gives its exact located message.
    func testLocatedErrors() {
        let cases: [(String, String)] = [
            ("", "m.csv: the measurement file is empty; expected the header '\(header.dropLast())'"),
            ("model,step_s\n", "m.csv:1: expected the header '\(header.dropLast())', got 'model,step_s'"),
            (header, "m.csv: the measurement file has a header but no rows; expected at least one"),
            (header + "bert-squad,pollux-g4dn,,2|2,12,1.2\n", "m.csv:2: expected 8 fields (\(header.dropLast())), got 6"),
            (header + "# c\nnope,pollux-g4dn,,2,,1,,x\n", "m.csv:3: model: expected a zoo model ("),
            (header + "bert-squad,nope,,2,,1,,x\n", "m.csv:2: node_template: expected a node template ("),
            (header + "bert-squad,pollux-g4dn,z9,2,,1,,x\n", "m.csv:2: gpu_type: expected empty or a GPU type ("),
            (header + "bert-squad,pollux-g4dn,,5|2,,1,,x\n",
             "m.csv:2: placement: expected GPUs per node as integers in 1...4 (pollux-g4dn nodes) separated by '|', got '5|2'"),
            (header + "bert-squad,pollux-g4dn,,2||2,,1,,x\n", "m.csv:2: placement: expected GPUs per node"),
            (header + "bert-squad,pollux-g4dn,,2,0,1,,x\n", "m.csv:2: local_batch: expected empty or an integer in 1...1000000, got '0'"),
            (header + "bert-squad,pollux-g4dn,,2,,-1,,x\n", "m.csv:2: step_s: expected seconds in (0, 86400], got '-1'"),
            (header + "bert-squad,pollux-g4dn,,2,,nan,,x\n", "m.csv:2: step_s: expected seconds in (0, 86400], got 'nan'"),
            (header + "bert-squad,pollux-g4dn,,2,,1,2,x\n", "m.csv:2: sync_s: expected empty or seconds in [0, step_s = 1], got '2'"),
            (header + "bert-squad,pollux-g4dn,,2,,1,,\"open\n", "m.csv:2: unterminated quoted field; expected a closing '\"'"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try MeasurementCSV.parse(text, file: "m.csv"), expected) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "got: \(error)\nexpected: \(expected)")
            }
        }
    }

    func testUnreadableFile() {
        XCTAssertThrowsError(try MeasurementCSV.read(path: "/nonexistent/m.csv")) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/m.csv: cannot read the measurement file"), "\(error)")
        }
        XCTAssertThrowsError(try MeasurementCSV.read(path: "/dev/null")) { error in
            XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
        }
    }

    // Names round-trip; set then get returns the value; a template latency keeps the template's bandwidth; the
    // fit coordinate maps back to the value and stays inside the range however far it goes.
    func testFabricParameters() {
        let all: [FabricParameter] = [.intraNodeEfficiency, .nicEfficiency, .spineEfficiency, .spineLatency,
                                      .intraNodeLatency(template: "pollux-g4dn"), .nicLatency(template: "dgx-a100")]
        XCTAssertEqual(all.map(\.name), ["intra_node_efficiency", "nic_efficiency", "spine_efficiency", "spine_latency",
                                         "intra_node_latency@pollux-g4dn", "nic_latency@dgx-a100"])
        XCTAssertEqual(all.map { FabricParameter(name: $0.name) }, all)
        XCTAssertNil(FabricParameter(name: "nic_latency@nope"))
        XCTAssertNil(FabricParameter(name: "bandwidth"))
        var rng = SeededGenerator(seed: 7)
        XCTAssertEqual(all.shuffled(using: &rng).sorted(), all)
        var spec = FabricSpec()
        for (i, p) in all.enumerated() {
            let v = p.isLatency ? 1e-5 * Double(i + 1) : 0.1 * Double(i + 1)
            p.set(v, in: &spec)
            XCTAssertEqual(p.value(in: spec), v, p.name)
            XCTAssertEqual(p.value(atCoordinate: p.coordinate(of: v)), v, accuracy: 1e-12 * max(1, v), p.name)
            for u in [-1e3, -30.0, 0, 30, 1e3] { XCTAssertTrue(p.range.contains(p.value(atCoordinate: u)), "\(p.name) at \(u)") }
        }
        let t = NodeTemplateCatalog.named("pollux-g4dn")!
        XCTAssertEqual(spec.effective(t).intraNode.bandwidthBytesPerSecond, t.intraNode.bandwidthBytesPerSecond)
        XCTAssertEqual(spec.effective(t).nic, t.nic, "only the intra-node latency was set for pollux-g4dn")
    }

    func testProfileValidation() throws {
        func profile(_ entries: [FabricProfile.Entry]) -> FabricProfile {
            FabricProfile(measurements: "m.csv", rows: 3, parameters: entries, medianAbsoluteError: 0, maxAbsoluteError: 0,
                          crossValidatedMedianAbsoluteError: nil, crossValidatedMaxAbsoluteError: nil)
        }
        let good = profile([.init(name: "nic_efficiency", value: 0.5, standardError: 0.01, fitted: true),
                            .init(name: "nic_latency@pollux-g4dn", value: 1e-4, standardError: nil, fitted: true)])
        let decoded = try FabricProfile.decode(good.jsonData())
        XCTAssertEqual(decoded, good)
        let spec = try decoded.applied(to: FabricSpec())
        XCTAssertEqual(spec.nicEfficiency, 0.5)
        XCTAssertEqual(spec.effective(NodeTemplateCatalog.named("pollux-g4dn")!).nic.latencySeconds, 1e-4)
        let bad: [(FabricProfile, String)] = [
            (profile([.init(name: "nic_efficiency", value: 1.5, standardError: nil, fitted: true)]),
             "parameters[0].value: expected a share in 0.01...1.0, got 1.5"),
            (profile([.init(name: "bogus", value: 1, standardError: nil, fitted: true)]), "parameters[0].name: expected one of"),
            (profile([.init(name: "spine_latency", value: 1e-6, standardError: nil, fitted: true),
                      .init(name: "spine_latency", value: 2e-6, standardError: nil, fitted: true)]),
             "parameters[1].name: expected each parameter once, got 'spine_latency' again"),
        ]
        for (p, message) in bad {
            XCTAssertThrowsError(try p.applied(to: FabricSpec())) { XCTAssertTrue("\($0)".hasPrefix(message), "\($0)") }
        }
        var future = good
        future.schema = 99
        XCTAssertThrowsError(try future.applied(to: FabricSpec())) { XCTAssertEqual("\($0)", "schema: expected 1, got 99") }
    }
}
