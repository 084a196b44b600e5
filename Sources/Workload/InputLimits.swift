/// The limits every scenario and trace input is checked against, in one place, so that a count fits in memory and in
/// Int32 wherever the engine stores it, and every time the simulation can reach fits `SimTime` (Int64 nanoseconds,
/// about 292 years) with headroom. The declared ranges (`ValidRange`) of fields and trace columns are built from these.
public enum InputLimits {
    /// The most jobs one workload may have.
    public static let maxJobs = SyntheticWorkload.maxJobs
    /// The most GPUs one job may ask for (a trace row's `num_gpus`, a synthetic draw).
    public static let maxGPUsPerJob = 1_000_000
    /// The most GPUs a cluster may have: every GPU is an entry of per-GPU arrays the engine scans each round, and its
    /// index is stored in 32 bits.
    public static let maxClusterGPUs = 200_000
    /// The most nodes a cluster may have. The engine's work per event grows with the nodes (placement and the flow
    /// model scan them): measured with a debug build, 10 jobs take 0.5 s on 1000 DGX nodes, 6.5 s on 20000 and 220 s
    /// on 90000, so a cluster of a few hundred thousand nodes (a trace row of 2^31 GPUs sized `from_trace`) was a hang.
    public static let maxNodes = 20_000
    /// The longest job duration, seconds (about 31.7 years).
    public static let maxDurationSeconds = SyntheticWorkload.maxDurationSeconds
    /// The latest submit time, seconds (about 190 years).
    public static let maxArrivalSeconds = SyntheticWorkload.maxArrivalSeconds
    /// The latest time the simulated clock can hold, seconds (Int64 nanoseconds). The latest submit plus the longest
    /// duration is 7e9 s, leaving over 70 years of headroom for queueing, slowdowns and restarts.
    public static let clockSeconds = Double(Int64.max) / 1e9
}
