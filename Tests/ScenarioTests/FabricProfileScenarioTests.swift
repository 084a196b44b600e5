import ClusterModel
import Engine
import Foundation
import Models
import Network
import Performance
import Scenario
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// `network.fabric_profile`: a profile written from a fit drives a scenario, whose step times are the fit's predictions.
final class FabricProfileScenarioTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-fabric-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Synthetic rows from a known fabric (NIC efficiency 0.6, NIC α 200 µs on pcie-4gpu), fitted from the
    /// defaults, written with `schedlab fit -o`'s encoder.
    private func fittedProfile() throws -> (FabricFit.Result, URL) {
        var truth = FabricSpec()
        FabricParameter.nicEfficiency.set(0.6, in: &truth)
        FabricParameter.nicLatency(template: "pcie-4gpu").set(200e-6, in: &truth)
        var rows: [StepMeasurement] = []
        for model in ["bert-base", "neumf"] {
            for placement in [[4], [1, 1], [2, 2], [4, 4], [3, 3], [1, 1, 1, 1]] {
                var r = StepMeasurement(model: model, nodeTemplate: "pcie-4gpu", placement: placement, stepSeconds: 1, line: rows.count + 2)
                r.stepSeconds = FabricFit.predictedSeconds(of: r, fabric: truth)
                rows.append(r)
            }
        }
        let result = try FabricFit.fit(rows, parameters: [.nicEfficiency, .nicLatency(template: "pcie-4gpu")])
        let url = directory.appendingPathComponent("fabric.json")
        try result.profile(measurements: "synthetic.csv").jsonData().write(to: url)
        return (result, url)
    }

    private func scenario(network: String) throws -> Scenario {
        let text = """
            seed: 1
            cluster:
              racks:
                - nodes: [{template: pcie-4gpu, count: 2}]
            network: \(network)
            workload:
              synthetic:
                jobs: 2
                arrivals: {rate_per_hour: 10}
                gpus: 4
                duration_s: 60
                models: {bert-base: 1}
            policy: {name: fifo}
            """
        let url = directory.appendingPathComponent("scenario.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(path: url.path)
    }

    // The loaded fabric carries the fitted values; a bert-base job's isolated step on the scenario's fabric equals
    // the fit's prediction for each two-node-or-less placement; an iteration job alone runs exactly its iterations ×
    // that step (FIFO packs its 4 GPUs on one node); the scenario's own jobs run to the end.
    func testScenarioWithFittedProfileMatchesThePredictions() throws {
        let (fit, _) = try fittedProfile()
        XCTAssertLessThan(fit.maxAbsoluteError, 1e-6)
        let s = try scenario(network: "{fabric_profile: fabric.json}")
        let interconnect = try XCTUnwrap(s.interconnect)
        XCTAssertEqual(interconnect.graph.spec.nicEfficiency, fit.fabric.nicEfficiency)
        XCTAssertEqual(interconnect.graph.spec.nicEfficiency, 0.6, accuracy: 1e-6)
        // bert-base has no efficiency profile, so an iteration job counts plain iterations (`WorkRate`).
        let bert = ModelZoo.index(named: "bert-base")!
        XCTAssertNil(ModelZoo.efficiencyProfiles[bert])
        let job = JobSpec(id: JobID(0), name: "it", submitTime: .zero, gpuCount: 4, model: bert,
                          work: .iterations(100))
        let flow = FlowThroughput(interconnect: interconnect, jobs: [job], referenceNodes: [0])
        var compared = 0
        for row in fit.rows where row.measurement.model == "bert-base" && row.measurement.placement.count <= 2 {
            var gpus: [GPUID] = []
            for (node, k) in row.measurement.placement.enumerated() {
                gpus += s.topology.gpus(of: NodeID(node)).prefix(k).map(GPUID.init)
            }
            XCTAssertEqual(flow.isolatedStep(of: job, on: gpus).seconds, row.predicted, accuracy: 1e-12 * row.predicted,
                           row.measurement.placementText)
            compared += 1
        }
        XCTAssertEqual(compared, 5)
        let packed = try XCTUnwrap(fit.rows.first { $0.measurement.model == "bert-base" && $0.measurement.placement == [4] })
        let alone = try simulate(jobs: [job], topology: s.topology, interconnect: interconnect)
        XCTAssertEqual(try XCTUnwrap(alone.jobs[0].finish).seconds, 100 * packed.predicted, accuracy: 1e-3)
        let run = try simulate(jobs: s.jobs, topology: s.topology, interconnect: interconnect)
        XCTAssertTrue(run.jobs.allSatisfy { $0.finish != nil })
    }

    // The profile's values replace the section's own fields of the same name; the others stay; duty_cycle reaches
    // the interconnect.
    func testProfileOverridesOnlyItsParameters() throws {
        _ = try fittedProfile()
        let s = try scenario(network: "{fabric_profile: fabric.json, nic_efficiency: 0.9, intra_node_efficiency: 0.8, duty_cycle: true}")
        let spec = try XCTUnwrap(s.interconnect).graph.spec
        XCTAssertEqual(spec.nicEfficiency, 0.6, accuracy: 1e-6)
        XCTAssertEqual(spec.intraNodeEfficiency, 0.8)
        XCTAssertEqual(s.interconnect?.dutyCycle, true)
        XCTAssertEqual(try scenario(network: "{gamma: 2}").interconnect?.dutyCycle, false)
    }

    // A missing, malformed or out-of-range profile is an error at network.fabric_profile naming the problem.
    func testBadProfiles() throws {
        func error(_ network: String) -> InputError? {
            do { _ = try scenario(network: network) } catch { return error as? InputError }
            return nil
        }
        let missing = try XCTUnwrap(error("{fabric_profile: none.json}"))
        XCTAssertEqual(missing.field, "network.fabric_profile")
        XCTAssertTrue(missing.message.contains("cannot read the fabric profile"), missing.message)
        try Data("{\"schema\": 1}".utf8).write(to: directory.appendingPathComponent("bad.json"))
        XCTAssertEqual(error("{fabric_profile: bad.json}")?.field, "network.fabric_profile")
        let outOfRange = FabricProfile(
            measurements: "m.csv", rows: 1, parameters: [.init(name: "nic_efficiency", value: 2, standardError: nil, fitted: true)],
            medianAbsoluteError: 0, maxAbsoluteError: 0, crossValidatedMedianAbsoluteError: nil, crossValidatedMaxAbsoluteError: nil)
        try outOfRange.jsonData().write(to: directory.appendingPathComponent("range.json"))
        let range = try XCTUnwrap(error("{fabric_profile: range.json}"))
        XCTAssertEqual(range.field, "network.fabric_profile")
        XCTAssertTrue(range.message.hasSuffix("range.json: parameters[0].value: expected a share in 0.01...1.0, got 2.0"), range.message)
        XCTAssertEqual(error("{fabric_profile: /dev/null}")?.message.contains("not a regular file"), true)
        // A profile fitted under DDP's bucket overlap serves only a scenario that uses it; an unknown overlap is bad input.
        func profile(overlap: String?) -> FabricProfile {
            FabricProfile(
                measurements: "m.csv", rows: 1, parameters: [.init(name: "nic_efficiency", value: 0.5, standardError: nil, fitted: true)],
                medianAbsoluteError: 0, maxAbsoluteError: 0, crossValidatedMedianAbsoluteError: nil, crossValidatedMaxAbsoluteError: nil,
                overlap: overlap)
        }
        try profile(overlap: "ddp-buckets").jsonData().write(to: directory.appendingPathComponent("buckets.json"))
        let mismatch = try XCTUnwrap(error("{fabric_profile: buckets.json}"))
        XCTAssertEqual(mismatch.field, "network.overlap")
        XCTAssertTrue(mismatch.message.contains("fitted with overlap 'ddp-buckets', the scenario uses 'exponent'"), mismatch.message)
        XCTAssertEqual(try scenario(network: "{fabric_profile: buckets.json, overlap: ddp-buckets}").interconnect?.graph.spec.nicEfficiency, 0.5)
        try profile(overlap: "smooth").jsonData().write(to: directory.appendingPathComponent("unknown.json"))
        let unknown = try XCTUnwrap(error("{fabric_profile: unknown.json, overlap: ddp-buckets}"))
        XCTAssertEqual(unknown.field, "network.fabric_profile")
        XCTAssertTrue(unknown.message.contains("overlap: expected one of exponent, ddp-buckets, got 'smooth'"), unknown.message)
        // Written without the field when fitted under the default: profiles written before it decode and apply as before.
        XCTAssertFalse(String(decoding: try profile(overlap: nil).jsonData(), as: UTF8.self).contains("overlap"))
    }
}
