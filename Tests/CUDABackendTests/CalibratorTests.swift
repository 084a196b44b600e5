import ClusterModel
@testable import CUDABackend
import Foundation
import XCTest

final class CalibratorTests: XCTestCase {
    let date = Date(timeIntervalSince1970: 1_700_000_000) // 2023-11-14T22:13:20Z

    func testFakeH100CalibrationGivesKnownFractionsAndBandwidths() throws {
        let backend = FakeBackend()
        let profile = try Calibrator(backend: backend).run(date: date)
        XCTAssertEqual(profile.gpuName, "NVIDIA H100 80GB HBM3")
        XCTAssertEqual(profile.catalogMatch, "h100")
        XCTAssertEqual(profile.catalogPeakFP16TFLOPS, 989.4)
        XCTAssertEqual(profile.driverVersion, "12.4")
        XCTAssertEqual(profile.runtimeVersion, "12.2")
        XCTAssertEqual(profile.ncclVersion, "2.19.3")
        XCTAssertEqual(profile.deviceCount, 2)
        XCTAssertEqual(profile.measuredAt, "2023-11-14T22:13:20Z")
        XCTAssertEqual(profile.repetitions, 10)

        XCTAssertEqual(profile.gemm.count, 12, "3 precisions × 4 sizes")
        for g in profile.gemm {
            let expected = g.precision == .fp32 ? 0.05 : 0.5
            XCTAssertEqual(try XCTUnwrap(g.fractionOfCatalogPeak), expected, accuracy: 1e-12, "\(g.precision) \(g.size)")
            XCTAssertEqual(g.tflops, expected * 989.4, accuracy: 1e-9)
        }
        for b in profile.deviceMemory { XCTAssertEqual(b.gbps, 2000, accuracy: 1e-9, "read + write counted") }
        for b in profile.hostToDevice + profile.deviceToHost { XCTAssertEqual(b.gbps, 25, accuracy: 1e-12) }
        XCTAssertEqual(profile.peerToPeer.count, 3)
        for b in profile.peerToPeer { XCTAssertEqual(b.gbps, 300, accuracy: 1e-9) }

        let ar = try XCTUnwrap(profile.allReduce)
        XCTAssertEqual(ar.gpus, 2)
        XCTAssertEqual(ar.points.count, 6)
        XCTAssertEqual(ar.alphaSeconds, 20e-6, accuracy: 1e-12)
        XCTAssertEqual(ar.busBandwidthGBps, 200, accuracy: 1e-6)
        for p in ar.points {
            XCTAssertEqual(p.busbwGBps, p.algbwGBps * 1, accuracy: 1e-9, "2 ranks: busbw = algbw")
            XCTAssertEqual(p.algbwGBps, Double(p.bytes) / p.seconds / 1e9, accuracy: 1e-9)
        }
        XCTAssertEqual(profile.notes, [])
    }

    func testEffectiveFiguresAndCatalogOverride() throws {
        let profile = try Calibrator(backend: FakeBackend()).run(date: date)
        let e = profile.effective
        XCTAssertEqual(try XCTUnwrap(e.fp16TFLOPS), 494.7, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(e.bf16TFLOPS), 494.7, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(e.memoryBandwidthGBps), 2000, accuracy: 1e-9)
        let h100 = try XCTUnwrap(GPUCatalog.named("h100"))
        let applied = profile.applied(to: h100)
        XCTAssertEqual(applied.fp16TFLOPS, 494.7, accuracy: 1e-9)
        XCTAssertEqual(applied.memoryBandwidthGBps, 2000, accuracy: 1e-9)
        XCTAssertEqual(applied.memoryGB, h100.memoryGB, "unmeasured fields keep catalog values")
        XCTAssertEqual(applied.hostLinkGBps, h100.hostLinkGBps)
    }

    func testThroughputInterpolatesInLogSize() throws {
        var profile = try Calibrator(backend: FakeBackend()).run(date: date)
        profile.gemm = [
            GEMMMeasurement(precision: .bf16, size: 1024, seconds: 1, tflops: 100, fractionOfCatalogPeak: nil),
            GEMMMeasurement(precision: .bf16, size: 4096, seconds: 1, tflops: 300, fractionOfCatalogPeak: nil),
        ]
        XCTAssertEqual(profile.tflops(precision: .bf16, size: 1024), 100)
        XCTAssertEqual(try XCTUnwrap(profile.tflops(precision: .bf16, size: 2048)), 200, accuracy: 1e-12, "halfway in log2")
        XCTAssertEqual(profile.tflops(precision: .bf16, size: 512), 100, "clamped below")
        XCTAssertEqual(profile.tflops(precision: .bf16, size: 16384), 300, "clamped above")
        XCTAssertNil(profile.tflops(precision: .fp32, size: 1024))
    }

    func testProfileJSONRoundTrips() throws {
        let profile = try Calibrator(backend: FakeBackend()).run(date: date)
        let decoded = try JSONDecoder().decode(HardwareProfile.self, from: profile.jsonData())
        XCTAssertEqual(decoded, profile)
        let text = String(decoding: try profile.jsonData(), as: UTF8.self)
        for key in ["\"gpuName\"", "\"driverVersion\"", "\"runtimeVersion\"", "\"deviceCount\"", "\"allReduce\"", "\"busbwGBps\""] {
            XCTAssertTrue(text.contains(key), key)
        }
    }

    func testOneGPUWithoutNCCLAndUnknownName() throws {
        let backend = FakeBackend(name: "NVIDIA GeForce RTX 4090", memoryBytes: 24_000_000_000, gpus: 1, nccl: false)
        let profile = try Calibrator(backend: backend).run(date: date)
        XCTAssertNil(profile.catalogMatch)
        XCTAssertTrue(profile.gemm.allSatisfy { $0.fractionOfCatalogPeak == nil })
        XCTAssertEqual(profile.peerToPeer, [])
        XCTAssertNil(profile.allReduce)
        XCTAssertFalse(backend.calls.contains { $0.hasPrefix("allreduce") || $0.contains("peerToPeer") })
        XCTAssertTrue(profile.notes.contains { $0.contains("matches no GPUCatalog entry") }, "\(profile.notes)")
        XCTAssertTrue(profile.notes.contains { $0.contains("one GPU") }, "\(profile.notes)")
    }

    func testTwoGPUsWithoutNCCLSkipAllReduceWithANote() throws {
        let profile = try Calibrator(backend: FakeBackend(nccl: false)).run(date: date)
        XCTAssertNil(profile.allReduce)
        XCTAssertEqual(profile.peerToPeer.count, 3)
        XCTAssertTrue(profile.notes.contains { $0.contains("NCCL") }, "\(profile.notes)")
    }

    func testPointsTooLargeForMemoryAreSkipped() throws {
        // 1 GiB of device memory, half of it usable: fp32 n=8192 (805 MB) and a 1 GiB copy (2 GiB) do not fit.
        let backend = FakeBackend(memoryBytes: 1 << 30)
        let profile = try Calibrator(backend: backend).run(date: date)
        XCTAssertFalse(profile.gemm.contains { $0.precision == .fp32 && $0.size == 8192 })
        XCTAssertTrue(profile.gemm.contains { $0.precision == .bf16 && $0.size == 8192 }, "3 × 128 MiB fits")
        XCTAssertEqual(profile.deviceMemory.map(\.bytes), [64 << 20, 256 << 20], "2 × 256 MiB is exactly the budget")
        XCTAssertEqual(profile.hostToDevice.map(\.bytes), [64 << 20, 256 << 20])
        XCTAssertTrue(profile.notes.contains { $0.contains("skipped fp32 GEMM n=8192") }, "\(profile.notes)")
        XCTAssertFalse(backend.calls.contains("gemm fp32 8192"), "a skipped point is not run")
    }

    func testZeroOrMissingTimingsAreRejected() {
        XCTAssertThrowsError(try Calibrator.median([], "x"))
        XCTAssertThrowsError(try Calibrator.median([1, 0, 1], "x"))
        XCTAssertThrowsError(try Calibrator.median([1, .nan], "x"))
        XCTAssertEqual(try Calibrator.median([3, 1, 2], "x"), 2)
    }

    func testResultFileNames() {
        XCTAssertEqual(ResultFileName.make(kind: "validate-resnet50", gpu: "NVIDIA H100 80GB HBM3", date: date),
                       "validate-resnet50-nvidia-h100-80gb-hbm3-20231114T221320Z.json")
        XCTAssertEqual(ResultFileName.slug("  Tesla V100-SXM2-16GB "), "tesla-v100-sxm2-16gb")
        XCTAssertEqual(ResultFileName.slug("///"), "unknown-gpu")
    }

    func testVersionStrings() {
        XCTAssertEqual(DeviceInfo.cudaVersionString(12040), "12.4")
        XCTAssertEqual(DeviceInfo.cudaVersionString(11080), "11.8")
        XCTAssertEqual(DeviceInfo.cudaVersionString(13000), "13.0")
        XCTAssertEqual(DeviceInfo.ncclVersionString(21903), "2.19.3")
        XCTAssertEqual(DeviceInfo.ncclVersionString(2708), "2.7.8")
    }
}
