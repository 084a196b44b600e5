import Foundation
import Network
import Performance
import XCTest

/// `schedlab fit`: a synthetic measurement file fitted end to end, and its bad-input exits.
final class FitCommandTests: SchedLabProcessTestCase {
    private let header = "model,node_template,gpu_type,placement,local_batch,step_s,sync_s,source\n"

    /// Rows of bert-base and neumf on pcie-4gpu placements (a template without a per-stream cap, so the NIC's efficiency
    /// matters), their steps predicted with NIC efficiency 0.6 and NIC α 200 µs.
    private func syntheticCSV() -> String {
        var truth = FabricSpec()
        FabricParameter.nicEfficiency.set(0.6, in: &truth)
        FabricParameter.nicLatency(template: "pcie-4gpu").set(200e-6, in: &truth)
        var text = "# synthetic: nic_efficiency 0.6, nic_latency@pcie-4gpu 200 us\n" + header
        for model in ["bert-base", "neumf"] {
            for placement in ["4", "1|1", "2|2", "4|4", "3|3|3"] {
                let row = StepMeasurement(model: model, nodeTemplate: "pcie-4gpu", placement: placement.split(separator: "|").map { Int($0)! },
                                         stepSeconds: 1)
                let step = FabricFit.predictedSeconds(of: row, fabric: truth)
                text += "\(model),pcie-4gpu,,\(placement),,\(step),,\"synthetic, from known parameters\"\n"
            }
        }
        return text
    }

    func testFitsAndWritesAProfile() throws {
        try write(syntheticCSV(), to: "m.csv")
        let r = try schedlab(["fit", "m.csv", "--parameters", "nic_efficiency,nic_latency@pcie-4gpu", "-o", "fabric.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for phrase in ["nic_efficiency", "nic_latency@pcie-4gpu", "default model: median |error|", "fitted:        median |error| 0.0%",
                       "leave-one-model-out: median |error| 0.0%", "iterations, converged: small", "  without bert-base: ", "  without neumf: "] {
            XCTAssertTrue(r.stdout.contains(phrase), "missing '\(phrase)' in:\n\(r.stdout)")
        }
        // Each solve is announced on stderr: the fit of all ten rows, then one without each of the two models.
        XCTAssertTrue(r.stderr.contains("[schedlab] fit 1/3: every row (10 rows), "), r.stderr)
        XCTAssertTrue(r.stderr.contains("[schedlab] fit 3/3: without neumf (5 rows), "), r.stderr)
        let profile = try FabricProfile.decode(Data(contentsOf: dir.appendingPathComponent("fabric.json")))
        XCTAssertEqual(profile.rows, 10)
        XCTAssertEqual(profile.parameters.map(\.name), ["nic_efficiency", "nic_latency@pcie-4gpu"])
        guard profile.parameters.count == 2 else { return }
        XCTAssertEqual(profile.parameters[0].value, 0.6, accuracy: 1e-6)
        XCTAssertEqual(profile.parameters[1].value, 200e-6, accuracy: 1e-9)
        let json = try schedlab(["fit", "m.csv", "--parameters", "nic_efficiency", "--json", "--no-cross-validation", "--quiet"])
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(json.stderr, "")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((object?["rows"] as? [Any])?.count, 10)
        // The same rows split over two files fit together: all ten rows, the same parameters.
        let lines = try syntheticCSV().split(separator: "\n").map(String.init)
        try write(lines[..<6].joined(separator: "\n") + "\n", to: "a.csv")
        try write(([lines[1]] + lines[6...]).joined(separator: "\n") + "\n", to: "b.csv")
        let two = try schedlab(["fit", "a.csv", "b.csv", "--parameters", "nic_efficiency,nic_latency@pcie-4gpu",
                                "--no-cross-validation", "-o", "two.json"])
        XCTAssertEqual(two.status, 0, two.stderr)
        let joined = try FabricProfile.decode(Data(contentsOf: dir.appendingPathComponent("two.json")))
        XCTAssertEqual(joined.rows, 10)
        XCTAssertEqual(joined.parameters.map(\.value), profile.parameters.map(\.value))
    }

    func testBadInputIsExit2() throws {
        try write(header + "bert-base,pcie-4gpu,,2|2,,1.5,,x\nnope,pcie-4gpu,,2,,1,,x\n", to: "bad.csv")
        let bad = try schedlab(["fit", "bad.csv"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("error: bad.csv:3: model: expected a zoo model ("), bad.stderr)
        try write(header + "bert-base,pcie-4gpu,,2|2,,1.5,,x\n", to: "one.csv")
        let one = try schedlab(["fit", "one.csv"])
        XCTAssertEqual(one.status, 2)
        XCTAssertTrue(one.stderr.contains("1 row cannot determine"), one.stderr)
        let exact = try schedlab(["fit", "one.csv", "--parameters", "nic_efficiency"])
        XCTAssertEqual(exact.status, 0, exact.stderr)
        let name = try schedlab(["fit", "one.csv", "--parameters", "nic_bandwidth"])
        XCTAssertEqual(name.status, 2)
        XCTAssertTrue(name.stderr.hasPrefix("error: --parameters: expected names among"), name.stderr)
        try write(header, to: "empty.csv")
        let empty = try schedlab(["fit", "empty.csv"])
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderr.hasPrefix("error: empty.csv: the file has a header but no rows"), empty.stderr)
        let tolerance = try schedlab(["fit", "one.csv", "--step-tolerance", "0"])
        XCTAssertEqual(tolerance.status, 2)
        XCTAssertTrue(tolerance.stderr.hasPrefix("error: --step-tolerance: expected a number in (0, 0.01], got 0.0"), tolerance.stderr)
        let missing = try schedlab(["fit", "absent.csv"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("absent.csv: cannot read the measurement file"), missing.stderr)
    }
}
