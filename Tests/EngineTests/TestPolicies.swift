import ClusterModel
import Engine
import Scheduling
import SimKernel

/// A policy whose decisions come from a closure (for buggy-policy and edge-case tests).
struct ScriptedPolicy: SchedulingPolicy {
    static let name = "scripted"
    let body: (ClusterSnapshot, inout PlacementPlanner) -> [SchedulingDecision]
    mutating func schedule(_ snapshot: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        body(snapshot, &planner)
    }
}

/// Priority with preemption: waiting jobs by priority (high first, then JobID); a job that does not fit
/// preempts running jobs of lower priority, latest started first, until it fits. Stops at the first job
/// that still cannot start.
struct PriorityPreemptPolicy: SchedulingPolicy {
    static let name = "test-preempt"
    mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        var decisions: [SchedulingDecision] = []
        var preempted: Set<JobID> = []
        let order = s.queue.sorted { (-s[$0].spec.priority, $0) < (-s[$1].spec.priority, $1) }
        for id in order {
            if let g = planner.place(s[id]) {
                decisions.append(.start(id, gpus: g))
                continue
            }
            for v in s.running.reversed() where s[v].spec.priority < s[id].spec.priority && !preempted.contains(v) {
                planner.release(s[v].gpus, of: v)
                decisions.append(.preempt(v))
                preempted.insert(v)
                if planner.freeGPUs(in: s[id].eligibleTypes) >= s[id].gpuCount { break }
            }
            guard let g = planner.place(s[id]) else { break }
            decisions.append(.start(id, gpus: g))
        }
        return decisions
    }
}
