import ClusterModel

/// The modeled duration of one training iteration, with its parts.
public struct StepTime: Sendable, Equatable {
    /// Compute seconds (forward, backward, optimizer) per iteration.
    public var compute: Double
    /// Gradient all-reduce seconds per iteration.
    public var communication: Double
    /// The slowest link class the all-reduce crosses, or nil for one GPU.
    public var bottleneck: LinkClass?
    /// Seconds per iteration: compute + communication (no overlap in this first model).
    public var total: Double { compute + communication }
}

/// First-version job speed: compute from the zoo plus an α–β ring all-reduce over the slowest link class.
///
/// iteration = compute(model, GPU type) × local batch / reference batch
///           + 2(n−1)·α + 2(n−1)/n · S/B
/// with S the gradient bytes and (B, α) those of the slowest link class the placement crosses: the node's
/// NVSwitch/PCIe fabric inside one node; across nodes, each GPU's share of its node's NICs (bounded by its
/// PCIe host link) and the NIC latency. This is the function the interconnect model replaces.
public enum SpeedModel {
    /// Ring all-reduce time of `bytes` per rank over `n` ranks on a link with `link`'s bandwidth and latency.
    @inlinable public static func ringAllReduceSeconds(ranks n: Int, bytes: Double, link: LinkParameters) -> Double {
        guard n > 1 else { return 0 }
        let steps = Double(2 * (n - 1))
        return steps * link.latencySeconds + steps / Double(n) * bytes / link.bandwidthBytesPerSecond
    }

    /// The effective (B, α) and class a ring over `shape` is limited by; nil for a single GPU.
    /// `shape` lists, for each node used, its template and how many of the job's GPUs sit there.
    public static func bottleneckLink(shape: [(template: NodeTemplate, gpus: Int)]) -> (LinkParameters, LinkClass)? {
        let n = shape.reduce(0) { $0 + $1.gpus }
        guard n > 1 else { return nil }
        if shape.count == 1 { return (shape[0].template.intraNode, shape[0].template.intraNodeClass) }
        var bandwidth = Double.infinity
        var latency = 0.0
        var cls = LinkClass.nic
        for (t, k) in shape {
            // Each of the k GPUs gets an equal share of the node's NICs, but no more than its own PCIe link, nor more
            // than one inter-node connection carries (the template's per-TCP-stream cap × NCCL sockets per connection;
            // `.infinity` for RDMA templates, which keeps their figures bit for bit).
            let share = min(
                Double(t.nicCount) * t.nic.bandwidthBytesPerSecond / Double(k), t.gpuType.hostLinkGBps * 1e9,
                t.connectionCapBytesPerSecond)
            if share < bandwidth { bandwidth = share }
            latency = max(latency, t.nic.latencySeconds)
            if k > 1 && t.intraNode.bandwidthBytesPerSecond < bandwidth {
                bandwidth = t.intraNode.bandwidthBytesPerSecond
                cls = t.intraNodeClass
            }
        }
        // Over exactly two nodes the ring runs both ways between the same pair, so where the templates set a node-pair
        // cap each direction gets half of it (the flow model's rule: Network's `LinkGraph.connectionCaps`).
        if shape.count == 2 {
            let pair = min(
                shape[0].template.nodePairBytesPerSecond ?? .infinity, shape[1].template.nodePairBytesPerSecond ?? .infinity)
            if pair / 2 < bandwidth {
                bandwidth = pair / 2
                cls = .nic
            }
        }
        return (LinkParameters(bandwidthBytesPerSecond: bandwidth, latencySeconds: latency), cls)
    }

    /// Iteration time of `model` on `gpu` spread as `shape`, at `localBatch` per GPU (nil: the reference).
    public static func stepTime(
        model: ZooModel, gpu: GPUType, shape: [(template: NodeTemplate, gpus: Int)], localBatch: Int? = nil
    ) -> StepTime {
        let batchScale = Double(localBatch ?? model.referenceBatchPerGPU) / Double(model.referenceBatchPerGPU)
        let compute = model.computeSeconds(on: gpu) * batchScale
        let n = shape.reduce(0) { $0 + $1.gpus }
        guard let (link, cls) = bottleneckLink(shape: shape) else {
            return StepTime(compute: compute, communication: 0, bottleneck: nil)
        }
        let comm = ringAllReduceSeconds(ranks: n, bytes: model.gradientBytes, link: link)
        return StepTime(compute: compute, communication: comm, bottleneck: cls)
    }

    /// The placement shape of `gpus`: one entry per node used, in order of first appearance.
    public static func shape(of gpus: [GPUID], in topology: Topology) -> [(template: NodeTemplate, gpus: Int)] {
        var nodes: [NodeID] = []
        var counts: [Int] = []
        for g in gpus {
            let node = topology.gpuNode[g.index]
            if let i = nodes.lastIndex(of: node) { counts[i] += 1 } else { nodes.append(node); counts.append(1) }
        }
        return zip(nodes, counts).map { (topology.nodeTemplates[$0.0.index], $0.1) }
    }

    /// The packed reference placement of `n` GPUs on nodes built like `template`: full nodes, then the rest.
    public static func packedShape(_ n: Int, on template: NodeTemplate) -> [(template: NodeTemplate, gpus: Int)] {
        var left = n
        var shape: [(template: NodeTemplate, gpus: Int)] = []
        while left > 0 {
            let k = min(left, template.gpuCount)
            shape.append((template, k))
            left -= k
        }
        return shape
    }
}
