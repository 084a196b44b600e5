import Network

/// How much of the time a job's all-reduce flows occupy the fabric, and the max-min demands that follow from it.
///
/// **Derivation.** A synchronous data-parallel job moves its gradient bytes once per iteration: during its
/// communication time T_n of an iteration of T_iter = (T_c^γ + T_n^γ)^(1/γ) (Pollux's overlap; Qiao et al., OSDI
/// 2021, §3.1), its flows run at their rates r, and for the rest of the iteration they carry nothing. A flow's load
/// on a link averaged over an iteration is therefore d·r with the duty cycle d = T_n / T_iter. Note that d counts
/// all of T_n, not only its exposed part T_iter − T_c: communication hidden behind the backward pass still
/// occupies the links (PyTorch DDP's bucketed all-reduce runs on the wire while compute continues; Li et al.,
/// "PyTorch Distributed", VLDB 2020, §3.2.3).
///
/// When several jobs share a link and their bursts fall at unrelated times (their iterations have different
/// lengths, so their phases drift), the link must carry the time-averaged load, Σ dⱼ·rⱼ ≤ C, instead of the
/// always-active Σ rⱼ ≤ C. Max-min fairness on the rates while active, under that constraint, is weighted max-min
/// fairness on the averaged loads xⱼ = dⱼ·rⱼ with weights dⱼ (equal xⱼ/dⱼ at a shared bottleneck), so the flows go
/// into the ordinary `FlowNetwork` with weight d and their rate while active is the solved rate / d. A job's own
/// flows burst together, so they may not share a link beyond its capacity among themselves while active: each flow is
/// capped at d × its rate when the job is alone (the job's own max-min share, `soloRates`), which keeps a job alone at
/// exactly its uncontended speed. Example: two jobs with d = 0.5 and 0.75 and one flow each on a link of capacity C
/// get r = C / 1.25 = 0.8·C each while active, where always-active flows would get 0.5·C.
///
/// Approximations, why it is a knob (`network.duty_cycle`) and off by default: the fluid average assumes bursts
/// interleave as well as their shares allow, which is optimistic (two jobs with d = 0.5 never meet at all, where
/// bursts at random phases would overlap some of the time), while always-active flows are pessimistic; the truth
/// lies between. d is taken at the job's uncontended speed and kept while it runs (contention lengthens T_n and so
/// raises d; iterating that fixed point would re-solve every component on every change, and d only grows towards 1,
/// so the error is on the optimistic side too).
public enum DutyCycle {
    /// Smallest duty cycle used: a job whose flows are active less than this is treated as active this share of the
    /// time (keeps weights positive and the rate while active, solved rate / d, bounded).
    public static let minimum = 1e-3

    /// d = T_n / T_iter with T_iter = (T_c^γ + T_n^γ)^(1/γ), clamped to [`minimum`, 1]; 1 when nothing is timed.
    public static func share(compute: Double, communication: Double, gamma: Double) -> Double {
        share(compute: compute, communication: communication, overlap: .exponent(gamma))
    }

    /// d = T_n / T_iter with T_iter from `overlap` (`OverlapModel`), clamped to [`minimum`, 1]; 1 when nothing is timed.
    public static func share(compute: Double, communication: Double, overlap: OverlapModel) -> Double {
        let total = overlap.stepSeconds(compute: compute, communication: communication)
        guard total > 0, communication > 0 else { return 1 }
        return min(1, max(minimum, communication / total))
    }

    /// Each flow's rate when the plan's job is alone on links of `capacities`: min over its links of capacity /
    /// (appearances of that link in all the plan's flows), as `AllReducePlan.uncontendedRates` computes it, and at
    /// most flow i's own rate cap `rateCaps[i]` when caps are given (empty: uncapped).
    public static func soloRates(of plan: FlatAllReducePlan, capacities: [Double], rateCaps: [Double] = []) -> [Double] {
        precondition(rateCaps.isEmpty || rateCaps.count == plan.flowCount, "one rate cap per flow, or none")
        var count: [Int32: Int] = [:]  // lookup only, never iterated
        for l in plan.pathLinks { count[l.raw, default: 0] += 1 }
        return (0..<plan.flowCount).map { i in
            let share = plan.path(i).reduce(Double.infinity) { min($0, capacities[$1.index] / Double(count[$1.raw]!)) }
            return rateCaps.isEmpty ? share : min(share, rateCaps[i])
        }
    }
}
