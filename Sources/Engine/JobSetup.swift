import ClusterModel
import Models
import Scheduling
import SimKernel
import Workload

/// What the engine derives about each job from the cluster before the run: where it may run, what
/// "packed at its requested size" means for it, and how long that would take.
public enum JobSetup {
    /// Per-job eligibility and reference node for one run, in JobID order.
    public struct Prepared: Sendable {
        /// GPU types each job may use.
        public let eligibleTypes: [GPUTypeMask]
        /// The first node built from each job's reference template (see `referenceTemplate(for:in:)`).
        public let referenceNodes: [Int32]

        /// Derives both for `jobs`, each of which must be able to run on `topology`.
        public init(jobs: [JobSpec], topology: Topology) {
            // Eligibility and the reference node depend only on (GPU-type constraint, model): computed once per
            // distinct pair, not once per job (100k jobs, a handful of pairs).
            struct Key: Hashable {
                var gpuType: String?
                var model: Int?
            }
            var memo: [Key: (mask: GPUTypeMask, reference: Int32)] = [:]
            var masks: [GPUTypeMask] = []
            var refs: [Int32] = []
            masks.reserveCapacity(jobs.count)
            refs.reserveCapacity(jobs.count)
            for spec in jobs {
                let key = Key(gpuType: spec.gpuType, model: spec.model)
                if memo[key] == nil {
                    let mask = JobSetup.eligibleTypes(for: spec, in: topology)
                    memo[key] = (mask, Int32(JobSetup.referenceTemplate(for: mask, in: topology) ?? 0))
                }
                masks.append(memo[key]!.mask)
                refs.append(memo[key]!.reference)
            }
            eligibleTypes = masks
            referenceNodes = refs
        }
    }

    /// GPU types of `topology` the job may use: its type constraint, and enough memory for its model.
    public static func eligibleTypes(for job: JobSpec, in topology: Topology) -> GPUTypeMask {
        var bits: UInt64 = 0
        for (t, type) in topology.gpuTypes.enumerated() {
            if let wanted = job.gpuType, wanted != type.name { continue }
            if let model = job.zooModel, model.memoryGB > type.memoryGB { continue }
            bits |= UInt64(1) << UInt64(t)
        }
        return GPUTypeMask(bits: bits)
    }

    /// The first node template whose GPUs the job may use; it defines the job's reference placement.
    public static func referenceTemplate(for mask: GPUTypeMask, in topology: Topology) -> Int? {
        topology.nodeTemplates.indices.first { mask.contains(topology.typeIndex(of: NodeID($0))) }
    }

    /// Run time at the requested size, packed on the reference template (what SJF and backfill call the
    /// job's known duration).
    public static func estimatedDuration(for job: JobSpec, template: NodeTemplate) -> SimTime {
        switch job.work {
        case .duration(let d):
            return d
        case .iterations(let k):
            guard let model = job.zooModel else { return .seconds(k) }
            let step = SpeedModel.stepTime(
                model: model, gpu: template.gpuType, shape: SpeedModel.packedShape(job.gpuCount, on: template))
            return .seconds(k * step.total)
        }
    }

    /// Every job that can never run on `topology`, with the reason (no eligible GPU type, or more GPUs than
    /// the eligible types have in total).
    public static func problems(jobs: [JobSpec], topology: Topology) -> [JobSetupProblem] {
        var capacityByType = Array(repeating: 0, count: topology.gpuTypes.count)
        for t in topology.gpuTypeIndex { capacityByType[Int(t)] += 1 }
        var problems: [JobSetupProblem] = []
        for job in jobs {
            let mask = eligibleTypes(for: job, in: topology)
            if mask.isEmpty {
                let available = topology.gpuTypes.map { "\($0.name) (\(Int($0.memoryGB)) GB)" }.joined(separator: ", ")
                if let t = job.gpuType, !topology.gpuTypes.contains(where: { $0.name == t }) {
                    problems.append(JobSetupProblem(job: job.id, name: job.name, message:
                        "no GPU in the cluster can run it: it requires GPU type '\(t)' (cluster: \(available))", cause: .gpuType))
                } else {
                    let m = job.zooModel!
                    problems.append(JobSetupProblem(job: job.id, name: job.name, message:
                        "no GPU in the cluster can run it: model '\(m.name)' needs \(Int(m.memoryGB)) GB per GPU (cluster: \(available))",
                        cause: .model))
                }
                continue
            }
            let capacity = capacityByType.indices.filter { mask.contains($0) }.reduce(0) { $0 + capacityByType[$1] }
            if job.gpuCount > capacity {
                problems.append(JobSetupProblem(job: job.id, name: job.name, message:
                    "needs \(job.gpuCount) GPUs but the cluster has only \(capacity) it can use", cause: .gpuCount))
            }
        }
        return problems
    }
}
