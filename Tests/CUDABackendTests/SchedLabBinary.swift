import Foundation
import SimTestSupport
import XCTest

/// Base class of the binary tests: a temporary working directory per test and the `schedlab` runner.
class SchedLabBinaryTestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-hw-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func schedlab(_ args: [String], environment: [String: String] = [:]) throws -> SchedLabBinary.Output {
        guard let binary = SchedLabBinary.url else { throw XCTSkip("no schedlab binary (build it, or set SCHEDLAB_BIN)") }
        return try SchedLabBinary.run(binary, args, in: dir, environment: environment)
    }
}
