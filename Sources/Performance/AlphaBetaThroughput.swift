import ClusterModel
import Models
import SimKernel
import Workload

/// The first-version speed model: every job alone on its GPUs, compute from the zoo plus an α–β ring
/// all-reduce over the slowest link class its placement crosses (`SpeedModel`), no overlap, no sharing of
/// links between jobs. Attaching and detaching jobs never changes another job's speed.
public final class AlphaBetaThroughput: ThroughputModel {
    public let name = "alpha-beta"
    private let topology: Topology
    private let compute: ComputeTable
    /// Each job's iteration at its packed reference placement (0 without a model), by JobID.
    private let referenceSteps: [Double]

    /// Prepares the model for `jobs` (in JobID order) whose reference placements are packed on nodes like
    /// `referenceNodes[i]` (see `JobSetup.referenceTemplate`).
    public init(topology: Topology, jobs: [JobSpec], referenceNodes: [Int32]) {
        self.topology = topology
        self.compute = ComputeTable(topology: topology)
        // The reference step depends on (model, GPU count, reference template) only: memoised, since 100k jobs
        // share a handful of such triples.
        struct Key: Hashable {
            var model: Int
            var gpus: Int
            var template: Int32
            var batchScale: Double
        }
        var memo: [Key: Double] = [:]
        referenceSteps = jobs.indices.map { i in
            guard let m = jobs[i].model else { return 0 }
            let scale = BatchSharding.computeScale(of: jobs[i], gpuCount: jobs[i].gpuCount)
            let key = Key(model: m, gpus: jobs[i].gpuCount, template: referenceNodes[i], batchScale: scale)
            if let step = memo[key] { return step }
            let template = topology.nodeTemplates[Int(referenceNodes[i])]
            let parts = SpeedModel.stepTime(
                model: ModelZoo.all[m], gpu: template.gpuType, shape: SpeedModel.packedShape(jobs[i].gpuCount, on: template))
            // NOTE: unsharded jobs keep `total` as computed, bit for bit (the regression baselines depend on it).
            let step = scale == 1 ? parts.total : parts.compute * scale + parts.communication
            memo[key] = step
            return step
        }
    }

    public func referenceStep(of job: JobSpec) -> Double { referenceSteps[job.id.index] }

    public func isolatedStep(of job: JobSpec, on gpus: [GPUID]) -> StepEstimate {
        guard let m = job.model else {
            return StepEstimate(compute: 0, communication: 0, seconds: 0, communicationFraction: 0,
                                workRate: WorkRate.of(job, gpuCount: gpus.count, step: 0, referenceStep: 0))
        }
        let computeSeconds = compute.seconds(model: m, on: gpus, topology: topology)
            * BatchSharding.computeScale(of: job, gpuCount: gpus.count)
        var comm = 0.0
        if gpus.count > 1 {
            let bytes = ModelZoo.all[m].gradientBytes
            let node = topology.gpuNode[gpus[0].index]
            if gpus.allSatisfy({ topology.gpuNode[$0.index] == node }) {
                // The common single-node case without building a shape (no allocation).
                comm = SpeedModel.ringAllReduceSeconds(
                    ranks: gpus.count, bytes: bytes, link: topology.nodeTemplates[node.index].intraNode)
            } else if let (link, _) = SpeedModel.bottleneckLink(shape: SpeedModel.shape(of: gpus, in: topology)) {
                comm = SpeedModel.ringAllReduceSeconds(ranks: gpus.count, bytes: bytes, link: link)
            }
        }
        return StepEstimate(
            compute: computeSeconds, communication: comm, seconds: computeSeconds + comm,
            communicationFraction: computeSeconds + comm > 0 ? comm / (computeSeconds + comm) : 0,
            workRate: WorkRate.of(
                job, gpuCount: gpus.count, step: computeSeconds + comm, referenceStep: referenceSteps[job.id.index], compute: computeSeconds))
    }

    public func attach(_ job: JobSpec, on gpus: [GPUID]) -> [JobID] { [] }
    public func detach(_ job: JobID) -> [JobID] { [] }
    public func currentStep(of job: JobSpec, on gpus: [GPUID]) -> StepEstimate { isolatedStep(of: job, on: gpus) }
    public var linkSampleInterval: SimTime? { nil }
    public func busiestLinks() -> [LinkUtilization] { [] }
}
