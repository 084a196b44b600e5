import ClusterModel
import XCTest

final class CatalogMatchTests: XCTestCase {
    func match(_ name: String, gb: Double = 80) -> String? {
        CatalogMatch.gpuType(deviceName: name, memoryBytes: Int(gb * 1e9))?.name
    }

    func testDriverNamesMatchCatalogEntries() {
        XCTAssertEqual(match("NVIDIA H100 80GB HBM3"), "h100")
        XCTAssertEqual(match("NVIDIA H100 PCIe"), "h100")
        XCTAssertEqual(match("NVIDIA H200", gb: 141), "h200")
        XCTAssertEqual(match("NVIDIA A100-SXM4-80GB", gb: 85), "a100-80")
        XCTAssertEqual(match("NVIDIA A100-SXM4-40GB", gb: 42.5), "a100-40")
        XCTAssertEqual(match("Tesla V100-SXM2-16GB", gb: 17), "v100-16")
        XCTAssertEqual(match("Tesla V100-SXM2-32GB", gb: 34), "v100-32")
        XCTAssertEqual(match("NVIDIA L4", gb: 24), "l4")
        XCTAssertEqual(match("Tesla T4", gb: 16), "t4")
        XCTAssertEqual(match("NVIDIA A10", gb: 24), "a10")
        XCTAssertEqual(match("Tesla P100-PCIE-16GB", gb: 16), "p100")
    }

    func testLookAlikesAndUnknownsDoNotMatch() {
        XCTAssertNil(match("NVIDIA L40S", gb: 48), "L40S is not an L4")
        XCTAssertNil(match("NVIDIA A10G", gb: 24), "A10G is not the catalog A10")
        XCTAssertNil(match("NVIDIA GeForce RTX 4090", gb: 24))
        XCTAssertNil(match("NVIDIA GH200 480GB", gb: 96))
        XCTAssertNil(match(""))
    }
}
