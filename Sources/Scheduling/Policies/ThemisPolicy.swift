import ClusterModel
import Foundation
import SimKernel
import Workload

/// Finish-time fairness with leases (Mahajan et al., "Themis: Fair and Efficient GPU Cluster Scheduling",
/// NSDI 2020), without the paper's partial-allocation auction.
///
/// A job's finish-time fairness is ρ = T_shared / T_ideal: T_shared is its elapsed time since submission plus its
/// estimated remaining time (at its current speed if running, else at its reference speed); T_ideal is its run
/// time on a dedicated 1/N share of the cluster, N the jobs now waiting or running: its isolated run time at its
/// requested size, stretched by g·N/C when its g GPUs exceed the share C/N of the C GPUs (a rigid job cannot use
/// more than it asks for, so a larger share does not speed it up). ρ > 1 means the job fares worse than under an
/// equal split.
///
/// GPUs are leased: a job keeps what it is given for `lease_s`. At every round the candidates are the waiting jobs
/// and the running jobs whose lease has expired; the `fairness_knob` fraction f of them with the worst ρ (at least
/// one) take part, as in Themis' filter. In order of decreasing ρ, a waiting participant starts on free GPUs, or on
/// GPUs taken back from expired-lease jobs with a lower ρ (lowest first); expired-lease jobs that keep their GPUs
/// renew their lease. Then, so that no GPU idles while a job could use it, the other waiting jobs start in order of
/// decreasing ρ where they fit, without preempting anyone. The policy wakes up at the next lease expiry.
///
/// Choices the paper leaves open here: no auction (the worst-ρ participants simply take GPUs, which is Themis with
/// every bid at its full-allocation value); N counts waiting and running jobs (jobs in a timed transition are not
/// counted); ties in ρ go to the earlier submission; a job's isolated time is its `estimatedDuration`.
/// - Complexity: O(K log K) per round for K candidates.
public struct ThemisPolicy: SchedulingPolicy {
    public static let name = "themis"

    /// Scenario parameters of `themis`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Seconds a job keeps GPUs it was given before they can be offered to others.
        public var leaseSeconds: Double = 600
        /// Share of the candidates, worst ρ first, that may take GPUs (Themis' fairness knob f).
        public var fairnessKnob: Double = 0.8

        static let documentation = [
            "lease_s: seconds a job keeps its GPUs before they are offered again (600)",
            "fairness_knob: share of candidates, worst finish-time fairness first, that may take GPUs, in (0, 1] (0.8)",
        ]

        /// Default parameters.
        public init(leaseSeconds: Double = 600, fairnessKnob: Double = 0.8) {
            self.leaseSeconds = leaseSeconds
            self.fairnessKnob = fairnessKnob
        }

        private enum CodingKeys: String, CodingKey { case lease_s, fairness_knob }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["lease_s", "fairness_knob"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            leaseSeconds = try c.decodeIfPresent(Double.self, forKey: .lease_s) ?? 600
            // A lease shorter than a millisecond would wake the engine up at every step of the clock; longer than a
            // year is no lease at all.
            guard leaseSeconds.isFinite && leaseSeconds >= 0.001 && leaseSeconds <= 3.2e7 else {
                throw c.invalid(.lease_s, "expected seconds in 0.001...3.2e7, got \(leaseSeconds)")
            }
            fairnessKnob = try c.decodeIfPresent(Double.self, forKey: .fairness_knob) ?? 0.8
            guard fairnessKnob.isFinite && fairnessKnob > 0 && fairnessKnob <= 1 else {
                throw c.invalid(.fairness_knob, "expected a share in (0, 1], got \(fairnessKnob)")
            }
        }
    }

    /// The parameters in force.
    public let parameters: Parameters
    /// When each job's lease ends (by JobID; `.never` for jobs without GPUs).
    private var leaseEnd: [SimTime] = []

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    /// Finish-time fairness ρ of `id` now, with `active` jobs sharing the cluster.
    public static func rho(of id: JobID, in s: ClusterSnapshot, active: Int) -> Double {
        let job = s[id]
        let isolated = job.estimatedDuration.seconds
        let share = Double(s.topology.gpuCount) / Double(max(1, active))
        let ideal = isolated * max(1, Double(job.gpuCount) / share)
        let shared = (s.now - job.spec.submitTime).seconds + s.estimatedRemainingTime(of: id)
        return ideal > 0 ? shared / ideal : 1
    }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        if leaseEnd.count < s.jobs.count { leaseEnd += Array(repeating: .never, count: s.jobs.count - leaseEnd.count) }
        let lease = SimTime.seconds(parameters.leaseSeconds)
        // Nothing to offer: no free GPU and no expired lease. The round cannot change anything (the wake-up already
        // requested still stands), so it skips ranking every waiting job, which dominated busy clusters.
        if planner.cluster.freeGPUs == 0 && !s.running.contains(where: { leaseEnd[$0.index] <= s.now }) { return [] }
        let active = s.queue.count + s.running.count
        // Candidates with their ρ, worst first; ties to the earlier submission.
        var candidates: [(id: JobID, rho: Double, running: Bool)] = s.queue.map { ($0, Self.rho(of: $0, in: s, active: active), false) }
        for id in s.running where leaseEnd[id.index] <= s.now {
            candidates.append((id, Self.rho(of: id, in: s, active: active), true))
        }
        candidates.sort { $0.rho != $1.rho ? $0.rho > $1.rho : $0.id < $1.id }
        let participants = Int((parameters.fairnessKnob * Double(candidates.count)).rounded(.up))

        // Expired-lease jobs that may lose their GPUs, lowest ρ first.
        var releasable = candidates.filter(\.running).reversed().map { ($0.id, $0.rho) }
        var decisions: [SchedulingDecision] = []
        var preempted = Set<JobID>()  // membership only, never iterated
        var started = Set<JobID>()
        for c in candidates.prefix(participants) {
            if c.running {
                releasable.removeAll { $0.0 == c.id }  // it won its GPUs back
                continue
            }
            let job = s[c.id]
            var gpus = planner.place(job)
            while gpus == nil, let victim = releasable.first, victim.1 < c.rho {
                releasable.removeFirst()
                decisions.append(.preempt(victim.0))
                preempted.insert(victim.0)
                // A job that checkpoints keeps its GPUs until the checkpoint ends: this job waits for that round.
                guard s.preemptionFreesGPUsAtOnce(victim.0) else { continue }
                planner.release(s[victim.0].gpus, of: victim.0)
                gpus = planner.place(job)
            }
            if let gpus {
                decisions.append(.start(c.id, gpus: gpus))
                started.insert(c.id)
                leaseEnd[c.id.index] = s.now + lease
            }
        }
        // Work conservation: the rest start where they fit, without preempting anyone.
        for c in candidates where !c.running && !started.contains(c.id) {
            if planner.cluster.freeGPUs == 0 { break }
            if let gpus = planner.place(s[c.id]) {
                decisions.append(.start(c.id, gpus: gpus))
                started.insert(c.id)
                leaseEnd[c.id.index] = s.now + lease
            }
        }
        // Every expired lease that was not taken back is renewed; the next round is at the earliest expiry.
        var next = SimTime.never
        for id in s.running {
            if preempted.contains(id) {
                leaseEnd[id.index] = .never
                continue
            }
            if leaseEnd[id.index] <= s.now { leaseEnd[id.index] = s.now + lease }
            next = min(next, leaseEnd[id.index])
        }
        for id in started { next = min(next, leaseEnd[id.index]) }
        if next != .never && next > s.now { decisions.append(.wakeUp(at: next)) }
        return decisions
    }
}
