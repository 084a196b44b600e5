/// Choosing square GEMMs that add up to a FLOPs target.
public enum GEMMSizing {
    /// FLOPs of one m×n×k GEMM: 2·m·n·k (one multiply and one add per term).
    public static func flops(m: Int, n: Int, k: Int) -> Double { 2 * Double(m) * Double(n) * Double(k) }

    /// A square size n from `sizes` and a count c with c·2n³ ≈ `flops`: the largest size that still gives at least
    /// `minCount` GEMMs (so one iteration is a sequence, not one kernel), else the smallest size; c is rounded to
    /// the nearest integer and at least 1.
    public static func choose(flops: Double, sizes: [Int], minCount: Int = 4) -> (size: Int, count: Int) {
        precondition(flops > 0 && !sizes.isEmpty && sizes.allSatisfy { $0 > 0 }, "need a positive target and sizes")
        func count(_ n: Int) -> Int { max(1, Int((flops / Self.flops(m: n, n: n, k: n)).rounded())) }
        let ascending = sizes.sorted()
        for n in ascending.reversed() where count(n) >= minCount {
            return (n, count(n))
        }
        return (ascending[0], count(ascending[0]))
    }
}
