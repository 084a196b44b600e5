import ClusterModel
import Scheduling
import SimKernel

extension Simulation {
    /// Checks the run's invariants and returns the first violation, or nil.
    ///
    /// - the cluster's derived counts agree with GPU ownership;
    /// - every running job holds exactly its requested GPUs and the cluster says it holds them (so no GPU is
    ///   held by two jobs), and no other job holds any;
    /// - GPU-time is conserved: busy GPU-seconds integrated over time equal the sum over jobs of
    ///   GPUs × time run (closed intervals plus the open ones up to now);
    /// - every job is accounted for: the queue holds exactly the waiting jobs, `running` exactly the running
    ///   ones, and pending + waiting + running + finished = all jobs.
    /// - Complexity: O(GPUs + jobs); called after every event in checked builds only.
    public func invariantViolation() -> String? {
        if let problem = cluster.invariantViolation() { return problem }
        var held = 0
        var gpuSeconds = 0.0
        var counts = [0, 0, 0, 0, 0]
        for job in jobs {
            counts[Int(job.state.rawValue)] += 1
            gpuSeconds += Double(job.gpuCount) * job.runSeconds
            guard job.state == .running else {
                if !job.gpus.isEmpty { return "\(job.id) is \(job.state) but lists GPUs \(job.gpus)" }
                continue
            }
            if job.gpus.count != job.gpuCount { return "\(job.id) runs on \(job.gpus.count) GPUs, requested \(job.gpuCount)" }
            for g in job.gpus where cluster.owner[g.index] != job.id.raw {
                return "\(job.id) believes it holds \(g), which the cluster gives to \(cluster.owner[g.index])"
            }
            held += job.gpuCount
            gpuSeconds += Double(job.gpuCount) * (now - job.runningSince!).seconds
        }
        if held != cluster.busyGPUs { return "running jobs hold \(held) GPUs but \(cluster.busyGPUs) are busy" }
        if abs(gpuSeconds - busyGPUSeconds) > 1e-9 * max(1, busyGPUSeconds) {
            return "GPU-time not conserved: cluster integral \(busyGPUSeconds) GPU·s vs jobs' sum \(gpuSeconds) GPU·s"
        }
        let waiting = counts[Int(JobState.queued.rawValue)] + counts[Int(JobState.preempted.rawValue)]
        if queue.count != waiting || !queue.allSatisfy({ jobs[$0.index].state.isWaiting }) {
            return "queue holds \(queue.count) entries but \(waiting) jobs are waiting"
        }
        for k in queue.indices.dropFirst() where !(queue[k - 1] < queue[k]) {
            return "queue is not in submission order at position \(k)"
        }
        for k in running.indices.dropFirst() where !ClusterSnapshot.endsBefore(running[k - 1], running[k], jobs) {
            return "running list is not sorted by expected end at position \(k)"
        }
        if running.count != counts[Int(JobState.running.rawValue)] || !running.allSatisfy({ jobs[$0.index].state == .running }) {
            return "running list has \(running.count) entries but \(counts[Int(JobState.running.rawValue)]) jobs run"
        }
        if counts.reduce(0, +) != jobs.count { return "job states do not add up to the number of jobs" }
        return nil
    }
}
