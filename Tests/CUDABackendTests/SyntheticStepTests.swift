import CUDABackend
import Models
import Workload
import XCTest

final class SyntheticStepTests: XCTestCase {
    func testGEMMSizeChoiceForAFLOPsTarget() {
        let sizes = [1024, 2048, 4096, 8192]
        // resnet50: 3.1488e12 FLOPs. n = 8192 gives 2.9 GEMMs (< 4), so n = 4096: 3.1488e12 / 1.374e11 = 22.9 → 23.
        let r = GEMMSizing.choose(flops: 3 * 4.1e9 * 256, sizes: sizes)
        XCTAssertEqual(r.size, 4096)
        XCTAssertEqual(r.count, 23)
        // 10 GEMMs of 2048 exactly: 4096 would give 1.25 (< 4), so 2048 with 10.
        XCTAssertTrue(GEMMSizing.choose(flops: 10 * 2 * pow(2048.0, 3), sizes: sizes) == (2048, 10))
        let exact = GEMMSizing.choose(flops: 40 * 2 * pow(2048.0, 3), sizes: [2048])
        XCTAssertEqual(exact.size, 2048)
        XCTAssertEqual(exact.count, 40)
        // Too small for minCount anywhere: the smallest size, at least one GEMM.
        let tiny = GEMMSizing.choose(flops: 1e6, sizes: sizes)
        XCTAssertEqual(tiny.size, 1024)
        XCTAssertEqual(tiny.count, 1)
        // Order of sizes does not matter.
        XCTAssertTrue(GEMMSizing.choose(flops: 3.1488e12, sizes: sizes.reversed()) == (4096, 23))
    }

    func testChosenStepIsWithinHalfAGEMMOfTheTarget() {
        for e in SyntheticStep.flopsTable {
            let (n, count) = GEMMSizing.choose(flops: e.flops, sizes: [1024, 2048, 4096, 8192])
            let one = GEMMSizing.flops(m: n, n: n, k: n)
            XCTAssertLessThanOrEqual(abs(Double(count) * one - e.flops), one / 2 + 1, e.model)
        }
    }

    func testFLOPsTableCoversTheZooWithTheDocumentedDerivations() {
        XCTAssertEqual(Set(SyntheticStep.flopsTable.map(\.model)), Set(ModelZoo.names), "every zoo model has an estimate")
        XCTAssertEqual(SyntheticStep.flopsPerIteration(model: "resnet50")!, 3.1488e12, accuracy: 1e3)
        XCTAssertEqual(SyntheticStep.flopsPerIteration(model: "bert-base")!, 6 * 110e6 * 8 * 384)
        XCTAssertEqual(SyntheticStep.flopsPerIteration(model: "transformer")!, 6 * 65e6 * 128 * 64)
        XCTAssertEqual(SyntheticStep.flopsPerIteration(model: "lm")!, 6 * 28e6 * 20 * 35)
        XCTAssertEqual(SyntheticStep.flopsPerIteration(model: "resnet18")!, 3 * 0.56e9 * 128)
        XCTAssertEqual(SyntheticStep.flopsPerIteration(model: "gpt-1.3b")!, 6 * 1.3e9 * 8 * 2048)
        XCTAssertNil(SyntheticStep.flopsPerIteration(model: "nope"))
        for e in SyntheticStep.flopsTable { XCTAssertTrue(e.derivation.hasPrefix("[derived]"), e.model) }
    }

    func testMakeUsesZooGradientBytesOnlyWithSeveralGPUs() throws {
        let bert = try XCTUnwrap(ModelZoo.named("bert-base"))
        let one = try XCTUnwrap(SyntheticStep.make(model: bert, precision: .fp16, sizes: [1024, 2048], gpus: 1))
        XCTAssertEqual(one.allReduceBytes, 0)
        let two = try XCTUnwrap(SyntheticStep.make(model: bert, precision: .fp16, sizes: [1024, 2048], gpus: 2))
        XCTAssertEqual(two.allReduceBytes, 440_000_000)
        XCTAssertEqual(two.singleGPU, one)
        XCTAssertEqual(two.executedFLOPs, Double(two.gemmCount) * 2 * pow(Double(two.gemmSize), 3))
    }
}
