import ClusterModel
import Foundation
import Scenario
import Workload
import XCTest

/// A scenario may reference a `schedlab hw calibrate` profile; its measured figures replace the catalog's for
/// the profiled GPU type only, and a bad reference is a located error.
final class HardwareProfileScenarioTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A hand-made profile (not a measurement): an A100-80 that reached 250 TFLOP/s bf16 and 1,800 GB/s.
    private func writeProfile(match: String?) throws {
        let profile = HardwareProfile(
            gpuName: "Test GPU", catalogMatch: match, catalogPeakFP16TFLOPS: 312, memoryBytes: 80 << 30,
            driverVersion: "0", runtimeVersion: "0", ncclVersion: nil, deviceCount: 1, measuredAt: "test", repetitions: 1,
            gemm: [GEMMMeasurement(precision: .bf16, size: 8192, seconds: 2 * pow(8192, 3) / 250e12, tflops: 250,
                                   fractionOfCatalogPeak: 250.0 / 312)],
            deviceMemory: [BandwidthMeasurement(bytes: 1 << 30, seconds: Double(2 << 30) / 1800e9, gbps: 1800)],
            hostToDevice: [], deviceToHost: [], peerToPeer: [], allReduce: nil, notes: [])
        try profile.jsonData().write(to: dir.appendingPathComponent("profile.json"))
    }

    private func load(profileLine: String) throws -> Scenario {
        let text = """
            seed: 1
            cluster:
              \(profileLine)
              racks:
                - nodes: [{template: dgx-a100}, {template: pcie-4gpu}]
            workload:
              synthetic:
                jobs: 3
                arrivals: {rate_per_hour: 10}
                gpus: 1
                duration_s: 100
            policy: {name: fifo}
            """
        let url = dir.appendingPathComponent("s.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(path: url.path)
    }

    // The profiled type (a100-80) takes the measured figures; the other type (t4) keeps the catalog's.
    func testProfileOverridesOnlyItsType() throws {
        try writeProfile(match: "a100-80")
        let s = try load(profileLine: "hardware_profile: profile.json")
        let a100 = try XCTUnwrap(s.topology.gpuTypes.first { $0.name == "a100-80" })
        XCTAssertEqual(a100.fp16TFLOPS, 250)
        XCTAssertEqual(a100.memoryBandwidthGBps, 1800)
        XCTAssertTrue(a100.source.hasPrefix("hardware profile of Test GPU"))
        XCTAssertEqual(s.topology.gpuTypes.first { $0.name == "t4" }?.fp16TFLOPS, 65)
        // The profile is part of the scenario's identity.
        let plain = try load(profileLine: "")
        XCTAssertNotEqual(plain.hash, s.hash)
    }

    // A missing profile and a profile of an unknown GPU are errors at cluster.hardware_profile.
    func testBadProfileReferences() throws {
        XCTAssertThrowsError(try load(profileLine: "hardware_profile: missing.json")) { e in
            XCTAssertEqual((e as? InputError)?.field, "cluster.hardware_profile")
            XCTAssertEqual((e as? InputError)?.line, 3)
        }
        try writeProfile(match: nil)
        XCTAssertThrowsError(try load(profileLine: "hardware_profile: profile.json")) { e in
            XCTAssertTrue("\(e)".contains("matches no catalog GPU type"), "\(e)")
        }
    }
}
