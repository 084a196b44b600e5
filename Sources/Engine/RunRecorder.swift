import ClusterModel
import Performance
import SimKernel

/// Collects a run's output rows as the engine reports what happened: allocation intervals, the occupancy
/// step function, and the busiest fabric links at fixed sample times. New outputs get a method here, not
/// fields in the engine.
struct RunRecorder {
    private(set) var allocations: [AllocationInterval] = []
    private(set) var samples: [UtilizationSample] = [UtilizationSample(time: .zero, busyGPUs: 0, queuedJobs: 0, runningJobs: 0)]
    private(set) var links: [LinkUtilizationSample] = []
    private let linkSampleInterval: SimTime?
    /// The next link-sample time; `.never` when the speed model has no links.
    private(set) var nextLinkSample: SimTime

    init(linkSampleInterval: SimTime?) {
        self.linkSampleInterval = linkSampleInterval.flatMap { $0 > .zero ? $0 : nil }
        self.nextLinkSample = self.linkSampleInterval == nil ? .never : .zero
    }

    /// Records that `job` held `gpus` from `start` to `end`: one row per node, GPUs as node-local indices,
    /// nodes in ascending order.
    mutating func allocation(_ job: JobID, gpus: [GPUID], from start: SimTime, to end: SimTime, in topology: Topology) {
        // Placements usually come sorted already; sort (allocating) only when they do not.
        let sorted = zip(gpus, gpus.dropFirst()).allSatisfy({ $0.0 < $0.1 }) ? gpus : gpus.sorted()
        var k = 0
        while k < sorted.count {
            let node = topology.gpuNode[sorted[k].index]
            let first = Int(topology.nodeFirstGPU[node.index])
            var local: [Int] = []
            while k < sorted.count && topology.gpuNode[sorted[k].index] == node {
                local.append(sorted[k].index - first)
                k += 1
            }
            allocations.append(AllocationInterval(job: job, start: start, end: end, node: node, localGPUs: local))
        }
    }

    /// Records the occupancy after an event, merging samples that change nothing.
    mutating func sample(_ s: UtilizationSample) {
        func same(_ a: UtilizationSample, _ b: UtilizationSample) -> Bool {
            a.busyGPUs == b.busyGPUs && a.queuedJobs == b.queuedJobs && a.runningJobs == b.runningJobs
        }
        let last = samples[samples.count - 1]
        if same(last, s) { return }
        if last.time == s.time {
            // Several events at one instant: only the state after the last counts; and if that state equals
            // the one before the instant, the instant leaves no sample at all.
            if samples.count >= 2 && same(samples[samples.count - 2], s) { samples.removeLast() } else { samples[samples.count - 1] = s }
        } else {
            samples.append(s)
        }
    }

    /// Records the busiest links at every sample time before `time`. The fabric does not change between events,
    /// so a sample at t shows the state after every event at or before t. Idle stretches record nothing.
    mutating func sampleLinks(before time: SimTime, from model: any ThroughputModel) {
        guard let interval = linkSampleInterval else { return }
        let busiest = model.busiestLinks()
        guard !busiest.isEmpty else {
            // Jump to the first sample time at or after `time`.
            let periods = (time - nextLinkSample).nanoseconds / interval.nanoseconds
            let rest = (time - nextLinkSample).nanoseconds % interval.nanoseconds
            nextLinkSample = nextLinkSample + SimTime(nanoseconds: (periods + (rest > 0 ? 1 : 0)) * interval.nanoseconds)
            return
        }
        while nextLinkSample < time {
            for b in busiest {
                links.append(LinkUtilizationSample(time: nextLinkSample, link: b.link, name: b.name, utilization: b.utilization))
            }
            nextLinkSample = nextLinkSample + interval
        }
    }
}
