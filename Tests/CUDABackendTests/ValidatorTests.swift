import ClusterModel
@testable import CUDABackend
import Foundation
import Models
import Workload
import XCTest

final class ValidatorTests: XCTestCase {
    let date = Date(timeIntervalSince1970: 1_700_000_000)

    func validate(_ backend: FakeBackend, model: String, precision: Precision = .bf16) throws -> ValidationReport {
        let profile = try Calibrator(backend: backend).run(date: date)
        return try Validator(backend: backend, profile: profile).run(model: try XCTUnwrap(ModelZoo.named(model)),
                                                                     precision: precision, date: date)
    }

    func testSingleGPUErrorIsExactlyKnown() throws {
        // The fake's step takes 1.25× the calibrated prediction: error = 1/1.25 − 1 = −20%.
        let backend = FakeBackend(gpus: 1, nccl: false)
        let r = try validate(backend, model: "resnet50")
        XCTAssertEqual(r.step.gpus, 1)
        XCTAssertEqual(r.step.allReduceBytes, 0)
        XCTAssertEqual(r.step.gemmSize, 4096)
        XCTAssertEqual(r.step.gemmCount, 23)
        let expectedCompute = 23 * 2 * pow(4096.0, 3) / 494.7e12
        XCTAssertEqual(r.iteration.prediction.computeSeconds, expectedCompute, accuracy: 1e-15)
        XCTAssertEqual(r.iteration.prediction.allReduceSeconds, 0)
        XCTAssertEqual(r.iteration.predictedSeconds, expectedCompute, accuracy: 1e-15)
        XCTAssertEqual(r.iteration.measuredSeconds, 1.25 * expectedCompute, accuracy: 1e-15)
        XCTAssertEqual(r.iteration.relativeError, -0.2, accuracy: 1e-12)
        XCTAssertEqual(r.iteration.samples.count, 10)
    }

    func testTwoGPUStepIncludesTheCalibratedAllReduce() throws {
        let backend = FakeBackend()
        let r = try validate(backend, model: "bert-base", precision: .fp16)
        XCTAssertEqual(r.step.gpus, 2)
        XCTAssertEqual(r.step.allReduceBytes, 440_000_000)
        // α + S·2(n−1)/n / busbw with n = 2: 20 µs + 0.44 GB / 200 GB/s.
        XCTAssertEqual(r.iteration.prediction.allReduceSeconds, 20e-6 + 0.44 / 200, accuracy: 1e-12)
        XCTAssertEqual(r.iteration.relativeError, -0.2, accuracy: 1e-12)
        XCTAssertTrue(backend.calls.contains("step bert-base gpus=2"))
        XCTAssertTrue(backend.calls.contains("step bert-base gpus=1"), "the time-sharing baseline runs on one GPU")
    }

    func testTimeSharingAgainstTheTwoTimesModel() throws {
        let r = try validate(FakeBackend(gpus: 1, nccl: false), model: "lm")
        XCTAssertEqual(r.timeSharing.jobs, 2)
        XCTAssertEqual(r.timeSharing.modelSlowdown, 2)
        XCTAssertEqual(r.timeSharing.measuredSlowdown, 2.5, accuracy: 1e-12)
        XCTAssertEqual(r.timeSharing.relativeError, -0.2, accuracy: 1e-12)
        XCTAssertTrue(r.timeSharing.label.contains("time-sharing one GPU"))
        XCTAssertTrue(r.timeSharing.label.contains("2× for compute-bound"))
    }

    func testReportRecordsProvenanceAndRoundTrips() throws {
        let r = try validate(FakeBackend(), model: "gpt-1.3b")
        XCTAssertEqual(r.measuredAt, "2023-11-14T22:13:20Z")
        XCTAssertEqual(r.catalogMatch, "h100")
        XCTAssertTrue(r.flopsDerivation.hasPrefix("[derived]"))
        XCTAssertEqual(r.notes, [])
        XCTAssertEqual(try JSONDecoder().decode(ValidationReport.self, from: r.jsonData()), r)
    }

    func testProfileFromAnotherGPUIsNoted() throws {
        let backend = FakeBackend(gpus: 1, nccl: false)
        var profile = try Calibrator(backend: backend).run(date: date)
        profile.gpuName = "NVIDIA A100-SXM4-80GB"
        let r = try Validator(backend: backend, profile: profile).run(model: ModelZoo.named("resnet18")!, precision: .bf16, date: date)
        XCTAssertTrue(r.notes.contains { $0.contains("NVIDIA A100-SXM4-80GB") }, "\(r.notes)")
    }

    func testMissingCalibrationIsUnsupported() throws {
        let backend = FakeBackend(gpus: 1, nccl: false)
        var profile = try Calibrator(backend: backend).run(date: date)
        profile.gemm.removeAll { $0.precision == .fp32 }
        XCTAssertThrowsError(try Validator(backend: backend, profile: profile).run(model: ModelZoo.named("lm")!, precision: .fp32, date: date)) {
            guard case HardwareError.unsupported = $0 else { return XCTFail("\($0)") }
        }
        // A two-GPU step needs an all-reduce calibration.
        let step = SyntheticStep(model: "x", targetFLOPs: 1, gemmSize: 1024, gemmCount: 1, precision: .bf16, gpus: 2, allReduceBytes: 4)
        XCTAssertThrowsError(try StepPredictor.predict(step, profile: profile))
    }
}
