import ClusterModel
import XCTest

final class CatalogTests: XCTestCase {
    // The GPU catalog has exactly the GPU names the project lists, in listing order, and lookups work.
    func testGPUCatalogNames() {
        let expected = ["v100-16", "v100-32", "a100-40", "a100-80", "h100", "h200", "l4", "t4", "a10", "p100", "g2", "g3"]
        XCTAssertEqual(GPUCatalog.names, expected)
        for name in expected { XCTAssertEqual(GPUCatalog.named(name)?.name, name) }
        XCTAssertNil(GPUCatalog.named("a100"))
        XCTAssertEqual(GPUCatalog.named("a100-80")?.memoryGB, 80)
        XCTAssertEqual(GPUCatalog.named("h100")?.fp16TFLOPS, 989.4)
        XCTAssertEqual(GPUCatalog.named("t4")?.hostLinkGBps, 12)
    }

    // Every GPU has positive numbers and a source.
    func testGPUCatalogSanity() {
        for g in GPUCatalog.all {
            XCTAssertGreaterThan(g.fp16TFLOPS, 0, g.name)
            XCTAssertGreaterThan(g.memoryGB, 0, g.name)
            XCTAssertGreaterThan(g.memoryBandwidthGBps, 0, g.name)
            XCTAssertGreaterThan(g.hostLinkGBps, 0, g.name)
            XCTAssertFalse(g.source.isEmpty, g.name)
        }
    }

    // The node templates the docs name exist with their GPU counts, GPU types and NIC figures.
    func testNodeTemplateCatalog() {
        XCTAssertEqual(NodeTemplateCatalog.names, ["dgx-a100", "dgx-h100", "pcie-4gpu", "pcie-8gpu", "pollux-g4dn"])
        let dgx = NodeTemplateCatalog.named("dgx-a100")!
        XCTAssertEqual(dgx.gpuCount, 8)
        XCTAssertEqual(dgx.gpuType.name, "a100-80")
        XCTAssertEqual(dgx.intraNodeClass, .nvswitch)
        XCTAssertEqual(dgx.nicCount, 8)
        XCTAssertEqual(dgx.nic.bandwidthBytesPerSecond, 24e9)
        XCTAssertEqual(NodeTemplateCatalog.named("pcie-4gpu")?.gpuType.name, "t4")
        XCTAssertEqual(NodeTemplateCatalog.named("pcie-8gpu")?.gpuType.name, "l4")
        XCTAssertNil(NodeTemplateCatalog.named("dgx-b200"))
    }
}
