import SimRandom
import XCTest

final class DistributionTests: XCTestCase {
    private func sampleMean(_ d: Distribution, n: Int = 200_000, seed: UInt64 = 2024) -> Double {
        let s = RandomStream(name: "dist", seed: seed)
        var sum = 0.0
        for _ in 0..<n { sum += s.draw(d) }
        return sum / Double(n)
    }

    // Distribution.mean matches the closed forms computed by hand.
    func testClosedFormMeans() throws {
        XCTAssertEqual(Distribution.constant(3.5).mean, 3.5)
        XCTAssertEqual(Distribution.exponential(mean: 2).mean, 2)
        XCTAssertEqual(Distribution.lognormal(mu: 0, sigma: 0.5).mean, 1.133148453066826, accuracy: 1e-12)  // e^0.125
        XCTAssertEqual(Distribution.gamma(shape: 2, scale: 3).mean, 6)
        XCTAssertEqual(Distribution.weibull(scale: 2, shape: 1.5).mean, 1.805490585901867, accuracy: 1e-9)  // 2·Γ(5/3)
        XCTAssertEqual(Distribution.uniform(low: 2, high: 5).mean, 3.5)
        let t = try CategoricalTable(values: [1, 2, 10], weights: [1, 1, 2])
        XCTAssertEqual(Distribution.categorical(t).mean, 5.75)
    }

    // Sample means over 200k draws lie within 1.5% of the distribution's mean (≥ 5 standard errors).
    func testSampleMeansMatch() throws {
        let cases: [Distribution] = [
            .exponential(mean: 2), .lognormal(mu: 0, sigma: 0.5), .gamma(shape: 2, scale: 3),
            .weibull(scale: 2, shape: 1.5), .uniform(low: 2, high: 5),
            .categorical(try CategoricalTable(values: [1, 2, 10], weights: [1, 1, 2])),
        ]
        for d in cases {
            let m = sampleMean(d)
            XCTAssertEqual(m, d.mean, accuracy: 0.015 * d.mean, "\(d)")
        }
        XCTAssertEqual(sampleMean(.constant(4), n: 10), 4)
    }

    // Uniform draws stay in [low, high); exponential draws are positive.
    func testSupport() {
        let s = RandomStream(name: "support", seed: 11)
        for _ in 0..<10_000 {
            let u = s.draw(.uniform(low: 2, high: 5))
            XCTAssertTrue(u >= 2 && u < 5)
            XCTAssertGreaterThan(s.draw(.exponential(mean: 1)), 0)
        }
    }

    // Categorical draws hit each value with its normalised weight; zero-weight values never come up.
    func testCategoricalFrequencies() throws {
        let t = try CategoricalTable(values: [10, 20, 30, 40], weights: [1, 0, 3, 4])
        XCTAssertEqual(t.cumulative, [0.125, 0.125, 0.5, 1])
        let s = RandomStream(name: "cat", seed: 5)
        var counts = [0, 0, 0, 0]
        let n = 80_000
        for _ in 0..<n { counts[s.drawIndex(t)] += 1 }
        XCTAssertEqual(counts[1], 0)
        XCTAssertEqual(Double(counts[0]) / Double(n), 0.125, accuracy: 0.006)
        XCTAssertEqual(Double(counts[2]) / Double(n), 0.375, accuracy: 0.006)
        XCTAssertEqual(Double(counts[3]) / Double(n), 0.5, accuracy: 0.006)
    }

    // CategoricalTable rejects empty, mismatched, negative, non-finite and all-zero weights with its message.
    func testCategoricalTableErrors() {
        func message(_ values: [Double], _ weights: [Double]) -> String? {
            do {
                _ = try CategoricalTable(values: values, weights: weights)
                return nil
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(message([], []), "categorical needs at least one value")
        XCTAssertEqual(message([1, 2], [1]), "categorical has 2 values but 1 weights")
        XCTAssertEqual(message([1, 2], [1, -1]), "categorical weights must be finite and >= 0")
        XCTAssertEqual(message([1, 2], [1, .nan]), "categorical weights must be finite and >= 0")
        XCTAssertEqual(message([1, 2], [.infinity, 1]), "categorical weights must be finite and >= 0")
        XCTAssertEqual(message([1, 2], [0, 0]), "categorical weights must not all be 0")
        XCTAssertNil(message([1], [0.5]))
    }

    // parameterProblem names the bad parameter and accepts valid ones.
    func testParameterProblems() throws {
        XCTAssertEqual(Distribution.exponential(mean: 0).parameterProblem, "mean must be a finite number > 0, got 0.0")
        XCTAssertEqual(Distribution.exponential(mean: -1).parameterProblem, "mean must be a finite number > 0, got -1.0")
        XCTAssertEqual(Distribution.lognormal(mu: .nan, sigma: 1).parameterProblem, "mu must be finite")
        XCTAssertEqual(Distribution.lognormal(mu: 0, sigma: 0).parameterProblem, "sigma must be a finite number > 0, got 0.0")
        XCTAssertEqual(Distribution.gamma(shape: 0, scale: 1).parameterProblem, "shape must be a finite number > 0, got 0.0")
        XCTAssertEqual(Distribution.gamma(shape: 1, scale: .infinity).parameterProblem, "scale must be a finite number > 0, got inf")
        XCTAssertEqual(Distribution.weibull(scale: -2, shape: 1).parameterProblem, "scale must be a finite number > 0, got -2.0")
        XCTAssertEqual(Distribution.weibull(scale: 2, shape: 0).parameterProblem, "shape must be a finite number > 0, got 0.0")
        XCTAssertEqual(Distribution.uniform(low: 5, high: 5).parameterProblem, "uniform needs finite low < high, got [5.0, 5.0)")
        XCTAssertEqual(Distribution.constant(.infinity).parameterProblem, "value must be finite")
        for ok: Distribution in [
            .constant(0), .exponential(mean: 1), .lognormal(mu: -3, sigma: 1), .gamma(shape: 0.5, scale: 2),
            .weibull(scale: 1, shape: 2), .uniform(low: -1, high: 1),
            .categorical(try CategoricalTable(values: [1], weights: [1])),
        ] {
            XCTAssertNil(ok.parameterProblem, "\(ok)")
        }
    }
}
