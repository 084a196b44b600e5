import CUDABackend
import Foundation
import SimTestSupport
import XCTest

/// `schedlab hw` on this machine, which has no CUDA: exit 3 with the reason; bad input still exits 2 first.
final class HWCommandTests: SchedLabBinaryTestCase {
    func skipIfCUDAIsPresent() throws {
        if let libs = try? CUDALibrary.load() { throw XCTSkip("CUDA is present here (\(libs))") }
    }

    func testCalibrateWithoutCUDAExitsThreeNamingTheLibraries() throws {
        try skipIfCUDAIsPresent()
        let r = try schedlab(["hw", "calibrate", "-o", "p.json"])
        XCTAssertEqual(r.status, 3, "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        XCTAssertTrue(r.stderr.hasPrefix("error: no CUDA driver/device: "), r.stderr)
        XCTAssertTrue(r.stderr.contains("libcuda.so.1") || r.stderr.contains("cuInit") || r.stderr.contains("DeviceGetCount"), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, "one line: \(r.stderr)")
        XCTAssertEqual(r.stdout, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("p.json").path))
    }

    func testValidateWithoutCUDAExitsThree() throws {
        try skipIfCUDAIsPresent()
        let r = try schedlab(["hw", "validate", "--model", "bert-base"])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("error: no CUDA driver/device: "), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Results").path), "nothing written")
    }

    func testValidateRejectsBadInputBeforeLookingForADevice() throws {
        let model = try schedlab(["hw", "validate", "--model", "alexnet"])
        XCTAssertEqual(model.status, 2, model.stderr)
        XCTAssertTrue(model.stderr.hasPrefix("error: --model: unknown model 'alexnet'; expected one of: resnet50"), model.stderr)
        let precision = try schedlab(["hw", "validate", "--precision", "fp8"])
        XCTAssertEqual(precision.status, 2, precision.stderr)
        XCTAssertTrue(precision.stderr.contains("--precision"), precision.stderr)
        let missing = try schedlab(["hw", "validate", "--profile", "nope.json"])
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertEqual(missing.stderr, "error: nope.json: no such file\n")
        let profile = dir.appendingPathComponent("bad.json")
        try Data("{}".utf8).write(to: profile)
        let bad = try schedlab(["hw", "validate", "--profile", profile.path])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("error: \(profile.path): not a hardware profile"), bad.stderr)
    }
}
