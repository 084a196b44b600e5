import ClusterModel
import Workload

/// The speed model's per-run constants, precomputed so that starting a job does no string lookups and
/// allocates nothing in the common single-node case. The formula itself stays in `SpeedModel`.
struct SpeedCache {
    /// Compute seconds per iteration, by zoo model and topology GPU-type index.
    private let computeSeconds: [[Double]]
    /// Seconds per iteration of each job at its packed reference placement (0 for jobs without a model).
    private let referenceStep: [Double]

    init(topology: Topology, jobs: [JobSpec], referenceTemplate: [Int32]) {
        computeSeconds = ModelZoo.all.map { model in topology.gpuTypes.map { model.computeSeconds(on: $0) } }
        referenceStep = jobs.indices.map { i in
            guard let model = jobs[i].zooModel else { return 0 }
            let template = topology.nodeTemplates[Int(referenceTemplate[i])]
            return SpeedModel.stepTime(
                model: model, gpu: template.gpuType, shape: SpeedModel.packedShape(jobs[i].gpuCount, on: template)).total
        }
    }

    /// Work units per second of `job` on `gpus` (see `SpeedModel.workRate`; this is the same formula).
    func workRate(of job: JobSpec, on gpus: [GPUID], in topology: Topology) -> Double {
        guard let m = job.model else { return 1 }
        let compute = computeSeconds[m][Int(topology.gpuTypeIndex[gpus[0].index])]
        var comm = 0.0
        if gpus.count > 1 {
            let bytes = ModelZoo.all[m].gradientBytes
            let node = topology.gpuNode[gpus[0].index]
            if gpus.allSatisfy({ topology.gpuNode[$0.index] == node }) {
                comm = SpeedModel.ringAllReduceSeconds(
                    ranks: gpus.count, bytes: bytes, link: topology.nodeTemplates[node.index].intraNode)
            } else if let (link, _) = SpeedModel.bottleneckLink(shape: SpeedModel.shape(of: gpus, in: topology)) {
                comm = SpeedModel.ringAllReduceSeconds(ranks: gpus.count, bytes: bytes, link: link)
            }
        }
        let step = compute + comm
        switch job.work {
        case .iterations: return 1 / step
        case .duration: return referenceStep[job.id.index] / step
        }
    }
}
