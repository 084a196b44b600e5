import ClusterModel
import SimKernel
import Workload

/// The speed model's per-run constants, precomputed so that starting a job does no string lookups and
/// allocates nothing in the common single-node case. The formula itself stays in `SpeedModel`.
struct SpeedCache {
    /// Compute seconds per iteration, by zoo model and topology GPU-type index.
    private let computeSeconds: [[Double]]
    /// Seconds per iteration of each job at its packed reference placement (0 for jobs without a model).
    private let referenceStep: [Double]
    /// Each job's reference node template (index of a node built from it).
    private let referenceTemplates: [Int32]

    init(topology: Topology, jobs: [JobSpec], referenceTemplate: [Int32]) {
        let compute = ModelZoo.all.map { model in topology.gpuTypes.map { model.computeSeconds(on: $0) } }
        computeSeconds = compute
        referenceTemplates = referenceTemplate
        // The reference step depends on (model, GPU count, reference template) only: memoised.
        struct Key: Hashable {
            var model: Int
            var gpus: Int
            var template: Int32
        }
        var memo: [Key: Double] = [:]
        referenceStep = jobs.indices.map { i in
            guard let m = jobs[i].model else { return 0 }
            let key = Key(model: m, gpus: jobs[i].gpuCount, template: referenceTemplate[i])
            if let step = memo[key] { return step }
            let template = topology.nodeTemplates[Int(referenceTemplate[i])]
            let step = SpeedModel.stepTime(
                model: ModelZoo.all[m], gpu: template.gpuType, shape: SpeedModel.packedShape(jobs[i].gpuCount, on: template)
            ).total
            memo[key] = step
            return step
        }
    }

    /// Run time at the requested size on the packed reference placement (the job's "known duration").
    func estimatedDuration(of job: JobSpec) -> SimTime {
        switch job.work {
        case .duration(let d): return d
        case .iterations(let k): return job.model == nil ? .seconds(k) : .seconds(k * referenceStep[job.id.index])
        }
    }

    /// Compute seconds per iteration of zoo model `model` on GPU type index `typeIndex` (reference batch).
    func computeSeconds(model: Int, typeIndex: Int) -> Double { computeSeconds[model][typeIndex] }

    /// The reference node template of job `i` (the index of a node built from it).
    func referenceTemplate(of i: Int) -> Int32 { referenceTemplates[i] }

    /// Compute and all-reduce seconds of one iteration of `job` on `gpus` (α–β ring over the slowest link class);
    /// nil for a job without a model.
    func stepParts(of job: JobSpec, on gpus: [GPUID], in topology: Topology) -> (compute: Double, communication: Double)? {
        guard let m = job.model else { return nil }
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
        return (compute, comm)
    }

    /// Work units per second of `job` on `gpus` (see `SpeedModel.workRate`; this is the same formula).
    func workRate(of job: JobSpec, on gpus: [GPUID], in topology: Topology) -> Double {
        guard let (compute, comm) = stepParts(of: job, on: gpus, in: topology) else { return 1 }
        let step = compute + comm
        switch job.work {
        case .iterations: return 1 / step
        case .duration: return referenceStep[job.id.index] / step
        }
    }
}
