import Foundation
import SimRandom
import XCTest

/// The new families (Pareto, geometric, mixtures), their GSL CDFs, the Kolmogorov–Smirnov statistics and the
/// maximum-likelihood fits.
final class FitAndKSTests: XCTestCase {
    private func sample(_ d: Distribution, n: Int, seed: UInt64 = 7) -> [Double] {
        let s = RandomStream(name: "fit", seed: seed)
        return (0..<n).map { _ in s.draw(d) }
    }

    func testNewFamiliesMeansAndSampleMeans() throws {
        XCTAssertEqual(Distribution.pareto(scale: 2, shape: 3).mean, 3)  // αx_m/(α−1)
        XCTAssertEqual(Distribution.pareto(scale: 2, shape: 1).mean, .infinity)
        XCTAssertEqual(Distribution.geometric(mean: 4).mean, 4)
        let mix = Distribution.mixture(try MixtureTable(components: [.constant(10), .exponential(mean: 2)], weights: [1, 3]))
        XCTAssertEqual(mix.mean, 0.25 * 10 + 0.75 * 2)
        for d in [Distribution.pareto(scale: 2, shape: 3.5), .geometric(mean: 4), mix] {
            let xs = sample(d, n: 200_000)
            XCTAssertEqual(xs.reduce(0, +) / Double(xs.count), d.mean, accuracy: 0.015 * d.mean, "\(d)")
        }
        // Geometric draws are whole numbers >= 1; Pareto draws are at least the scale.
        XCTAssertTrue(sample(.geometric(mean: 2.5), n: 1000).allSatisfy { $0 >= 1 && $0 == $0.rounded() })
        XCTAssertTrue(sample(.pareto(scale: 5, shape: 1.2), n: 1000).allSatisfy { $0 >= 5 })
    }

    func testParameterProblems() throws {
        XCTAssertNotNil(Distribution.pareto(scale: 0, shape: 1).parameterProblem)
        XCTAssertNotNil(Distribution.pareto(scale: 1, shape: .nan).parameterProblem)
        XCTAssertNotNil(Distribution.geometric(mean: 0.5).parameterProblem)
        XCTAssertNotNil(Distribution.categorical(try CategoricalTable(values: [1, .infinity], weights: [1, 1])).parameterProblem)
        let bad = Distribution.mixture(try MixtureTable(components: [.constant(1), .lognormal(mu: 0, sigma: -1)], weights: [1, 1]))
        XCTAssertEqual(bad.parameterProblem, "component 1: sigma must be a finite number > 0, got -1.0")
        XCTAssertThrowsError(try MixtureTable(components: [], weights: []))
        XCTAssertThrowsError(try MixtureTable(components: [.constant(1)], weights: [1, 2]))
    }

    // CDFs at points computed by hand from the closed forms.
    func testCDFs() throws {
        XCTAssertEqual(Distribution.exponential(mean: 2).cdf(2), 1 - exp(-1), accuracy: 1e-12)
        XCTAssertEqual(Distribution.lognormal(mu: 1, sigma: 2).cdf(exp(1)), 0.5, accuracy: 1e-12)
        XCTAssertEqual(Distribution.weibull(scale: 3, shape: 2).cdf(3), 1 - exp(-1), accuracy: 1e-12)
        XCTAssertEqual(Distribution.gamma(shape: 1, scale: 5).cdf(5), 1 - exp(-1), accuracy: 1e-12)
        XCTAssertEqual(Distribution.pareto(scale: 2, shape: 3).cdf(4), 1 - 0.125, accuracy: 1e-12)
        XCTAssertEqual(Distribution.pareto(scale: 2, shape: 3).cdf(1), 0)
        XCTAssertEqual(Distribution.geometric(mean: 2).cdf(3), 0.875, accuracy: 1e-12)
        XCTAssertEqual(Distribution.geometric(mean: 2).cdf(2.9), 0.75, accuracy: 1e-12)
        XCTAssertEqual(Distribution.uniform(low: 0, high: 4).cdf(1), 0.25, accuracy: 1e-12)
        let cat = Distribution.categorical(try CategoricalTable(values: [1, 2, 8], weights: [1, 1, 2]))
        XCTAssertEqual(cat.cdf(1.5), 0.25)
        XCTAssertEqual(cat.cdf(8), 1)
        let mix = Distribution.mixture(try MixtureTable(components: [.constant(1), .exponential(mean: 1)], weights: [1, 1]))
        XCTAssertEqual(mix.cdf(1), 0.5 + 0.5 * (1 - exp(-1)), accuracy: 1e-12)
    }

    // Two-sample KS by hand: {1,2,3} vs {2,4}: the empirical CDFs differ most just after 1 (1/3 vs 0) and after 3
    // (1 vs 1/2): D = 1/2. Ties step both CDFs at once.
    func testTwoSampleKS() {
        XCTAssertEqual(KolmogorovSmirnov.twoSample([3, 1, 2], [4, 2]), 0.5, accuracy: 1e-15)
        XCTAssertEqual(KolmogorovSmirnov.twoSample([1, 1, 2, 2], [1, 2]), 0, accuracy: 1e-15)
        XCTAssertEqual(KolmogorovSmirnov.twoSample([1, 2], [3, 4]), 1)
        XCTAssertEqual(KolmogorovSmirnov.twoSample([], [1]), 0)
        // Two large samples of one distribution: D is of order √(2/n) (1.36√(2/n) is its 95% quantile).
        let a = sample(.lognormal(mu: 0, sigma: 1), n: 20_000, seed: 1)
        let b = sample(.lognormal(mu: 0, sigma: 1), n: 20_000, seed: 2)
        XCTAssertLessThan(KolmogorovSmirnov.twoSample(a, b), 1.36 * (2.0 / 20_000).squareRoot())
        let c = sample(.lognormal(mu: 0.1, sigma: 1), n: 20_000, seed: 3)
        XCTAssertGreaterThan(KolmogorovSmirnov.twoSample(a, c), 0.03)
    }

    // One-sample KS: {0.5} against U(0,1) is 1/2; discrete data against their own categorical CDF is 0.
    func testOneSampleKS() throws {
        XCTAssertEqual(KolmogorovSmirnov.oneSample(sorted: [0.5], cdf: Distribution.uniform(low: 0, high: 1).cdf), 0.5, accuracy: 1e-12)
        XCTAssertEqual(KolmogorovSmirnov.oneSample(sorted: [0.25, 0.75], cdf: Distribution.uniform(low: 0, high: 1).cdf), 0.25, accuracy: 1e-12)
        let gpus: [Double] = [1, 1, 1, 2, 4, 4, 8, 8]
        let table = Distribution.categorical(try CategoricalTable(values: [1, 2, 4, 8], weights: [3, 1, 2, 2]))
        XCTAssertEqual(KolmogorovSmirnov.oneSample(sorted: gpus, cdf: table.cdf), 0, accuracy: 1e-15)
    }

    // Each MLE recovers the parameters of a large sample of its own family, and ranks its family first.
    func testFitsRecoverTheirFamily() throws {
        let n = 20_000
        func close(_ a: Double, _ b: Double, _ what: String) { XCTAssertEqual(a, b, accuracy: 0.03 * abs(b), what) }
        guard case .lognormal(let mu, let sigma) = DistributionFit.lognormal(sample(.lognormal(mu: 8, sigma: 1.3), n: n)) else { return XCTFail() }
        close(mu, 8, "lognormal mu"); close(sigma, 1.3, "lognormal sigma")
        guard case .gamma(let k, let theta) = DistributionFit.gamma(sample(.gamma(shape: 0.6, scale: 5000), n: n)) else { return XCTFail() }
        close(k, 0.6, "gamma shape"); close(theta, 5000, "gamma scale")
        guard case .weibull(let lambda, let shape) = DistributionFit.weibull(sample(.weibull(scale: 12000, shape: 0.7), n: n)) else { return XCTFail() }
        close(lambda, 12000, "weibull scale"); close(shape, 0.7, "weibull shape")
        guard case .pareto(let xm, let alpha) = DistributionFit.pareto(sample(.pareto(scale: 600, shape: 1.4), n: n)) else { return XCTFail() }
        close(xm, 600, "pareto scale"); close(alpha, 1.4, "pareto shape")
        for (family, d) in [("lognormal", Distribution.lognormal(mu: 8, sigma: 1.3)), ("weibull", .weibull(scale: 12000, shape: 0.7)),
                            ("pareto", .pareto(scale: 600, shape: 1.4))] {
            let best = try XCTUnwrap(DistributionFit.candidates(sample(d, n: n), mixtureComponents: []).first)
            XCTAssertEqual(best.family, family)
            XCTAssertLessThan(best.ks, 0.015, family)
        }
    }

    // EM separates two well-apart lognormal components, and the mixture beats every single family.
    func testLognormalMixtureFit() throws {
        let truth = Distribution.mixture(try MixtureTable(
            components: [.lognormal(mu: 6, sigma: 0.5), .lognormal(mu: 10, sigma: 0.8)], weights: [0.7, 0.3]))
        let xs = sample(truth, n: 20_000)
        guard case .mixture(let m) = DistributionFit.lognormalMixture(xs, components: 2) else { return XCTFail("not a mixture") }
        let comps = zip(m.components, m.weights.weights).compactMap { c, w -> (Double, Double, Double)? in
            if case .lognormal(let mu, let sigma) = c { return (w, mu, sigma) }
            return nil
        }.sorted { $0.1 < $1.1 }
        XCTAssertEqual(comps.count, 2)
        XCTAssertEqual(comps[0].0, 0.7, accuracy: 0.02)
        XCTAssertEqual(comps[0].1, 6, accuracy: 0.03)
        XCTAssertEqual(comps[1].1, 10, accuracy: 0.05)
        XCTAssertEqual(comps[1].2, 0.8, accuracy: 0.04)
        let ranked = DistributionFit.candidates(xs, mixtureComponents: [2])
        XCTAssertEqual(ranked.first?.family, "mixture")
        XCTAssertLessThan(ranked.first!.ks, 0.01)
        // Degenerate input gives no candidates rather than nonsense.
        XCTAssertTrue(DistributionFit.candidates([5, 5, 5]).isEmpty)
        XCTAssertTrue(DistributionFit.candidates([1]).isEmpty)
    }
}
