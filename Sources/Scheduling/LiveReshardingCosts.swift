import ClusterModel
import Workload

/// Resizes and migrations by live resharding instead of a checkpoint-restart: the job's training state moves
/// straight from the GPUs it keeps (or leaves) to the GPUs it gains, over the cluster's links, and the collective
/// group is rebuilt (as elastic trainers such as torchelastic, or Pollux's AdaptDL, do on rescaling).
///
/// The cost of a resize or migration from GPU set `from` to `to`:
/// - every GPU in `to` but not in `from` receives one full replica of the training state: 16 bytes per parameter
///   for mixed-precision Adam (fp16 weights and gradients, fp32 master weights and two moments; Rajbhandari et al.,
///   "ZeRO", SC'20, §3.1), i.e. 4 × the zoo model's fp32 gradient bytes;
/// - a receiver on a node that holds one of the job's old GPUs copies over that node's intra-node link
///   (NVLink/NVSwitch or PCIe, the node template's bandwidth and latency); any other receiver pulls across the
///   network through its node's NICs, which that node's cross-node receivers share (each gets
///   NIC bandwidth × min(1, NICs / receivers on the node));
/// - receivers copy in parallel, so the transfer takes the slowest receiver's latency + state ÷ bandwidth;
/// - then `reinitSeconds` re-forms the collective group (a new NCCL communicator; also the whole cost of a pure
///   shrink, where nothing moves).
/// This is the α–β view of the links the fabric is built from: it ignores other jobs' traffic during the copy.
/// A job without a zoo model has no known state and pays `reinitSeconds` only. Restores and checkpoints (starts
/// and preemptions) cost what `base` says.
public struct LiveReshardingCosts: TransitionCostModel {
    /// The cluster whose links carry the state.
    public let topology: Topology
    /// Seconds to rebuild the job's collective group after its GPU set changed.
    public var reinitSeconds: Double
    /// Costs of restores and checkpoints (the scenario's `checkpoint:`, or free).
    public var base: any TransitionCostModel

    /// Bytes of training state per fp32 gradient byte: 16 B/parameter ÷ 4 B/parameter.
    public static let stateBytesPerGradientByte = 4.0

    /// Creates the model.
    public init(topology: Topology, reinitSeconds: Double, base: any TransitionCostModel = FreeTransitions()) {
        self.topology = topology
        self.reinitSeconds = reinitSeconds
        self.base = base
    }

    public func seconds(_ kind: TransitionKind, job: JobStatus, from: [GPUID], to: [GPUID]) -> Double {
        switch kind {
        case .resize, .migrate: return reshardSeconds(job: job.spec, from: from, to: to)
        case .restore, .checkpoint: return base.seconds(kind, job: job, from: from, to: to)
        }
    }

    /// The resharding time of `job` from `from` to `to` (see the type's documentation).
    public func reshardSeconds(job: JobSpec, from: [GPUID], to: [GPUID]) -> Double {
        guard let model = job.zooModel else { return reinitSeconds }
        let receivers = to.filter { !from.contains($0) }
        guard !receivers.isEmpty else { return reinitSeconds }
        let state = model.gradientBytes * Self.stateBytesPerGradientByte
        let oldNodes = Set(from.map { topology.gpuNode[$0.index].index })
        // Cross-node receivers per node: they share its NICs.
        var remoteOnNode: [Int: Int] = [:]
        for g in receivers where !oldNodes.contains(topology.gpuNode[g.index].index) {
            remoteOnNode[topology.gpuNode[g.index].index, default: 0] += 1
        }
        var slowest = 0.0
        for g in receivers {
            let node = topology.gpuNode[g.index].index
            let template = topology.nodeTemplates[node]
            let seconds: Double
            if oldNodes.contains(node) {
                seconds = template.intraNode.latencySeconds + state / template.intraNode.bandwidthBytesPerSecond
            } else {
                let share = min(1, Double(template.nicCount) / Double(remoteOnNode[node]!))
                seconds = template.nic.latencySeconds + state / (template.nic.bandwidthBytesPerSecond * share)
            }
            slowest = max(slowest, seconds)
        }
        return reinitSeconds + slowest
    }
}
