import ClusterModel
import Models
import Network
import SimKernel
import Workload

/// The flow-level speed model: every attached multi-GPU job with a zoo model keeps its all-reduce flows in
/// one shared max-min fair `FlowNetwork`; its communication time follows from its flows' current rates, and
/// its iteration is the interconnect's overlap of compute and communication (`OverlapModel`: Pollux's
/// (T_c^γ + T_n^γ)^(1/γ) by default, or DDP's gradient buckets). With
/// `Interconnect.dutyCycle`, a job's flows load the links only for the share of its iteration they are active
/// (`DutyCycle`).
///
/// Attaching or detaching a job re-solves only the connected component its flows touch, and returns the
/// jobs whose flows' rates changed, so the engine re-rates exactly those. A job whose all-reduce crosses only links
/// private to its own GPUs, with no other flow on them (a job alone on its GPUs of one node, on any template), is
/// *isolated*: its flows stay out of the network and its communication time, fixed while it stays isolated, is
/// computed once at its start, bit for bit what the network would give (see `FabricFlows`).
public final class FlowThroughput: ThroughputModel {
    public let name = "flow"
    /// The fabric and its tunables.
    public let interconnect: Interconnect
    private let topology: Topology
    private let compute: ComputeTable
    private var fabric: FabricFlows
    /// Each job's reference node (a node built like its reference template), by JobID.
    private let referenceNodes: [Int32]
    private var referenceMemo: [ReferenceKey: Double] = [:]
    /// Each job's last reference step with its key, by JobID index: every re-rate asks for it, and hashing the key per
    /// re-rate was a fifth of a re-rate under policies that re-rate often (Gandiva's shared GPUs).
    private var referenceByJob: [(key: ReferenceKey, step: Double)?]

    /// The memo key of a reference step: model, GPU count and reference template node.
    private struct ReferenceKey: Hashable {
        var model: Int
        var gpus: Int
        var node: Int32
        var batchScale: Double
    }

    /// Prepares the model for `jobs` (in JobID order) with reference placements on nodes like `referenceNodes[i]`.
    /// With `isolatesJobs` false, isolated jobs' flows go through the network like any other's (the reference the
    /// isolated path must agree with, bit for bit; for tests and measurements).
    public init(interconnect: Interconnect, jobs: [JobSpec], referenceNodes: [Int32], isolatesJobs: Bool = true) {
        self.interconnect = interconnect
        self.topology = interconnect.graph.topology
        self.compute = ComputeTable(topology: topology)
        self.fabric = FabricFlows(model: interconnect, jobCount: jobs.count, isolatesJobs: isolatesJobs)
        self.referenceNodes = referenceNodes
        self.referenceByJob = Array(repeating: nil, count: jobs.count)
        self.gammas = ModelZoo.all.map { $0.overlapGamma ?? interconnect.gamma }
        self.bucketQueues = interconnect.overlap == .ddpBuckets ? ModelZoo.all.map { GradientBuckets(model: $0) } : []
    }

    /// Whether attached `job` is isolated now: its flows out of the network, its communication time fixed (see the
    /// type's notes); false for jobs that are not attached, on one GPU, or in the network.
    public func isIsolated(_ job: JobID) -> Bool { fabric.isIsolated(job) }

    /// The slice mate whose flows attached `job` rides (it time-slices that job's GPUs), or nil.
    public func carrier(of job: JobID) -> JobID? { fabric.carrier(of: job) }

    /// Each zoo model's overlap exponent γ (its own, else the interconnect's), by zoo index: read per re-rate, so no
    /// model is copied out of `all`.
    private let gammas: [Double]
    /// Each zoo model's gradient buckets, by zoo index, with the `ddp-buckets` overlap; empty with the exponent.
    // NOTE: two plain arrays rather than one of `OverlapModel`: copying an enum element whose payload holds arrays
    // retained and released it at every re-rate, a few percent of a preemptive policy's run.
    private let bucketQueues: [GradientBuckets]

    /// Seconds per iteration of zoo model `m` from its compute and communication seconds, by the interconnect's overlap.
    private func stepSeconds(_ m: Int, compute c: Double, communication n: Double) -> Double {
        bucketQueues.isEmpty ? StepTimeModel.overlap(compute: c, communication: n, gamma: gammas[m])
            : bucketQueues[m].stepSeconds(compute: c, communication: n)
    }

    /// The uncontended step of a job's model at its requested size, packed on the first nodes built like its
    /// reference node: the placement at which a duration job runs exactly its recorded duration.
    public func referenceStep(of job: JobSpec) -> Double {
        guard let m = job.model else { return 0 }
        let node = referenceNodes[job.id.index]
        let scale = BatchSharding.computeScale(of: job, gpuCount: job.gpuCount)
        let key = ReferenceKey(model: m, gpus: job.gpuCount, node: node, batchScale: scale)
        let j = job.id.index
        if j < referenceByJob.count, let known = referenceByJob[j], known.key == key { return known.step }
        if let step = referenceMemo[key] {
            if j < referenceByJob.count { referenceByJob[j] = (key, step) }
            return step
        }
        let template = topology.nodeTemplates[Int(node)]
        var gpus: [GPUID] = []
        for n in 0..<topology.nodeCount where topology.nodeTemplates[n] == template {
            for g in topology.gpus(of: NodeID(n)) where gpus.count < job.gpuCount { gpus.append(GPUID(g)) }
            if gpus.count == job.gpuCount { break }
        }
        let comm = fabric.uncontendedTime(on: gpus, bytes: ModelZoo.all[m].gradientBytes).total
        let refCompute = compute.seconds(model: m, type: topology.typeIndex(of: NodeID(Int(node)))) * scale
        let step = stepSeconds(m, compute: refCompute, communication: comm)
        referenceMemo[key] = step
        if j < referenceByJob.count { referenceByJob[j] = (key, step) }
        return step
    }

    public func isolatedStep(of job: JobSpec, on gpus: [GPUID]) -> StepEstimate {
        guard let m = job.model else { return estimate(of: job, gpuCount: gpus.count, compute: 0, communication: 0, step: 0) }
        let c = compute.seconds(model: m, on: gpus, topology: topology) * BatchSharding.computeScale(of: job, gpuCount: gpus.count)
        let comm = fabric.uncontendedTime(on: gpus, bytes: ModelZoo.all[m].gradientBytes).total
        return estimate(of: job, gpuCount: gpus.count, compute: c, communication: comm,
                        step: stepSeconds(m, compute: c, communication: comm))
    }

    // Starts and stops are deferred: the engine flushes once per event (see `ThroughputModel.defersUpdates`).
    public var defersUpdates: Bool { true }

    public func attach(_ job: JobSpec, on gpus: [GPUID]) -> [JobID] { attach(job, on: gpus, timeSlicingWith: []) }

    /// Registers `job` on `gpus`; a job time-slicing them rides the flows of a slice mate on exactly these GPUs where
    /// one can carry it (`FabricFlows`: a time-sliced group puts one member's traffic on the links at a time).
    public func attach(_ job: JobSpec, on gpus: [GPUID], timeSlicingWith sliceMates: [JobID]) -> [JobID] {
        guard let m = job.model else { return [] }
        var burst: (compute: Double, overlap: OverlapModel)?
        if interconnect.dutyCycle {
            let c = compute.seconds(model: m, on: gpus, topology: topology) * BatchSharding.computeScale(of: job, gpuCount: gpus.count)
            burst = (c, bucketQueues.isEmpty ? .exponent(gammas[m]) : .buckets(bucketQueues[m]))
        }
        return fabric.start(job.id, on: gpus, bytes: ModelZoo.all[m].gradientBytes, burst: burst, deferResolve: true,
                            sliceMates: sliceMates)
    }

    public func detach(_ job: JobID) -> [JobID] { fabric.stop(job, deferResolve: true) }

    public func flush() -> [JobID] { fabric.resolvePending() }

    public func currentStep(of job: JobSpec, on gpus: [GPUID]) -> StepEstimate {
        guard let m = job.model else { return estimate(of: job, gpuCount: gpus.count, compute: 0, communication: 0, step: 0) }
        let c = compute.seconds(model: m, on: gpus, topology: topology) * BatchSharding.computeScale(of: job, gpuCount: gpus.count)
        let comm = fabric.collectiveSeconds(of: job.id)
        return estimate(of: job, gpuCount: gpus.count, compute: c, communication: comm,
                        step: stepSeconds(m, compute: c, communication: comm))
    }

    public var linkSampleInterval: SimTime? {
        let s = interconnect.linkSampleInterval
        guard s > 0 else { return nil }
        return .seconds(s)
    }

    public func busiestLinks() -> [LinkUtilization] {
        fabric.busiestLinks(interconnect.linksPerSample).map {
            LinkUtilization(link: $0.link.raw, name: interconnect.graph.name(of: $0.link), utilization: $0.utilization)
        }
    }
}
