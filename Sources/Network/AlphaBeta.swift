// MARK: - Closed-form α–β collective times

/// Closed-form α–β times of all-reduce algorithms: the fast path when a job shares no link, and the test oracle.
///
/// Notation (Thakur, Rabenseifner and Gropp, "Optimization of Collective Communication Operations in MPICH",
/// IJHPCA 19(1), 2005; NVIDIA/nccl-tests, doc/PERFORMANCE.md): n ranks, S bytes per rank, α per-step latency, B per-rank
/// unidirectional bandwidth. B is a *bus bandwidth* in the nccl-tests sense (NVIDIA/nccl-tests doc/PERFORMANCE.md:
/// busbw = algbw · 2(n−1)/n for all-reduce), which is what the node templates store.
public enum AlphaBeta {
    /// Ring all-reduce (reduce-scatter + all-gather): 2(n−1)·α + 2(n−1)/n · S/B; 0 for one rank.
    public static func ringAllReduce(ranks n: Int, bytes s: Double, bandwidth b: Double, latency alpha: Double) -> Double {
        guard n > 1 else { return 0 }
        let steps = Double(2 * (n - 1))
        return steps * alpha + steps / Double(n) * s / b
    }

    /// Ring reduce-scatter or all-gather: (n−1)·α + (n−1)/n · S/B; 0 for one rank.
    public static func ringReduceScatter(ranks n: Int, bytes s: Double, bandwidth b: Double, latency alpha: Double) -> Double {
        guard n > 1 else { return 0 }
        return Double(n - 1) * alpha + Double(n - 1) / Double(n) * s / b
    }

    /// Hierarchical all-reduce over N nodes of g GPUs:
    /// [(g−1)α_in + (g−1)/g · S/B_in]·2 + 2(N−1)α_out + 2(N−1)/N · (S/g)/B_out,
    /// with B_out each GPU's share of its NIC bandwidth.
    public static func hierarchicalAllReduce(
        gpusPerNode g: Int, nodes bigN: Int, bytes s: Double, intraBandwidth bIn: Double, intraLatency alphaIn: Double,
        interBandwidth bOut: Double, interLatency alphaOut: Double
    ) -> Double {
        2 * ringReduceScatter(ranks: g, bytes: s, bandwidth: bIn, latency: alphaIn)
            + ringAllReduce(ranks: bigN, bytes: s / Double(g), bandwidth: bOut, latency: alphaOut)
    }

    /// Recursive halving-doubling (Rabenseifner) / tree: 2⌈log₂ n⌉·α + 2(n−1)/n · S/B; 0 for one rank.
    public static func halvingDoubling(ranks n: Int, bytes s: Double, bandwidth b: Double, latency alpha: Double) -> Double {
        guard n > 1 else { return 0 }
        return Double(2 * AllReducePlan.ceilLog2(n)) * alpha + 2 * Double(n - 1) / Double(n) * s / b
    }
}
