import ClusterModel
import Engine
import Models
import Network
import Performance
import Scheduling
import SimRandom
import Workload

// The scenario file's schema. Each mapping is a `DecodableMapping`: every field is declared once, on its
// property, with its key, default, check and meaning; unknown keys are rejected before anything else, and every
// value is checked where it is decoded, so errors carry the field path (see ScenarioLoader). Checks that involve
// several fields live in `finishDecoding`; values derived from several fields are computed properties.

/// The whole scenario file.
struct ScenarioConfig: DecodableMapping {
    @OptionalField("name", meaning: "scenario name (default: the file name)")
    var name: String?
    @OptionalField("description", meaning: "free text")
    var description: String?
    @OptionalField("seed", FieldCheck(valid: "any integer in 0...18446744073709551615") { _ in nil }, meaning: "master seed of every random stream")
    var seed: UInt64?
    @Field("cluster", meaning: "racks of nodes, or a cluster sized from the trace")
    var cluster: ClusterConfig
    @Field("workload", meaning: "synthetic jobs or a trace")
    var workload: WorkloadConfig
    @Field("policy", meaning: "scheduling policy, its parameters and the placement strategy")
    var policy: PolicyConfig
    @OptionalField("network", meaning: "speed model and fabric parameters")
    var network: NetworkConfig?
    @OptionalField("checkpoint", meaning: "checkpoint-restart costs of preemptions, restores, resizes and migrations")
    var checkpoint: CheckpointConfig?
    @Field("variants", default: VariantsConfig(), meaning: "named variants: lists of PATH=VALUE overrides, each baselined")
    var variants: VariantsConfig
    @OptionalField("failures", meaning: "node and GPU failure processes")
    var failures: FailuresConfig?
    @OptionalField("sharing", meaning: "GPU sharing: jobs per GPU, co-location factors, time slice")
    var sharing: SharingConfig?
    @OptionalField("tenants", meaning: "weights and GPU quotas of named users, for fairness policies")
    var tenants: TenantsConfig?
    @OptionalField("elastic", meaning: "which jobs are elastic (a seeded rule) and their GPU ranges")
    var elastic: ElasticConfig?
    @OptionalField("reallocation", meaning: "how resizes and migrations are charged: live resharding or checkpoint-restart")
    var reallocation: ReallocationConfig?
    @Field("limits", default: LimitsConfig(), meaning: "resource bounds checked before anything is built")
    var limits: LimitsConfig

    func finishDecoding(_ decoder: Decoder) throws {
        if reallocation?.mode == "checkpoint-restart" && checkpoint == nil {
            throw decoder.invalid("reallocation", "mode 'checkpoint-restart' needs a 'checkpoint:' section (its bandwidths and overheads)")
        }
    }
}

/// `limits:` resource bounds. A scenario whose cluster and jobs would need more memory than `memory_gb` (estimated from
/// its node, GPU and job counts before anything is built, `ResourceEstimate`) is rejected with the estimate, rather than
/// aborting in an allocation halfway through a run.
struct LimitsConfig: DecodableMapping {
    @Field("memory_gb", default: ResourceEstimate.defaultBudgetGB, .within(0.01...1e5, "GB"),
           meaning: "memory a run of the scenario may need, GB (estimated)")
    var memoryGB: Double
}

/// `elastic:` the seeded rule that makes jobs elastic (`ElasticRule`): a share of the zoo-model jobs may run on
/// a range of GPU counts around their request, sharding a global batch over whatever they hold.
struct ElasticConfig: DecodableMapping {
    @Field("fraction", default: 1.0, .within(0...1, "a share"), meaning: "share of zoo-model jobs made elastic")
    var fraction: Double
    @Field("min_factor", default: 0.5, .within(1e-3...1, "a share of the request"), meaning: "smallest size ÷ requested GPUs")
    var minFactor: Double
    @Field("max_factor", default: 2.0, .within(1...1024, "a multiple of the request"), meaning: "largest size ÷ requested GPUs")
    var maxFactor: Double
    @Field("max_gpus", default: 64, .within(1...1_000_000, "GPUs"), meaning: "cap on the largest size")
    var maxGPUs: Int

    /// The rule these fields describe.
    var rule: ElasticRule { ElasticRule(fraction: fraction, minFactor: minFactor, maxFactor: maxFactor, maxGPUs: maxGPUs) }
}

/// `reallocation:` what a resize or migration costs: `live` resharding over the cluster's links plus a group
/// re-initialization (`LiveReshardingCosts`), or `checkpoint-restart` (the `checkpoint:` section's save + load).
struct ReallocationConfig: DecodableMapping {
    @Field("mode", .oneOf(["live", "checkpoint-restart"]), meaning: "live resharding or checkpoint-restart")
    var mode: String
    @Field("reinit_s", default: 0.5, .within(0...3600, "seconds"), meaning: "live: seconds to re-form the collective group")
    var reinitSeconds: Double
}

/// `variants:` named variants of the scenario, each a list of `PATH=VALUE` overrides (the `--set` syntax), e.g.
/// `{srtf: [policy.name=srtf]}`: `schedlab run S --variant srtf` runs one, and `schedlab regress` replays every variant
/// that has a baseline (`baselines/NAME@VARIANT.json`). One workload, many policies, one file.
struct VariantsConfig: Decodable, CustomStringConvertible {
    /// Variants in name order (YAML mappings are unordered).
    var variants: [(name: String, overrides: [ScenarioOverride])] = []
    var description: String { variants.isEmpty ? "none" : variants.map(\.name).joined(separator: ", ") }

    init() {}

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        for key in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            let name = key.stringValue
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw c.invalid(key, "expected a variant name of letters, digits, '-' and '_', got '\(name)'")
            }
            let texts = try c.decode([String].self, forKey: key)
            guard !texts.isEmpty else { throw c.invalid(key, "expected at least one PATH=VALUE override") }
            var overrides: [ScenarioOverride] = []
            for text in texts {
                do { overrides.append(try ScenarioOverride(text)) } catch {
                    throw c.invalid(key, "bad override '\(text)': \(error.message)")
                }
            }
            variants.append((name, overrides))
        }
    }
}

/// `failures:` optional node and GPU failure processes (`FailureModel`): each node (GPU) fails after a drawn time
/// between failures and is down for a drawn repair time; a failure kills the jobs on it, which lose their progress
/// since their last periodic checkpoint (`checkpoint.interval_s`).
struct FailuresConfig: DecodableMapping {
    @OptionalField("node", meaning: "failures of whole nodes (every GPU of the node goes down)")
    var node: FailureProcessConfig?
    @OptionalField("gpu", meaning: "failures of single GPUs")
    var gpu: FailureProcessConfig?

    func finishDecoding(_ decoder: Decoder) throws {
        guard node != nil || gpu != nil else { throw decoder.invalid("expected at least one of 'node' or 'gpu'") }
    }

    /// The engine's model, drawing from the streams of `seed`.
    func model(seed: UInt64, checkpointIntervalSeconds: Double?) -> FailureModel {
        FailureModel(node: node?.process, gpu: gpu?.process, seed: seed, checkpointIntervalSeconds: checkpointIntervalSeconds)
    }
}

/// `failures.node:` or `failures.gpu:` the time between failures of each node (GPU) and the repair time, hours:
/// a number or a distribution.
struct FailureProcessConfig: DecodableMapping {
    @Field("mtbf_h", DistributionConfig.hours(positive: true, within: .above(0, upTo: 1e7, "hours")),
           meaning: "hours from a repair (or the start) to the next failure of each node (GPU); a number or a distribution")
    var mtbfHours: DistributionConfig
    @Field("repair_h", DistributionConfig.hours(positive: false, within: .closed(0...1e6, "hours")), meaning: "hours from a failure to its repair; a number or a distribution")
    var repairHours: DistributionConfig

    /// The process these fields describe.
    var process: FailureProcess {
        FailureProcess(timeBetweenFailuresHours: mtbfHours.distribution, repairHours: repairHours.distribution)
    }
}

extension DistributionConfig {
    /// A distribution of hours whose draws are all > 0 (`positive`) or >= 0, and whose mean is finite.
    static func hours(positive: Bool, within limit: ValidRange) -> FieldCheck<DistributionConfig> {
        FieldCheck(valid: "values \(limit.interval) hours; a distribution's mean likewise") { d in
            if let p = drawProblem(d.distribution, range: limit, whole: false) { return p }
            let bound = positive ? "> 0" : ">= 0"
            func ok(_ x: Double) -> Bool { x.isFinite && (positive ? x > 0 : x >= 0) }
            func problem(_ d: Distribution) -> String? {
                switch d {
                case .constant(let v): return ok(v) ? nil : "expected hours \(bound), got \(v)"
                case .uniform(let low, _):
                    return low.isFinite && low >= 0 ? nil : "expected a uniform distribution of hours with low >= 0, got \(low)"
                case .categorical(let t):
                    return t.values.allSatisfy(ok) ? nil : "expected categorical hours all \(bound), got \(t.values)"
                case .exponential, .lognormal, .gamma, .weibull, .pareto, .geometric:
                    return d.mean.isFinite ? nil : "expected a distribution with a finite mean"
                case .mixture(let m):
                    for (i, c) in m.components.enumerated() { if let p = problem(c) { return "component \(i): \(p)" } }
                    return nil
                }
            }
            return problem(d.distribution)
        }
    }
}

/// `checkpoint:` what preemption, resumption, resizing and migration cost (`CheckpointRestartCosts`). Without the
/// section they are free, as in the Tiresias and Gavel simulators.
struct CheckpointConfig: DecodableMapping {
    @Field("write_gbps", .within(1e-3...1e4, "GB/s"), meaning: "storage write bandwidth one job sees, GB/s")
    var writeGBps: Double
    @Field("read_gbps", .within(1e-3...1e4, "GB/s"), meaning: "storage read bandwidth one job sees, GB/s")
    var readGBps: Double
    @Field("save_overhead_s", default: 0.0, .within(0...86_400, "seconds"), meaning: "fixed seconds of every checkpoint")
    var saveOverheadSeconds: Double
    @Field("load_overhead_s", default: 0.0, .within(0...86_400, "seconds"), meaning: "fixed seconds of every restore (process and framework start)")
    var loadOverheadSeconds: Double
    @OptionalField("state_gb", .within(0...1e5, "GB"), meaning: "state of every job, GB (default: its zoo model's memory footprint)")
    var stateGB: Double?
    @Field("default_state_gb", default: 0.0, .within(0...1e5, "GB"), meaning: "state of jobs without a zoo model, GB")
    var defaultStateGB: Double
    @Field("first_start", default: false, meaning: "charge the restore overhead on a job's first start too")
    var firstStart: Bool
    @OptionalField("interval_s", .range(.above(0, upTo: InputLimits.maxDurationSeconds, "seconds")),
                   meaning: "seconds of running time between periodic checkpoints, free in this model (what a failure loses); default: none")
    var intervalSeconds: Double?

    /// The cost model these fields describe.
    var costs: CheckpointRestartCosts {
        CheckpointRestartCosts(
            writeBytesPerSecond: writeGBps * 1e9, readBytesPerSecond: readGBps * 1e9, saveOverheadSeconds: saveOverheadSeconds,
            loadOverheadSeconds: loadOverheadSeconds, stateBytes: stateGB.map { $0 * 1e9 }, defaultStateBytes: defaultStateGB * 1e9,
            chargeFirstStart: firstStart)
    }
}

/// `sharing:` how many jobs may share a GPU when a policy asks (Gandiva's packing and time-slicing) and how they slow
/// each other (`GPUSharingModel`). Without the section: up to two per GPU, Gavel's measured pairs, 60 s slices.
struct SharingConfig: DecodableMapping {
    @Field("max_jobs_per_gpu", default: GPUSharingModel.defaultMaxJobsPerGPU, .within(1...8, "jobs per GPU"),
           meaning: "most jobs on one GPU (1 turns sharing off)")
    var maxJobsPerGPU: Int
    @Field("default_factor", default: GPUSharingModel.defaultPackedFactor, .within(1e-3...1, "a speed factor"),
           meaning: "speed factor of a packed pair the table does not know")
    var defaultFactor: Double
    @Field("time_slice_s", default: GPUSharingModel.defaultTimeSliceSeconds, .within(1e-3...86_400, "seconds"),
           meaning: "time slice of time-sliced GPUs")
    var timeSliceSeconds: Double
    @Field("switch_overhead_s", default: GPUSharingModel.defaultSwitchOverheadSeconds, .within(0...86_400, "seconds"),
           meaning: "suspend + resume cost per slice, below the slice")
    var switchOverheadSeconds: Double
    @Field("factors", default: [], meaning: "co-location factors that add to or replace the measured table")
    var factors: [SharingFactorConfig]

    func finishDecoding(_ decoder: Decoder) throws {
        guard switchOverheadSeconds < timeSliceSeconds else {
            throw decoder.invalid("switch_overhead_s", "expected less than time_slice_s (\(timeSliceSeconds)), got \(switchOverheadSeconds)")
        }
    }

    /// The engine's model these fields describe.
    var model: GPUSharingModel {
        var m = GPUSharingModel(
            maxJobsPerGPU: maxJobsPerGPU, defaultFactor: defaultFactor, timeSliceSeconds: timeSliceSeconds,
            switchOverheadSeconds: switchOverheadSeconds)
        for f in factors { m.setFactor(f.factor, model: ModelZoo.index(named: f.model)!, with: ModelZoo.index(named: f.with)!) }
        return m
    }
}

/// One entry of `sharing.factors`: `model` runs at `factor` of its speed alone while packed with `with`.
struct SharingFactorConfig: DecodableMapping {
    @Field("model", .oneOf(ModelZoo.names), meaning: "the slowed job's zoo model")
    var model: String
    @Field("with", .oneOf(ModelZoo.names), meaning: "the co-runner's zoo model")
    var with: String
    @Field("factor", .within(1e-3...1, "a speed factor"), meaning: "speed packed ÷ speed alone")
    var factor: Double
}

/// `network:` which speed model to use and the fabric's parameters.
///
/// `model: flow` (the default once the section is present) shares links between jobs by max-min fairness over an
/// explicit link graph; `model: alpha-beta`, also the behaviour without the section, is the first-version per-job
/// α–β model.
struct NetworkConfig: DecodableMapping {
    @Field("model", default: "flow", .oneOf(["flow", "alpha-beta"]), meaning: "speed model")
    var model: String
    @Field("oversubscription", default: 1.0, .within(0.01...1000, "a ratio"), meaning: "ToR uplink = Σ NIC bandwidth of the rack / this")
    var oversubscription: Double
    @Field("gamma", default: StepTimeModel.defaultGamma, .within(1...100, "an overlap exponent"), meaning: "overlap exponent γ of (T_c^γ + T_n^γ)^(1/γ) for zoo models without their own")
    var gamma: Double
    @Field("small_message_bytes", default: CollectiveOptions().smallMessageBytes, .within(0...1e15, "bytes"),
           meaning: "below this, halving-doubling (latency-bound) all-reduce")
    var smallMessageBytes: Double
    @Field("link_sample_s", default: 3600.0, .within(1...InputLimits.maxDurationSeconds, "seconds"), meaning: "simulated seconds between busiest-link samples")
    var linkSampleSeconds: Double
    @Field("busiest_links", default: 16, .within(0...10_000, "links"), meaning: "links recorded per sample")
    var busiestLinks: Int
    // Shares and bandwidths have floors: a link a million times slower than any real one turns a day of work into
    // more time than the simulated clock holds (found by fuzzing: nic_efficiency 1e-300 trapped in `run`).
    @Field("nic_efficiency", default: 1.0, .within(0.01...1, "a share"), meaning: "achievable share of NIC bandwidth")
    var nicEfficiency: Double
    @Field("intra_node_efficiency", default: 1.0, .within(0.01...1, "a share"), meaning: "achievable share of intra-node bandwidth")
    var intraNodeEfficiency: Double
    @Field("spine_efficiency", default: 1.0, .within(0.01...1, "a share"), meaning: "achievable share of ToR uplink bandwidth")
    var spineEfficiency: Double
    @Field("spine_latency_s", default: 0.0, .within(0...3600, "seconds"), meaning: "latency added per ToR↔spine hop, seconds")
    var spineLatencySeconds: Double
    @Field("templates", default: TemplateLinkOverrides(), meaning: "per-template link parameters (GB/s, µs)")
    var templates: TemplateLinkOverrides
    // Off by default: the time-averaged load is the optimistic bound on contention (bursts interleave perfectly),
    // always-active flows the pessimistic one; existing results keep the pessimistic one (see `DutyCycle`).
    @OptionalField("fabric_profile", meaning: "a `schedlab fit -o` profile whose parameters replace these fields")
    var fabricProfile: String?
    @Field("duty_cycle", default: false, meaning: "flows load links only for the share of the iteration they are active")
    var dutyCycle: Bool
    @Field("overlap", default: OverlapKind.exponent.rawValue, .oneOf(OverlapKind.allCases.map(\.rawValue)),
           meaning: "how compute and communication combine: Pollux's exponent γ, or DDP's gradient-bucket queue")
    var overlap: String

    /// Whether the flow-level model is chosen.
    var flow: Bool { model == "flow" }

    /// `overlap` as its kind (the field accepts only the kinds' names).
    var overlapKind: OverlapKind { OverlapKind(rawValue: overlap) ?? .exponent }

    /// The fabric these fields describe.
    var fabric: FabricSpec {
        FabricSpec(
            oversubscription: oversubscription, spineLatencySeconds: spineLatencySeconds,
            intraNodeEfficiency: intraNodeEfficiency, nicEfficiency: nicEfficiency, spineEfficiency: spineEfficiency,
            nodeOverrides: templates.overrides)
    }
}

/// `network.templates:` link parameters per node template, e.g. `{dgx-a100: {nic_count: 4, nic_gbps: 24}}`.
struct TemplateLinkOverrides: Decodable, CustomStringConvertible {
    var overrides: [NodeFabricOverride] = []
    var description: String { overrides.isEmpty ? "none" : "\(overrides.count) template(s)" }

    init() {}

    init(from decoder: Decoder) throws {
        let t = try decoder.container(keyedBy: AnyCodingKey.self)
        // Template names in sorted order: YAML mappings are unordered, the fabric must not be.
        for key in t.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard let template = NodeTemplateCatalog.named(key.stringValue) else {
                throw t.invalid(key, "unknown node template '\(key.stringValue)'; expected one of: \(NodeTemplateCatalog.names.joined(separator: ", "))")
            }
            let o = try t.decode(TemplateLinkOverride.self, forKey: key)
            var override = NodeFabricOverride(templateName: template.name)
            if o.intraNodeGBps != nil || o.intraNodeLatencyMicroseconds != nil {
                override.intraNode = LinkParameters(
                    bandwidthBytesPerSecond: o.intraNodeGBps.map { $0 * 1e9 } ?? template.intraNode.bandwidthBytesPerSecond,
                    latencySeconds: o.intraNodeLatencyMicroseconds.map { $0 * 1e-6 } ?? template.intraNode.latencySeconds)
            }
            if o.nicGBps != nil || o.nicLatencyMicroseconds != nil {
                override.nic = LinkParameters(
                    bandwidthBytesPerSecond: o.nicGBps.map { $0 * 1e9 } ?? template.nic.bandwidthBytesPerSecond,
                    latencySeconds: o.nicLatencyMicroseconds.map { $0 * 1e-6 } ?? template.nic.latencySeconds)
            }
            override.nicCount = o.nicCount
            override.tcpStreamBytesPerSecond = o.tcpStreamGBps.map { $0 * 1e9 }
            override.socketsPerConnection = o.socketsPerConnection
            override.flatRing = o.flatRing
            override.nodePairBytesPerSecond = o.nodePairGBps.map { $0 * 1e9 }
            overrides.append(override)
        }
    }
}

/// One template's link overrides.
struct TemplateLinkOverride: DecodableMapping {
    @OptionalField("intra_node_gbps", .within(0.01...1e5, "GB/s"), meaning: "intra-node bandwidth per GPU, GB/s")
    var intraNodeGBps: Double?
    @OptionalField("intra_node_latency_us", .within(0...1e6, "µs"), meaning: "intra-node latency, µs")
    var intraNodeLatencyMicroseconds: Double?
    @OptionalField("nic_count", .within(1...64, "NICs per node"), meaning: "NICs per node")
    var nicCount: Int?
    @OptionalField("nic_gbps", .within(0.01...1e5, "GB/s"), meaning: "bandwidth per NIC, GB/s")
    var nicGBps: Double?
    @OptionalField("nic_latency_us", .within(0...1e6, "µs"), meaning: "NIC latency, µs")
    var nicLatencyMicroseconds: Double?
    // The network-fidelity mechanisms (README "Network model fidelity"): a cloud's per-TCP-stream cap, NCCL's sockets
    // per connection (NCCL_SOCKET_NTHREADS × NCCL_NSOCKS_PERTHREAD, at most 64 in NCCL), and NCCL's flat ring.
    @OptionalField("tcp_stream_gbps", .within(0.01...1e5, "GB/s"), meaning: "rate cap of one TCP stream between nodes, GB/s")
    var tcpStreamGBps: Double?
    @OptionalField("sockets_per_connection", .within(1...64, "sockets"), meaning: "TCP streams per NCCL connection")
    var socketsPerConnection: Int?
    @OptionalField("flat_ring", meaning: "NCCL's flat ring through every rank instead of the two-level all-reduce")
    var flatRing: Bool?
    // Both directions between two nodes sharing one limit (NodeTemplate.nodePairBytesPerSecond; README "Network model
    // fidelity", the two-node rows).
    @OptionalField("node_pair_gbps", .within(0.01...1e5, "GB/s"), meaning: "combined rate cap, both directions, of a job's traffic between two nodes, GB/s")
    var nodePairGBps: Double?
}

/// `cluster:` racks of node groups, or a cluster sized from the trace (`from_trace`).
struct ClusterConfig: DecodableMapping {
    @OptionalField("racks", meaning: "racks (one ToR switch each) of node groups")
    var racks: [RackConfig]?
    @OptionalField("from_trace", meaning: "as many nodes of one template as the trace needs")
    var fromTrace: FromTraceConfig?
    @OptionalField("hardware_profile", meaning: "a `schedlab hw calibrate` profile replacing its GPU type's catalog figures")
    var hardwareProfile: String?

    func finishDecoding(_ decoder: Decoder) throws {
        switch (racks, fromTrace) {
        case (let r?, nil): guard !r.isEmpty else { throw decoder.invalid("racks", "expected at least one rack") }
        case (nil, _?): break
        default: throw decoder.invalid("expected exactly one of 'racks' or 'from_trace'")
        }
    }
}

/// `cluster.from_trace:` as many nodes of one template as the trace needs.
///
/// nodes = ceil(max(peak concurrent GPU demand with zero queueing × capacity, largest job) / GPUs per node),
/// in racks of `nodes_per_rack`. capacity < 1 makes jobs queue; > 1 leaves headroom.
struct FromTraceConfig: DecodableMapping {
    @Field("template", NodeGroupConfig.knownTemplate, meaning: "node template (`schedlab info templates`)")
    var templateName: String
    @OptionalField("gpu", NodeGroupConfig.knownGPU, meaning: "another GPU type in the same chassis")
    var gpu: String?
    @OptionalField("gpus", .within(1...64, "GPUs per node"), meaning: "GPUs per node instead of the template's")
    var gpus: Int?
    @Field("capacity", default: 1.0, .range(.above(0, upTo: 1000, "a share of the peak")), meaning: "cluster size as a share of the trace's no-queueing peak")
    var capacity: Double
    @Field("nodes_per_rack", default: 16, .within(1...InputLimits.maxNodes, "nodes per rack"), meaning: "nodes per rack")
    var nodesPerRack: Int

    /// The node template with its GPU type and count fitted.
    var template: NodeTemplate { NodeGroupConfig.fitted(templateName, gpu: gpu, gpus: gpus)! }
}

/// One rack (one ToR switch) and its nodes.
struct RackConfig: DecodableMapping {
    @OptionalField("name", meaning: "rack name (default: rackN)")
    var name: String?
    @Field("nodes", meaning: "node groups")
    var nodes: [NodeGroupConfig]

    func finishDecoding(_ decoder: Decoder) throws {
        guard !nodes.isEmpty else { throw decoder.invalid("nodes", "expected at least one node group") }
    }
}

/// `count` nodes built from a template, optionally with another GPU type or GPU count fitted.
struct NodeGroupConfig: DecodableMapping {
    @Field("template", NodeGroupConfig.knownTemplate, meaning: "node template (`schedlab info templates`)")
    var templateName: String
    @Field("count", default: 1, .within(1...InputLimits.maxNodes, "nodes"), meaning: "nodes in the group")
    var count: Int
    @OptionalField("gpu", NodeGroupConfig.knownGPU, meaning: "another GPU type in the same chassis")
    var gpu: String?
    @OptionalField("gpus", .within(1...64, "GPUs per node"), meaning: "GPUs per node instead of the template's")
    var gpus: Int?

    /// The node template with its GPU type and count fitted.
    var template: NodeTemplate { Self.fitted(templateName, gpu: gpu, gpus: gpus)! }

    /// A template name of the catalog.
    static let knownTemplate = FieldCheck<String> { name in
        NodeTemplateCatalog.named(name) != nil ? nil
            : "unknown node template '\(name)'; expected one of: \(NodeTemplateCatalog.names.joined(separator: ", "))"
    }

    /// A GPU type name of the catalog.
    static let knownGPU = FieldCheck<String> { gpu in
        GPUCatalog.named(gpu) != nil ? nil : "unknown GPU type '\(gpu)'; expected one of: \(GPUCatalog.names.joined(separator: ", "))"
    }

    /// The catalog template `name` with GPU type `gpu` and `gpus` per node fitted; nil for unknown names.
    static func fitted(_ name: String, gpu: String?, gpus: Int?) -> NodeTemplate? {
        guard var t = NodeTemplateCatalog.named(name) else { return nil }
        if let gpu {
            guard let type = GPUCatalog.named(gpu) else { return nil }
            t = t.with(gpuType: type)
        }
        if let gpus { t.gpuCount = gpus }
        return t
    }
}

extension WorkloadConfig: NestedMappings {
    static var nestedMappings: [(key: String?, type: any DecodableMapping.Type)] { [(nil, Sections.self)] }
}

extension TemplateLinkOverrides: NestedMappings {
    static var nestedMappings: [(key: String?, type: any DecodableMapping.Type)] { [("<template>", TemplateLinkOverride.self)] }
}

/// `workload:` exactly one of `synthetic` or `trace`.
enum WorkloadConfig: Decodable {
    case synthetic(SyntheticConfig)
    case trace(TraceConfig)

    fileprivate struct Sections: DecodableMapping {
        // Expanded by `WorkloadInclude` before decoding, so never seen here; declared so that errors list it.
        @OptionalField("include", meaning: "a YAML file holding the workload section, merged under the fields here")
        var include: String?
        @OptionalField("synthetic", meaning: "jobs generated from distributions")
        var synthetic: SyntheticConfig?
        @OptionalField("trace", meaning: "jobs replayed from a canonical CSV trace")
        var trace: TraceConfig?
    }

    init(from decoder: Decoder) throws {
        let s = try Sections(from: decoder)
        switch (s.synthetic, s.trace) {
        case (let synthetic?, nil): self = .synthetic(synthetic)
        case (nil, let trace?): self = .trace(trace)
        default: throw decoder.invalid("expected exactly one of 'synthetic' or 'trace'")
        }
    }
}

/// `workload.trace:` a canonical CSV (path relative to the scenario file) and what to replay of it.
struct TraceConfig: DecodableMapping {
    @Field("file", meaning: "canonical CSV, relative to the scenario file")
    var file: String
    @Field("window", default: WindowConfig(), meaning: "submit times in [start_s, end_s) on the trace clock, rebased to 0")
    var window: WindowConfig
    @Field("filter", default: FilterConfig(), meaning: "which jobs to keep")
    var filter: FilterConfig
    @Field("time_scale", default: 1.0, .range(.above(0, upTo: 1e6, "a factor (0.5 = arrivals twice as dense)")), meaning: "submit times are multiplied by this")
    var timeScale: Double
    @Field("assign_models", default: ModelWeights(), meaning: "seeded zoo model for jobs without one")
    var assignModels: ModelWeights
    @Field("on_bad_row", default: "fail", .oneOf(["fail", "skip"]), meaning: "stop at a bad row, or skip and count it")
    var onBadRow: String

    /// The replayed selection these fields describe.
    var selection: TraceSelection { TraceSelection(window: window, filter: filter, timeScale: timeScale) }
    /// Zoo models to assign, with weights.
    var models: [(index: Int, weight: Double)] { assignModels.weights }
    /// Whether bad rows are skipped.
    var skipBadRows: Bool { onBadRow == "skip" }
}

/// `workload.trace.window:`.
struct WindowConfig: DecodableMapping, CustomStringConvertible {
    @OptionalField("start_s", .within(0...InputLimits.maxArrivalSeconds, "seconds"), meaning: "first submit time kept, trace clock")
    var start: Double?
    @OptionalField("end_s", .range(.above(0, upTo: InputLimits.maxArrivalSeconds, "seconds")), meaning: "submit times before this are kept, trace clock")
    var end: Double?
    var description: String { "the whole trace" }

    func finishDecoding(_ decoder: Decoder) throws {
        if let b = end, !(b.isFinite && b > (start ?? 0)) { throw decoder.invalid("end_s", "expected seconds > start_s, got \(b)") }
    }
}

/// `workload.trace.filter:`.
struct FilterConfig: DecodableMapping, CustomStringConvertible {
    @OptionalField("job_id_prefix", meaning: "keep jobs whose id starts with this")
    var jobIDPrefix: String?
    @OptionalField("min_gpus", .within(1...InputLimits.maxGPUsPerJob, "GPUs"), meaning: "keep jobs with at least this many GPUs")
    var minGPUs: Int?
    @OptionalField("max_gpus", .within(1...InputLimits.maxGPUsPerJob, "GPUs"), meaning: "keep jobs with at most this many GPUs")
    var maxGPUs: Int?
    var description: String { "every job" }

    func finishDecoding(_ decoder: Decoder) throws {
        if let m = maxGPUs, m < (minGPUs ?? 1) { throw decoder.invalid("max_gpus", "expected an integer >= min_gpus, got \(m)") }
    }
}

/// A `{model: weight}` mapping of zoo models, in name order (YAML mappings are unordered).
struct ModelWeights: Decodable, CustomStringConvertible, NamedNumbers {
    static let keyPlaceholder = "<model>"
    static let validText = "weights in 0...1e12, at least one > 0"
    var weights: [(index: Int, weight: Double)] = []
    var description: String { "none" }

    init() {}

    init(from decoder: Decoder) throws {
        let m = try decoder.container(keyedBy: AnyCodingKey.self)
        for k in m.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard let index = ModelZoo.index(named: k.stringValue) else {
                throw m.invalid(k, "unknown model '\(k.stringValue)'; expected one of: \(ModelZoo.names.joined(separator: ", "))")
            }
            let w = try m.decode(Double.self, forKey: k)
            guard w.isFinite && w >= 0 && w <= 1e12 else { throw m.invalid(k, "expected a weight in 0...1e12, got \(w)") }
            weights.append((index, w))
        }
        guard weights.contains(where: { $0.weight > 0 }) else { throw decoder.invalid("expected at least one weight > 0") }
    }
}

/// `policy:` the scheduling policy, its parameters and the placement strategy.
struct PolicyConfig: DecodableMapping {
    @Field("name", FieldCheck { n in
        PolicyCatalog.entry(n) == nil ? "unknown policy '\(n)'; expected one of: \(PolicyCatalog.names.joined(separator: ", "))" : nil
    }, meaning: "policy (`schedlab info policies`)")
    var name: String
    @Field("placement", default: PackedPlacement.name, FieldCheck { p in
        PlacementCatalog.make(p) == nil ? "unknown placement '\(p)'; expected one of: \(PlacementCatalog.names.joined(separator: ", "))" : nil
    }, meaning: "placement strategy (`schedlab info placements`)")
    var placement: String
    @OptionalField("params", meaning: "the policy's parameters (`schedlab info policies`)")
    var params: NestedDecoder?
    @OptionalField("command", FieldCheck { c in
        c.isEmpty || c[0].isEmpty ? "expected the program and its arguments, e.g. [python3, my_policy.py]" : nil
    }, meaning: "external policy: the program and its arguments, run in the scenario file's directory")
    var command: [String]?
    @OptionalField("timeout_s", .within(0.001...86_400, "seconds"),
                   meaning: "external policy: wall-clock seconds its process may take to answer one round (10)")
    var timeoutSeconds: Double?
    @OptionalField("files", FieldCheck { f in f.contains(where: \.isEmpty) ? "expected file paths, got an empty one" : nil },
                   meaning: "external policy: more files its process reads (weights, modules), hashed into the scenario hash")
    var files: [String]?
    /// The policy built from `name` and `params` once both are decoded.
    private var made: (any SchedulingPolicy)?

    /// The policy, configured with its parameters (defaults when absent).
    var policy: any SchedulingPolicy { made! }
    /// Whether the file gives parameters.
    var hasParameters: Bool { params != nil }

    // The parameters' type depends on the sibling `name`, so they are decoded here, after both fields.
    mutating func finishDecoding(_ decoder: Decoder) throws {
        if name == ExternalPolicy.name {
            // An external policy's parameters are the process's business: any mapping, passed on as JSON.
            guard let command else { throw decoder.invalid("command", ExternalPolicy.needsCommand.description) }
            let parameters = try params.map { try JSONValue(from: $0.decoder) } ?? .object([])
            guard case .object = parameters else { throw decoder.invalid("params", "expected a mapping, got \(parameters.summary)") }
            made = ExternalPolicy(ExternalPolicy.Configuration(
                command: command, timeoutSeconds: timeoutSeconds ?? ExternalPolicy.defaultTimeoutSeconds, parameters: parameters))
            return
        }
        for (key, given) in [("command", command != nil), ("timeout_s", timeoutSeconds != nil), ("files", files != nil)] where given {
            throw decoder.invalid(key, "only for policy 'external' (this scenario's policy is '\(name)')")
        }
        made = try PolicyCatalog.entry(name)!.make(params?.decoder)
    }
}

/// A mapping whose decoding waits for a sibling field: its decoder, kept for `finishDecoding`.
struct NestedDecoder: Decodable {
    let decoder: Decoder
    init(from decoder: Decoder) throws { self.decoder = decoder }
}
