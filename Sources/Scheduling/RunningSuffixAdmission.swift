/// `OneTypeAdmission`'s answers over a priority order that merges the running jobs, in a fixed order, with waiting jobs,
/// deciding whole runs of running jobs at once: it reads only the running jobs at the end of the running order whose
/// GPUs the round's admissions could reach, so that a round costs what it changes, not one step per running job.
///
/// Why a run of running jobs can be decided without reading it. Let the running jobs be r_0 … r_{R−1} in their order,
/// holding g_0 … g_{R−1} GPUs, and S_j = g_j + … + g_{R−1} the GPUs of r_j and every running job after it (S_R = 0).
/// `OneTypeAdmission` starts with left = F + S_0 (F: free GPUs) and takes the entries in order. Let
/// E = F + (GPUs of the running jobs refused so far) − (GPUs of the waiting jobs admitted so far), the `excess`.
/// When every running job before r_j is decided, the kept ones among them hold S_0 − S_j − refused GPUs, so
/// left = F + S_0 − (S_0 − S_j − refused) − admitted = E + S_j.
/// 1. Running job r_j is kept iff g_j ≤ left = E + S_j, i.e. iff E + S_{j+1} ≥ 0. Keeping it leaves E as it is;
///    refusing it adds g_j to E.
/// 2. If E ≥ 0, every running job up to the next waiting entry is kept (every S is ≥ 0) and E stays: the run is
///    skipped whole (`decideRunning`).
/// 3. If E < 0, let d = −E: r_j is kept iff S_{j+1} ≥ d. S never increases along the order, so once some t has
///    S_t ≥ d, every j < t has S_{j+1} ≥ S_t ≥ d and is kept, with E unchanged: the run up to t is skipped whole.
///    Only running jobs j ≥ t, whose suffix after them holds fewer than d GPUs, are decided one by one.
/// 4. A waiting job of g_w GPUs, met when the running jobs before r_j are decided, is admitted by `OneTypeAdmission` iff
///    it may use the type, left > 0 and g_w ≤ left, i.e. iff S_j ≥ max(1, g_w) − E. If some t ≥ j has S_t ≥ that
///    need, S_j ≥ S_t and it is admitted without knowing S_j exactly.
/// 5. `OneTypeAdmission.isDone` (left = 0 and every running job seen) is `next == count && excess == 0`.
/// So the suffix sums are needed only below a threshold: they are built from the end (S_R = 0, one running job read per
/// step) down to the first t with S_t at least the largest need met so far, which is at most the larger of d (≤ the GPUs
/// of the waiting jobs admitted) and max(1, g_w) − E for the waiting jobs met. The running jobs read are exactly those
/// built into the suffix (the ones decided one by one among them): on a full cluster with a long queue, a round that
/// admits nothing reads only the last running jobs, back to the first whose suffix covers the largest request it meets.
/// - Complexity: O(T + W) per round for W waiting jobs met and T running jobs in the suffix below the threshold,
///   against O(R + W) for the entry-by-entry admission.
struct RunningSuffixAdmission {
    /// Running jobs in the order (R).
    let count: Int
    /// Running jobs before this position are decided.
    private(set) var next = 0
    /// E: free GPUs, plus those of the running jobs refused so far, less those of the waiting jobs admitted so far.
    private(set) var excess: Int
    /// `sums[k]` = S_{count − k}: the suffix sums built so far from the end, down to position `known`.
    private var sums: [Int]

    /// An admission over `runningCount` running jobs with `free` GPUs free; `buffer` lends its storage to the suffix
    /// sums (its contents are discarded and it is left empty; `buffer` gives it back), so that a round allocates none.
    init(free: Int, runningCount: Int, buffer: inout [Int]) {
        count = runningCount
        excess = free
        sums = []
        swap(&sums, &buffer)
        sums.removeAll(keepingCapacity: true)
        sums.append(0)
    }

    /// An admission with storage of its own.
    init(free: Int, runningCount: Int) {
        var none: [Int] = []
        self.init(free: free, runningCount: runningCount, buffer: &none)
    }

    /// The suffix sums' storage, for the next round's `init(free:runningCount:buffer:)`.
    var buffer: [Int] { sums }

    /// Every running job decided and no GPU left: every later waiting job would be refused.
    var isDone: Bool { next == count && excess == 0 }

    /// The lowest position whose suffix sum is built: S_j is known for known ≤ j ≤ count.
    var known: Int { count - sums.count + 1 }

    /// S_j, for `known` ≤ j ≤ `count`.
    func suffix(_ j: Int) -> Int { sums[count - j] }

    /// Builds suffix sums downwards until S_known ≥ need or known ≤ floor; `gpus(j)` is g_j.
    private mutating func extend(need: Int, floor: Int, gpus: (Int) -> Int) {
        var k = known
        var s = sums[sums.count - 1]
        while k > floor && s < need {
            k -= 1
            s += gpus(k)
            sums.append(s)
        }
    }

    /// Decides the running jobs from `next` up to (not including) position `end`, calling `refused(j)` for each refused
    /// one, in order; `gpus(j)` is g_j. Points 2 and 3 of the type's comment.
    mutating func decideRunning(upTo end: Int, gpus: (Int) -> Int, refused: (Int) -> Void) {
        precondition(end <= count, "position \(end) is past the running jobs")
        while next < end {
            if excess >= 0 {
                next = end
                return
            }
            extend(need: -excess, floor: next, gpus: gpus)
            let k = known
            if k > next {
                // Stopped above `next`, so S_k ≥ d: every job before k is kept.
                next = min(end, k)
                continue
            }
            // Within the built suffix: decide exactly.
            let after = suffix(next + 1)
            if after < -excess {
                excess += suffix(next) - after
                refused(next)
            }
            next += 1
        }
    }

    /// Whether a waiting job of `gpus` GPUs (allowed on the type or not) is admitted, with every running job before it
    /// decided (`decideRunning(upTo:)` its position first); takes its GPUs if so. Point 4 of the type's comment.
    mutating func admitWaiting(gpus g: Int, usesType: Bool, runningGPUs: (Int) -> Int) -> Bool {
        guard usesType else { return false }
        let need = max(1, g) - excess
        extend(need: need, floor: next, gpus: runningGPUs)
        guard known > next || suffix(next) >= need else { return false }
        excess -= g
        return true
    }
}
