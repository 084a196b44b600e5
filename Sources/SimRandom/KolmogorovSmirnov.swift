/// Kolmogorov–Smirnov statistics: the largest vertical distance between two cumulative distribution functions.
///
/// GSL has the CDFs (`Distribution.cdf`) but no KS statistic, so it is computed here directly (Massey, "The
/// Kolmogorov-Smirnov test for goodness of fit", JASA 46(253), 1951). Both versions handle tied values exactly:
/// the empirical CDF jumps once per distinct value, so discrete data (GPU counts) are compared correctly.
public enum KolmogorovSmirnov {
    /// sup over x of |F_a(x) − F_b(x)| for the empirical CDFs of two samples; 0 when either is empty.
    public static func twoSample(_ a: [Double], _ b: [Double]) -> Double {
        twoSampleSorted(a.sorted(), b.sorted())
    }

    /// `twoSample` for samples already in ascending order.
    public static func twoSampleSorted(_ a: [Double], _ b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let na = Double(a.count), nb = Double(b.count)
        var i = 0, j = 0
        var d = 0.0
        while i < a.count && j < b.count {
            // Step past every copy of the next distinct value in both samples, then compare.
            let x = min(a[i], b[j])
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
            d = max(d, abs(Double(i) / na - Double(j) / nb))
        }
        return d
    }

    /// sup over x of |F_n(x) − F(x)| for ascending `sorted` and a CDF that is continuous or steps only at the
    /// sample's values (the empirical CDF is compared just before and at each distinct value).
    public static func oneSample(sorted: [Double], cdf: (Double) -> Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let n = Double(sorted.count)
        var i = 0
        var d = 0.0
        while i < sorted.count {
            let x = sorted[i]
            let below = Double(i) / n
            while i < sorted.count && sorted[i] == x { i += 1 }
            let f = cdf(x)
            d = max(d, abs(Double(i) / n - f), abs(below - cdfBelow(x, cdf)))
        }
        return d
    }

    /// F(x−): the CDF just below x, which differs from F(x) only for distributions with an atom at x.
    private static func cdfBelow(_ x: Double, _ cdf: (Double) -> Double) -> Double {
        cdf(x.nextDown)
    }
}
