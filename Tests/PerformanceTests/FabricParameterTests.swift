import ClusterModel
import Network
import Performance
import SimTestSupport
import Workload
import XCTest

/// The fit's typed parameters (`FabricParameter`) and the profiles it writes (`FabricProfile`).
final class FabricParameterTests: XCTestCase {
    // Names round-trip; set then get returns the value; a template latency keeps the template's bandwidth; the
    // fit coordinate maps back to the value and stays inside the range however far it goes.
    func testFabricParameters() {
        let all: [FabricParameter] = [.intraNodeEfficiency, .nicEfficiency, .spineEfficiency, .spineLatency,
                                      .intraNodeLatency(template: "pollux-g4dn"), .nicLatency(template: "dgx-a100"),
                                      .tcpStreamCap(template: "pollux-g4dn"), .nodePairCap(template: "pollux-g4dn")]
        XCTAssertEqual(all.map(\.name), ["intra_node_efficiency", "nic_efficiency", "spine_efficiency", "spine_latency",
                                         "intra_node_latency@pollux-g4dn", "nic_latency@dgx-a100", "tcp_stream_cap@pollux-g4dn",
                                         "node_pair_cap@pollux-g4dn"])
        XCTAssertEqual(all.map { FabricParameter(name: $0.name) }, all)
        XCTAssertNil(FabricParameter(name: "nic_latency@nope"))
        XCTAssertNil(FabricParameter(name: "bandwidth"))
        var rng = SeededGenerator(seed: 7)
        XCTAssertEqual(all.shuffled(using: &rng).sorted(), all)
        var spec = FabricSpec()
        for (i, p) in all.enumerated() {
            let v = p.isRate ? 1e8 * Double(i + 1) : p.isLatency ? 1e-5 * Double(i + 1) : 0.1 * Double(i + 1)
            p.set(v, in: &spec)
            XCTAssertEqual(p.value(in: spec), v, p.name)
            XCTAssertEqual(p.value(atCoordinate: p.coordinate(of: v)), v, accuracy: 1e-12 * max(1, v), p.name)
            for u in [-1e3, -30.0, 0, 30, 1e3] { XCTAssertTrue(p.range.contains(p.value(atCoordinate: u)), "\(p.name) at \(u)") }
        }
        let t = NodeTemplateCatalog.named("pollux-g4dn")!
        XCTAssertEqual(spec.effective(t).intraNode.bandwidthBytesPerSecond, t.intraNode.bandwidthBytesPerSecond)
        XCTAssertEqual(spec.effective(t).nic, t.nic, "only the intra-node latency and the stream cap were set for pollux-g4dn")
        XCTAssertEqual(spec.effective(t).tcpStreamBytesPerSecond, 7e8)
        XCTAssertEqual(spec.effective(t).nodePairBytesPerSecond, 8e8)
        XCTAssertEqual(FabricParameter.nodePairCap(template: "dgx-a100").value(in: FabricSpec()), .infinity, "dgx-a100 has no pair cap")
        XCTAssertEqual(FabricParameter.tcpStreamCap(template: "dgx-a100").value(in: FabricSpec()), .infinity, "dgx-a100 has no cap")
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
