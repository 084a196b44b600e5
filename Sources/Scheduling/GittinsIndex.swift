/// The Gittins index of a job's attained service over an empirical service distribution, with a fixed service
/// quantum Δ: the priority inside a queue of Tiresias' Discretized 2D-Gittins scheduler (Gu et al., "Tiresias: A GPU
/// Cluster Manager for Distributed Deep Learning", NSDI 2019, "2D-Gittins index"; the authors' simulator,
/// github.com/SymbioticLab/Tiresias `simulator/run_sim.py`, `cal_r_gittins_index`, with a static Δ).
///
/// For a job that has attained service a, with S the service of a job drawn from the distribution,
///
///     G(a) = P(S − a ≤ Δ | S > a) / E[min(S − a, Δ) | S > a],
///
/// the chance that the job finishes within its next quantum per unit of service that quantum is expected to cost.
/// Higher is served first. Over samples s₁ ≤ … ≤ sₙ, with the m samples above a, of which k lie in (a, a + Δ] and sum to
/// σ, both conditionals share the denominator m, so G(a) = k / (σ − k·a + (m − k)·Δ). When no sample exceeds a (the
/// job has outlived every sample) or none lies within its next quantum, G(a) = 0: it comes last, as in the authors'
/// simulator. Δ is fixed (the paper's index takes the supremum over Δ; the simulator and this type use one quantum).
///
/// Units are the caller's (GPU-seconds for 2D service, seconds for plain time); samples and Δ must share them.
/// - Complexity: O(n log n) to build, O(log n) per index.
public struct GittinsIndex: Sendable, Equatable {
    /// The samples, ascending.
    public let samples: [Double]
    /// The service quantum Δ.
    public let quantum: Double
    /// prefix[i] = s₀ + … + s_{i−1} (so prefix[n] is the total).
    private let prefix: [Double]

    /// An index over `samples` (finite and ≥ 0; at least one) with quantum `quantum` (finite and > 0).
    public init(samples: [Double], quantum: Double) {
        precondition(!samples.isEmpty, "a Gittins index needs at least one sample")
        precondition(quantum.isFinite && quantum > 0, "the Gittins quantum must be finite and > 0, got \(quantum)")
        precondition(samples.allSatisfy { $0.isFinite && $0 >= 0 }, "Gittins samples must be finite and >= 0")
        precondition(samples.count < Int(Int32.max), "too many Gittins samples: \(samples.count)")
        let sorted = samples.sorted()
        self.samples = sorted
        self.quantum = quantum
        var sums = [0.0]
        sums.reserveCapacity(sorted.count + 1)
        for s in sorted { sums.append(sums[sums.count - 1] + s) }
        self.prefix = sums
    }

    /// Where a job's service last stood among the samples: the first sample above it and the first above it plus Δ,
    /// with the samples on either side of each and the sum between them. A job's service only grows while it runs, and
    /// mostly by less than the gap to the next sample: then `index(atService:cursor:)` reads nothing but the cursor;
    /// otherwise it searches from here outward instead of over all samples. The same answer as `index(atService:)`
    /// either way.
    public struct Cursor: Sendable, Equatable {
        var above: Int32 = 0
        var end: Int32 = 0
        /// The samples just below and at `above` (−∞ and +∞ past the ends), and the same around `end`: the cursor
        /// holds for a service a with lowAbove ≤ a < highAbove and lowEnd ≤ a + Δ < highEnd.
        var lowAbove = Double.infinity
        var highAbove = -Double.infinity
        var lowEnd = Double.infinity
        var highEnd = -Double.infinity
        /// The samples from `above` to `end` summed (prefix[end] − prefix[above]).
        var sigma = 0.0
        /// A cursor that holds for no service yet.
        public init() {}
    }

    /// G(a) for attained service `a` (see the type's notes); 0 when no sample exceeds `a` or none lies within the
    /// next quantum.
    public func index(atService a: Double) -> Double {
        var cursor = Cursor()
        return index(atService: a, cursor: &cursor)
    }

    /// G(a), starting from `cursor` (and moving it to `a`): equal to `index(atService:)`, bit for bit.
    /// - Complexity: O(1) while `a` stays between the same samples; O(log d) for a move of d samples.
    public func index(atService a: Double, cursor c: inout Cursor) -> Double {
        let b = a + quantum
        if !(a >= c.lowAbove && a < c.highAbove && b >= c.lowEnd && b < c.highEnd) {
            let n = samples.count
            let above = Self.seek(above: a, in: samples, from: Int(c.above))
            let end = Self.seek(above: b, in: samples, from: Int(c.end))
            c.above = Int32(above)
            c.end = Int32(end)
            c.lowAbove = above > 0 ? samples[above - 1] : -.infinity
            c.highAbove = above < n ? samples[above] : .infinity
            c.lowEnd = end > 0 ? samples[end - 1] : -.infinity
            c.highEnd = end < n ? samples[end] : .infinity
            c.sigma = prefix[end] - prefix[above]
        }
        let m = samples.count - Int(c.above)
        guard m > 0 else { return 0 }
        let k = Int(c.end - c.above)
        guard k > 0 else { return 0 }
        // Every sample in (a, a + Δ] exceeds a, so σ − k·a > 0 exactly; rounding can cancel it only when those samples
        // lie within an ulp of a, i.e. the job finishes at once: first place.
        let expected = (c.sigma - Double(k) * a) + Double(m - k) * quantum
        return expected > 0 ? Double(k) / expected : .infinity
    }

    /// The first position whose sample is greater than `x` (`samples.count` when none is), found by galloping from
    /// `start` (a position within `0...samples.count`) toward it.
    private static func seek(above x: Double, in samples: [Double], from start: Int) -> Int {
        let n = samples.count
        let start = min(start, n)
        var lo: Int, hi: Int  // the answer lies in lo...hi
        if start > 0 && samples[start - 1] > x {
            // Backward: samples[start − 1] > x, so the answer is at most start − 1.
            hi = start - 1
            var step = 1
            lo = max(0, hi - step)
            while lo > 0 && samples[lo - 1] > x {
                hi = lo - 1
                step *= 2
                lo = max(0, hi - step)
            }
        } else {
            // Forward: every sample before start is ≤ x.
            lo = start
            var step = 1
            hi = min(n, lo + step)
            while hi < n && samples[hi - 1] <= x {
                lo = hi
                step *= 2
                hi = min(n, lo + step)
            }
        }
        return firstIndex(above: x, in: samples, lo, hi)
    }

    /// The first position in `lo...hi` whose sample is greater than `x` (`hi` when none before it is).
    private static func firstIndex(above x: Double, in samples: [Double], _ lo: Int, _ hi: Int) -> Int {
        var lo = lo, hi = hi
        while lo < hi {
            let mid = (lo + hi) / 2
            if samples[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
