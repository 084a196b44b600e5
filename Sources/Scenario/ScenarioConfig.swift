import ClusterModel
import Models
import Network
import Performance
import Scheduling
import SimRandom
import Workload

// The scenario file's schema, as strict Decodable types: every mapping rejects unknown keys, and every
// value is checked where it is decoded so that errors carry the field path (see ScenarioLoader).

/// The whole scenario file.
struct ScenarioConfig: Decodable {
    var name: String?
    var description: String?
    var seed: UInt64?
    var cluster: ClusterConfig
    var workload: WorkloadConfig
    var policy: PolicyConfig
    var network: NetworkConfig?

    enum CodingKeys: String, CodingKey, CaseIterable { case name, description, seed, cluster, workload, policy, network }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        cluster = try c.decode(ClusterConfig.self, forKey: .cluster)
        workload = try c.decode(WorkloadConfig.self, forKey: .workload)
        policy = try c.decode(PolicyConfig.self, forKey: .policy)
        network = try c.decodeIfPresent(NetworkConfig.self, forKey: .network)
    }
}

/// `network:` which speed model to use and the fabric's parameters.
///
/// `model: flow` (the default once the section is present) shares links between jobs by max-min fairness over an
/// explicit link graph; `model: alpha-beta`, also the behaviour without the section, is the first-version per-job
/// α–β model.
struct NetworkConfig: Decodable {
    var flow: Bool
    var fabric: FabricSpec
    var gamma: Double
    var smallMessageBytes: Double
    var linkSampleSeconds: Double
    var busiestLinks: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, oversubscription, gamma, small_message_bytes, link_sample_s, busiest_links, nic_efficiency,
            intra_node_efficiency, spine_efficiency, spine_latency_s, templates
    }
    enum OverrideKeys: String, CodingKey, CaseIterable {
        case intra_node_gbps, intra_node_latency_us, nic_count, nic_gbps, nic_latency_us
    }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let model = try c.decodeIfPresent(String.self, forKey: .model) ?? "flow"
        guard model == "flow" || model == "alpha-beta" else {
            throw c.invalid(.model, "expected 'flow' or 'alpha-beta', got '\(model)'")
        }
        flow = model == "flow"
        func positive(_ key: CodingKeys, _ fallback: Double) throws -> Double {
            let v = try c.decodeIfPresent(Double.self, forKey: key) ?? fallback
            guard v.isFinite && v > 0 else { throw c.invalid(key, "expected a number > 0, got \(v)") }
            return v
        }
        fabric = FabricSpec(
            oversubscription: try positive(.oversubscription, 1),
            spineLatencySeconds: try c.decodeIfPresent(Double.self, forKey: .spine_latency_s) ?? 0,
            intraNodeEfficiency: try positive(.intra_node_efficiency, 1), nicEfficiency: try positive(.nic_efficiency, 1),
            spineEfficiency: try positive(.spine_efficiency, 1))
        if c.contains(.templates) {
            // Per-template link parameters, e.g. templates: {dgx-a100: {nic_count: 4, nic_gbps: 24}} (GB/s, µs).
            let t = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .templates)
            for key in t.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                guard let template = NodeTemplateCatalog.named(key.stringValue) else {
                    throw t.invalid(key, "unknown node template '\(key.stringValue)'; expected one of: \(NodeTemplateCatalog.names.joined(separator: ", "))")
                }
                try t.superDecoder(forKey: key).rejectUnknownKeys(allowed: OverrideKeys.allCases.map(\.rawValue))
                let o = try t.nestedContainer(keyedBy: OverrideKeys.self, forKey: key)
                func value(_ k: OverrideKeys) throws -> Double? {
                    guard let v = try o.decodeIfPresent(Double.self, forKey: k) else { return nil }
                    guard v.isFinite && v >= 0 else { throw o.invalid(k, "expected a number >= 0, got \(v)") }
                    return v
                }
                var override = NodeFabricOverride(templateName: template.name)
                if try value(.intra_node_gbps) != nil || value(.intra_node_latency_us) != nil {
                    override.intraNode = LinkParameters(
                        bandwidthBytesPerSecond: try value(.intra_node_gbps).map { $0 * 1e9 } ?? template.intraNode.bandwidthBytesPerSecond,
                        latencySeconds: try value(.intra_node_latency_us).map { $0 * 1e-6 } ?? template.intraNode.latencySeconds)
                }
                if try value(.nic_gbps) != nil || value(.nic_latency_us) != nil {
                    override.nic = LinkParameters(
                        bandwidthBytesPerSecond: try value(.nic_gbps).map { $0 * 1e9 } ?? template.nic.bandwidthBytesPerSecond,
                        latencySeconds: try value(.nic_latency_us).map { $0 * 1e-6 } ?? template.nic.latencySeconds)
                }
                if let k = try o.decodeIfPresent(Int.self, forKey: .nic_count) {
                    guard k >= 1 else { throw o.invalid(.nic_count, "expected an integer >= 1, got \(k)") }
                    override.nicCount = k
                }
                fabric.nodeOverrides.append(override)
            }
        }
        gamma = try positive(.gamma, StepTimeModel.defaultGamma)
        guard gamma >= 1 else { throw c.invalid(.gamma, "expected an overlap exponent >= 1, got \(gamma)") }
        smallMessageBytes = try c.decodeIfPresent(Double.self, forKey: .small_message_bytes) ?? CollectiveOptions().smallMessageBytes
        linkSampleSeconds = try positive(.link_sample_s, 3600)
        busiestLinks = try c.decodeIfPresent(Int.self, forKey: .busiest_links) ?? 16
        guard busiestLinks >= 0 else { throw c.invalid(.busiest_links, "expected an integer >= 0, got \(busiestLinks)") }
    }
}

/// `cluster:` racks of node groups, or a cluster sized from the trace (`from_trace`).
struct ClusterConfig: Decodable {
    var racks: [RackConfig]?
    var fromTrace: FromTraceConfig?
    /// A `schedlab hw calibrate` profile whose measured figures replace the catalog's for its GPU type.
    var hardwareProfile: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case racks, from_trace, hardware_profile }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hardwareProfile = try c.decodeIfPresent(String.self, forKey: .hardware_profile)
        racks = try c.decodeIfPresent([RackConfig].self, forKey: .racks)
        fromTrace = try c.decodeIfPresent(FromTraceConfig.self, forKey: .from_trace)
        switch (racks, fromTrace) {
        case (let r?, nil): guard !r.isEmpty else { throw c.invalid(.racks, "expected at least one rack") }
        case (nil, _?): break
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "expected exactly one of 'racks' or 'from_trace'"))
        }
    }
}

/// `cluster.from_trace:` as many nodes of one template as the trace needs.
///
/// nodes = ceil(max(peak concurrent GPU demand with zero queueing × capacity, largest job) / GPUs per node),
/// in racks of `nodes_per_rack`. capacity < 1 makes jobs queue; > 1 leaves headroom.
struct FromTraceConfig: Decodable {
    var template: NodeTemplate
    var capacity: Double
    var nodesPerRack: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case template, gpu, gpus, capacity, nodes_per_rack }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        template = try NodeGroupConfig.template(in: c, template: .template, gpu: .gpu, gpus: .gpus)
        capacity = try c.decodeIfPresent(Double.self, forKey: .capacity) ?? 1
        guard capacity.isFinite && capacity > 0 else { throw c.invalid(.capacity, "expected a number > 0, got \(capacity)") }
        nodesPerRack = try c.decodeIfPresent(Int.self, forKey: .nodes_per_rack) ?? 16
        guard nodesPerRack >= 1 else { throw c.invalid(.nodes_per_rack, "expected an integer >= 1, got \(nodesPerRack)") }
    }
}

/// One rack (one ToR switch) and its nodes.
struct RackConfig: Decodable {
    var name: String?
    var nodes: [NodeGroupConfig]

    enum CodingKeys: String, CodingKey, CaseIterable { case name, nodes }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        nodes = try c.decode([NodeGroupConfig].self, forKey: .nodes)
        guard !nodes.isEmpty else { throw c.invalid(.nodes, "expected at least one node group") }
    }
}

/// `count` nodes built from a template, optionally with another GPU type or GPU count fitted.
struct NodeGroupConfig: Decodable {
    var template: NodeTemplate
    var count: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case template, count, gpu, gpus }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        template = try Self.template(in: c, template: .template, gpu: .gpu, gpus: .gpus)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 1
        guard count >= 1 else { throw c.invalid(.count, "expected an integer >= 1, got \(count)") }
    }

    /// Decodes a template name with its optional `gpu` (type) and `gpus` (count per node) overrides.
    static func template<K: CodingKey>(
        in c: KeyedDecodingContainer<K>, template key: K, gpu gpuKey: K, gpus gpusKey: K
    ) throws -> NodeTemplate {
        let name = try c.decode(String.self, forKey: key)
        guard var t = NodeTemplateCatalog.named(name) else {
            throw c.invalid(key, "unknown node template '\(name)'; expected one of: \(NodeTemplateCatalog.names.joined(separator: ", "))")
        }
        if let gpu = try c.decodeIfPresent(String.self, forKey: gpuKey) {
            guard let type = GPUCatalog.named(gpu) else {
                throw c.invalid(gpuKey, "unknown GPU type '\(gpu)'; expected one of: \(GPUCatalog.names.joined(separator: ", "))")
            }
            t = t.with(gpuType: type)
        }
        if let gpus = try c.decodeIfPresent(Int.self, forKey: gpusKey) {
            guard gpus >= 1 && gpus <= 64 else { throw c.invalid(gpusKey, "expected GPUs per node in 1...64, got \(gpus)") }
            t.gpuCount = gpus
        }
        return t
    }
}

/// `workload:` exactly one of `synthetic` or `trace`.
enum WorkloadConfig: Decodable {
    case synthetic(SyntheticConfig)
    case trace(TraceConfig)

    enum CodingKeys: String, CodingKey, CaseIterable { case synthetic, trace }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch (c.contains(.synthetic), c.contains(.trace)) {
        case (true, false): self = .synthetic(try c.decode(SyntheticConfig.self, forKey: .synthetic))
        case (false, true): self = .trace(try c.decode(TraceConfig.self, forKey: .trace))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "expected exactly one of 'synthetic' or 'trace'"))
        }
    }
}

/// `workload.synthetic:` generated jobs.
struct SyntheticConfig: Decodable {
    var spec: SyntheticWorkload

    enum CodingKeys: String, CodingKey, CaseIterable { case jobs, arrivals, gpus, duration_s, models, gpu_type }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let jobs = try c.decode(Int.self, forKey: .jobs)
        guard jobs >= 1 else { throw c.invalid(.jobs, "expected an integer >= 1, got \(jobs)") }
        let arrivals = try c.decode(ArrivalConfig.self, forKey: .arrivals).spec
        let gpus = try c.decode(DistributionConfig.self, forKey: .gpus).distribution
        let duration = try c.decode(DistributionConfig.self, forKey: .duration_s).distribution
        let models = c.contains(.models)
            ? try ModelWeights.decode(c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .models), in: c, key: .models)
            : []
        let gpuType = try c.decodeIfPresent(String.self, forKey: .gpu_type)
        if let gpuType, GPUCatalog.named(gpuType) == nil {
            throw c.invalid(.gpu_type, "unknown GPU type '\(gpuType)'; expected one of: \(GPUCatalog.names.joined(separator: ", "))")
        }
        spec = SyntheticWorkload(jobCount: jobs, arrivals: arrivals, gpus: gpus, durationSeconds: duration, models: models, gpuType: gpuType)
    }
}

/// `workload.synthetic.arrivals:` Poisson at `rate_per_hour` or at a target `load`.
struct ArrivalConfig: Decodable {
    var spec: ArrivalSpec

    enum CodingKeys: String, CodingKey, CaseIterable { case process, rate_per_hour, load }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let process = try c.decodeIfPresent(String.self, forKey: .process) ?? "poisson"
        guard process == "poisson" else { throw c.invalid(.process, "unknown arrival process '\(process)'; expected: poisson") }
        switch (try c.decodeIfPresent(Double.self, forKey: .rate_per_hour), try c.decodeIfPresent(Double.self, forKey: .load)) {
        case (let rate?, nil):
            guard rate.isFinite && rate > 0 else { throw c.invalid(.rate_per_hour, "expected jobs per hour > 0, got \(rate)") }
            spec = .poisson(ratePerHour: rate)
        case (nil, let load?):
            guard load.isFinite && load > 0 else { throw c.invalid(.load, "expected a load > 0 (1.0 = cluster fully offered), got \(load)") }
            spec = .targetLoad(load)
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "expected exactly one of 'rate_per_hour' or 'load'"))
        }
    }
}

/// `workload.trace:` a canonical CSV (path relative to the scenario file) and what to replay of it.
struct TraceConfig: Decodable {
    var file: String
    var selection: TraceSelection
    var models: [(index: Int, weight: Double)]
    var skipBadRows: Bool

    enum CodingKeys: String, CodingKey, CaseIterable { case file, window, filter, time_scale, assign_models, on_bad_row }
    enum WindowKeys: String, CodingKey, CaseIterable { case start_s, end_s }
    enum FilterKeys: String, CodingKey, CaseIterable { case job_id_prefix, min_gpus, max_gpus }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
        selection = TraceSelection()
        if c.contains(.window) {
            try c.superDecoder(forKey: .window).rejectUnknownKeys(allowed: WindowKeys.allCases.map(\.rawValue))
            let w = try c.nestedContainer(keyedBy: WindowKeys.self, forKey: .window)
            selection.windowStart = try w.decodeIfPresent(Double.self, forKey: .start_s)
            selection.windowEnd = try w.decodeIfPresent(Double.self, forKey: .end_s)
            if let a = selection.windowStart, !(a.isFinite && a >= 0) { throw w.invalid(.start_s, "expected seconds >= 0, got \(a)") }
            if let b = selection.windowEnd, !(b.isFinite && b > (selection.windowStart ?? 0)) {
                throw w.invalid(.end_s, "expected seconds > start_s, got \(b)")
            }
        }
        if c.contains(.filter) {
            try c.superDecoder(forKey: .filter).rejectUnknownKeys(allowed: FilterKeys.allCases.map(\.rawValue))
            let f = try c.nestedContainer(keyedBy: FilterKeys.self, forKey: .filter)
            selection.jobIDPrefix = try f.decodeIfPresent(String.self, forKey: .job_id_prefix)
            selection.minGPUs = try f.decodeIfPresent(Int.self, forKey: .min_gpus)
            selection.maxGPUs = try f.decodeIfPresent(Int.self, forKey: .max_gpus)
            if let m = selection.minGPUs, m < 1 { throw f.invalid(.min_gpus, "expected an integer >= 1, got \(m)") }
            if let m = selection.maxGPUs, m < (selection.minGPUs ?? 1) {
                throw f.invalid(.max_gpus, "expected an integer >= min_gpus, got \(m)")
            }
        }
        selection.timeScale = try c.decodeIfPresent(Double.self, forKey: .time_scale) ?? 1
        guard selection.timeScale.isFinite && selection.timeScale > 0 else {
            throw c.invalid(.time_scale, "expected a number > 0 (0.5 = arrivals twice as dense), got \(selection.timeScale)")
        }
        models = c.contains(.assign_models)
            ? try ModelWeights.decode(c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .assign_models), in: c, key: .assign_models)
            : []
        let onBad = try c.decodeIfPresent(String.self, forKey: .on_bad_row) ?? "fail"
        guard onBad == "fail" || onBad == "skip" else { throw c.invalid(.on_bad_row, "expected 'fail' or 'skip', got '\(onBad)'") }
        skipBadRows = onBad == "skip"
    }
}

/// A `{model: weight}` mapping of zoo models, decoded in name order (YAML mappings are unordered).
enum ModelWeights {
    static func decode<K: CodingKey>(
        _ m: KeyedDecodingContainer<AnyCodingKey>, in parent: KeyedDecodingContainer<K>, key: K
    ) throws -> [(index: Int, weight: Double)] {
        var models: [(index: Int, weight: Double)] = []
        for k in m.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard let index = ModelZoo.index(named: k.stringValue) else {
                throw m.invalid(k, "unknown model '\(k.stringValue)'; expected one of: \(ModelZoo.names.joined(separator: ", "))")
            }
            let w = try m.decode(Double.self, forKey: k)
            guard w.isFinite && w >= 0 else { throw m.invalid(k, "expected a weight >= 0, got \(w)") }
            models.append((index, w))
        }
        guard models.contains(where: { $0.weight > 0 }) else { throw parent.invalid(key, "expected at least one weight > 0") }
        return models
    }
}

/// `policy:` the scheduling policy, its parameters and the placement strategy.
struct PolicyConfig: Decodable {
    var name: String
    var placement: String
    var policy: any SchedulingPolicy
    var hasParameters: Bool

    enum CodingKeys: String, CodingKey, CaseIterable { case name, placement, params }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        guard let entry = PolicyCatalog.entry(name) else {
            throw c.invalid(.name, "unknown policy '\(name)'; expected one of: \(PolicyCatalog.names.joined(separator: ", "))")
        }
        placement = try c.decodeIfPresent(String.self, forKey: .placement) ?? PackedPlacement.name
        guard PlacementCatalog.make(placement) != nil else {
            throw c.invalid(.placement, "unknown placement '\(placement)'; expected one of: \(PlacementCatalog.names.joined(separator: ", "))")
        }
        hasParameters = c.contains(.params)
        policy = try entry.make(hasParameters ? try c.superDecoder(forKey: .params) : nil)
    }
}
