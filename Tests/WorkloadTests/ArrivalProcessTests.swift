import Foundation
import SimRandom
import Workload
import XCTest

/// Each arrival process against its analytic mean and variance of the count N(T) of arrivals in [0, T), over
/// 400 seeds. Tolerances: the sample mean within 4 standard errors (√(Var/400)); the sample variance within 4 of
/// its standard errors (≈ Var·√(2/399), about 28%), which still fails for a process whose variance is off by the
/// factors the processes differ by (an MMPP's is 25× a Poisson process's).
final class ArrivalProcessTests: XCTestCase {
    private let seeds: ClosedRange<UInt64> = 1...400

    /// N(T) for each seed.
    private func counts(_ spec: ArrivalSpec, ratePerHour: Double, hours: Double) -> [Double] {
        seeds.map { seed in
            var g = spec.generator(ratePerSecond: ratePerHour / 3600, streams: RandomStreams(master: seed))
            var n = 0
            while let a = g.next(), a.time < hours * 3600 { n += 1 }
            return Double(n)
        }
    }

    private func assertMoments(
        _ xs: [Double], mean: Double, variance: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let n = Double(xs.count)
        let m = xs.reduce(0, +) / n
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
        XCTAssertEqual(m, mean, accuracy: 4 * (variance / n).squareRoot(), "\(what): mean", file: file, line: line)
        XCTAssertEqual(v, variance, accuracy: 4 * variance * (2 / (n - 1)).squareRoot(), "\(what): variance", file: file, line: line)
    }

    func testPoissonCountsArePoisson() {
        let xs = counts(.poisson(ratePerHour: 10), ratePerHour: 10, hours: 100)
        assertMoments(xs, mean: 1000, variance: 1000, "poisson")
    }

    // A non-homogeneous Poisson process: N(T) is Poisson with mean ∫₀ᵀ λ(t) dt, over a span that ends mid-period.
    func testDiurnalHourlyProfileCounts() throws {
        let weights = (0..<24).map { h in h >= 9 && h < 18 ? 3.0 : h < 6 ? 0.0 : 1.0 }
        let profile = try XCTUnwrap(RateProfile.hourly(weights: weights))
        let spec = ArrivalSpec(process: .diurnal(profile), rate: .perHour(20))
        let hours = 61.5
        let mean = 20 / 3600 * profile.integratedRelativeRate(to: hours * 3600)
        // Weights average 1.5, so relative rates are 0, 2/3 and 2: two whole days give 48 relative hours, then hours
        // 0-13.5 of the third day give 3·(2/3) (hours 6-8) + 4.5·2 (hours 9-13.5) = 11: 59 in all.
        XCTAssertEqual(mean, 20 * 59, accuracy: 1e-9)
        assertMoments(counts(spec, ratePerHour: 20, hours: hours), mean: mean, variance: mean, "diurnal hourly")
    }

    // Arrivals fall in each hour of the day in proportion to its weight, and never in a zero-weight hour.
    func testDiurnalHourlyProfileShape() throws {
        let weights = (0..<24).map { Double(($0 * 7) % 5) }
        let profile = try XCTUnwrap(RateProfile.hourly(weights: weights))
        var perHour = [Double](repeating: 0, count: 24)
        for seed: UInt64 in 1...20 {
            var g = ArrivalSpec(process: .diurnal(profile), rate: .perHour(50))
                .generator(ratePerSecond: 50.0 / 3600, streams: RandomStreams(master: seed))
            while let a = g.next(), a.time < 240 * 3600 { perHour[Int(a.time / 3600) % 24] += 1 }
        }
        let total = perHour.reduce(0, +)
        let weightSum = weights.reduce(0, +)
        for h in 0..<24 {
            let expected = total * weights[h] / weightSum
            if weights[h] == 0 { XCTAssertEqual(perHour[h], 0, "hour \(h)") } else {
                XCTAssertEqual(perHour[h], expected, accuracy: 4 * expected.squareRoot(), "hour \(h)")
            }
        }
    }

    func testDiurnalSinusoidCounts() {
        let profile = RateProfile.sinusoid(amplitude: 0.8, peakHour: 14, periodHours: 24)
        let spec = ArrivalSpec(process: .diurnal(profile), rate: .perHour(30))
        let hours = 30.0
        let mean = 30 / 3600 * profile.integratedRelativeRate(to: hours * 3600)
        // Hours 0-30 hold the whole first day (mean 1) plus 6 hours around the daily trough, far below the mean.
        XCTAssertLessThan(mean, 30 * 27)
        assertMoments(counts(spec, ratePerHour: 30, hours: hours), mean: mean, variance: mean, "diurnal sinusoid")
    }

    // The two-state MMPP's count has mean λ̄T and variance λ̄T + 2(λ₁−λ₂)²π₁π₂[T/s − (1−e^{−sT})/s²] with s the sum
    // of the switching rates (the integral of the rate process's autocovariance (λ₁−λ₂)²π₁π₂e^{−sτ}).
    func testTwoStateMMPPCounts() {
        let states = [MMPPState(relativeRate: 1, meanSojournSeconds: 2 * 3600), MMPPState(relativeRate: 9, meanSojournSeconds: 0.5 * 3600)]
        let spec = ArrivalSpec(process: .mmpp(states), rate: .perHour(20))
        let hours = 50.0
        let pi1 = 0.8, pi2 = 0.2
        let c = 20 / (pi1 * 1 + pi2 * 9)
        let l1 = c, l2 = 9 * c
        let s = 1 / 2.0 + 1 / 0.5
        let variance = 20 * hours + 2 * (l1 - l2) * (l1 - l2) * pi1 * pi2 * (hours / s - (1 - exp(-s * hours)) / (s * s))
        XCTAssertGreaterThan(variance, 20 * 20 * hours, "burstier than Poisson by a wide margin")
        assertMoments(counts(spec, ratePerHour: 20, hours: hours), mean: 20 * hours, variance: variance, "mmpp")
    }

    // With more states and an off state, the long-run rate is still the target (stationary start).
    func testThreeStateMMPPMean() {
        let states = [
            MMPPState(relativeRate: 0, meanSojournSeconds: 3600), MMPPState(relativeRate: 2, meanSojournSeconds: 1800),
            MMPPState(relativeRate: 10, meanSojournSeconds: 600),
        ]
        let xs = counts(ArrivalSpec(process: .mmpp(states), rate: .perHour(12)), ratePerHour: 12, hours: 40)
        let m = xs.reduce(0, +) / Double(xs.count)
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
        XCTAssertEqual(m, 480, accuracy: 4 * (v / Double(xs.count)).squareRoot())
        // π ∝ sojourns = (0.6, 0.3, 0.1), so the mean relative rate is 0.6·0 + 0.3·2 + 0.1·10 = 1.6 and the peak 10/1.6.
        XCTAssertEqual(MMPPArrivalsPeak.of(states), 6.25, accuracy: 1e-12)
    }

    // Compound Poisson: mean λT and variance (λ/E[S])·T·E[S²].
    func testBatchCounts() throws {
        let size = Distribution.categorical(try CategoricalTable(values: [1, 4, 16], weights: [5, 3, 2]))
        let spec = ArrivalSpec(process: .batch(BatchArrivalSpec(size: size)), rate: .perHour(49))
        let hours = 100.0
        let batchRate = 49 / 4.9
        assertMoments(counts(spec, ratePerHour: 49, hours: hours), mean: 49 * hours, variance: batchRate * hours * 56.5, "batch categorical")
        // Geometric sizes with mean 3: E[S²] = (2 − p)/p² = 15.
        let geometric = ArrivalSpec(process: .batch(BatchArrivalSpec(size: .geometric(mean: 3))), rate: .perHour(30))
        assertMoments(counts(geometric, ratePerHour: 30, hours: hours), mean: 3000, variance: 10 * hours * 15, "batch geometric")
    }

    // Jobs of one batch share its instant and batch number; batch numbers increase by one.
    func testBatchArrivalsShareTheirInstant() {
        var g = ArrivalSpec(process: .batch(BatchArrivalSpec(size: .constant(3))), rate: .perHour(60))
            .generator(ratePerSecond: 60.0 / 3600, streams: RandomStreams(master: 9))
        var arrivals: [Arrival] = []
        for _ in 0..<30 { arrivals.append(g.next()!) }
        for (i, a) in arrivals.enumerated() {
            XCTAssertEqual(a.batch, i / 3)
            XCTAssertEqual(a.time, arrivals[i / 3 * 3].time)
        }
        XCTAssertEqual(Set(arrivals.map(\.time)).count, 10)
    }

    /// 1,000 source arrivals over 10 days.
    private var source: ArrivalReplaySource {
        let s = RandomStream(name: "source", seed: 4)
        return ArrivalReplaySource(times: (0..<1000).map { _ in s.uniform01() * 864_000 }.sorted(), spanSeconds: 864_000)
    }

    // Thinning (f < 1): binomial(n, f); superposition (f = 2.5): 3 copies each thinned to 5/6, mean f·n, variance
    // 3·n·(5/6)(1/6).
    func testReplayThinningAndSuperposition() {
        let src = source
        func replayCounts(factor: Double) -> [Double] {
            counts(ArrivalSpec(process: .replay(src), rate: .source, scale: factor), ratePerHour: src.ratePerSecond * 3600 * factor, hours: 1e6)
        }
        assertMoments(replayCounts(factor: 0.4), mean: 400, variance: 1000 * 0.4 * 0.6, "replay thinned")
        assertMoments(replayCounts(factor: 2.5), mean: 2500, variance: 3 * 1000 * (5.0 / 6) * (1.0 / 6), "replay superposed")
        XCTAssertEqual(replayCounts(factor: 1), Array(repeating: 1000, count: seeds.count), "factor 1 replays every arrival")
    }

    // Superposed copies are shifted by whole days (a 10-day source), so every replayed arrival keeps the time of day
    // of a source arrival, inside the source's span rounded up to whole days, in order.
    func testReplayKeepsTimeOfDay() {
        let src = source
        let timesOfDay = Set(src.times.map { $0.truncatingRemainder(dividingBy: 86_400) })
        var g = ArrivalSpec(process: .replay(src), rate: .source, scale: 3.7).generator(ratePerSecond: src.ratePerSecond * 3.7, streams: RandomStreams(master: 2))
        var previous = -1.0
        var n = 0
        while let a = g.next() {
            XCTAssertTrue(timesOfDay.contains(a.time.truncatingRemainder(dividingBy: 86_400)), "\(a.time)")
            XCTAssertGreaterThanOrEqual(a.time, previous)
            XCTAssertLessThan(a.time, 864_000)
            previous = a.time
            n += 1
        }
        XCTAssertGreaterThan(n, 3000)
    }
}

/// The peak-to-mean ratio of an MMPP, through the public spec.
private enum MMPPArrivalsPeak {
    static func of(_ states: [MMPPState]) -> Double { ArrivalSpec(process: .mmpp(states), rate: .perHour(1)).peakToMean }
}
