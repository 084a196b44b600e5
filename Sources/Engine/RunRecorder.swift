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
    /// Reused by `allocation` to sort an unsorted GPU list.
    private var sortScratch: [GPUID] = []
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
        // Placements usually come sorted already; sort only when they do not, into a buffer kept across calls (a
        // multi-node placement lists its nodes fullest first, so a preemptive run sorts at most of its stops).
        var isSorted = true
        for k in gpus.indices.dropFirst() where !(gpus[k - 1] < gpus[k]) {
            isSorted = false
            break
        }
        if isSorted {
            appendIntervals(job, sorted: gpus, from: start, to: end, in: topology)
        } else {
            sortScratch.removeAll(keepingCapacity: true)
            sortScratch.append(contentsOf: gpus)
            sortScratch.sort()
            let sorted = sortScratch
            sortScratch = []  // handed back below, so that the buffer stays uniquely referenced
            appendIntervals(job, sorted: sorted, from: start, to: end, in: topology)
            sortScratch = sorted
        }
    }

    /// `allocation` for GPUs in ascending order: one interval per node, each node's local indices as a bit set (an
    /// array only for a local index of 64 or more; see `AllocationInterval`).
    private mutating func appendIntervals(_ job: JobID, sorted: [GPUID], from start: SimTime, to end: SimTime, in topology: Topology) {
        var k = 0
        while k < sorted.count {
            let node = topology.gpuNode[sorted[k].index]
            let first = Int(topology.nodeFirstGPU[node.index])
            var n = 1
            while k + n < sorted.count && topology.gpuNode[sorted[k + n].index] == node { n += 1 }
            if sorted[k + n - 1].index - first < 64 {
                var mask: UInt64 = 0
                for j in k..<(k + n) { mask |= 1 << UInt64(sorted[j].index - first) }
                allocations.append(AllocationInterval(job: job, start: start, end: end, node: node, localMask: mask))
            } else {
                let local = sorted[k..<(k + n)].map { $0.index - first }
                allocations.append(AllocationInterval(job: job, start: start, end: end, node: node, localGPUs: local))
            }
            k += n
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
