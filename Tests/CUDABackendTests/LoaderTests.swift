import CUDABackend
import XCTest

/// The dlopen path on a machine without CUDA: a clear "unavailable" error naming every library tried.
final class LoaderTests: XCTestCase {
    func testLoadingWithoutCUDAListsTheLibrariesTried() throws {
        let message: String
        do {
            let libs = try CUDALibrary.load()
            throw XCTSkip("CUDA is present here (\(libs)); the absent path cannot be tested")
        } catch HardwareError.unavailable(let m) {
            message = m
        }
        XCTAssertTrue(HardwareError.unavailable(message).description.hasPrefix("no CUDA driver/device: "))
        // Either a library is missing (each name tried is listed) or the driver reports no device.
        if message.contains("could not load") {
            if message.contains("libcuda ") { XCTAssertTrue(message.contains("libcuda.so.1"), message) }
            if message.contains("libcudart ") {
                for name in ["libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"] {
                    XCTAssertTrue(message.contains(name), "\(name) in \(message)")
                }
            }
            if message.contains("libcublas ") {
                for name in ["libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"] {
                    XCTAssertTrue(message.contains(name), "\(name) in \(message)")
                }
            }
        } else {
            XCTAssertTrue(message.contains("cuInit") || message.contains("DeviceGetCount"), message)
        }
        // The failure is remembered: a second call gives the same answer without reloading.
        XCTAssertThrowsError(try CUDALibrary.load()) { XCTAssertEqual($0 as? HardwareError, .unavailable(message)) }
        XCTAssertThrowsError(try CUDARuntimeBackend()) { XCTAssertEqual($0 as? HardwareError, .unavailable(message)) }
    }
}
