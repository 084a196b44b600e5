import ClusterModel
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

    enum CodingKeys: String, CodingKey, CaseIterable { case name, description, seed, cluster, workload, policy }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        cluster = try c.decode(ClusterConfig.self, forKey: .cluster)
        workload = try c.decode(WorkloadConfig.self, forKey: .workload)
        policy = try c.decode(PolicyConfig.self, forKey: .policy)
    }
}

/// `cluster:` racks of node groups.
struct ClusterConfig: Decodable {
    var racks: [RackConfig]

    enum CodingKeys: String, CodingKey, CaseIterable { case racks }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        racks = try c.decode([RackConfig].self, forKey: .racks)
        guard !racks.isEmpty else { throw c.invalid(.racks, "expected at least one rack") }
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

/// `count` nodes built from a template, optionally with another GPU type fitted.
struct NodeGroupConfig: Decodable {
    var template: NodeTemplate
    var count: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case template, count, gpu }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .template)
        guard var t = NodeTemplateCatalog.named(name) else {
            throw c.invalid(.template, "unknown node template '\(name)'; expected one of: \(NodeTemplateCatalog.names.joined(separator: ", "))")
        }
        if let gpu = try c.decodeIfPresent(String.self, forKey: .gpu) {
            guard let type = GPUCatalog.named(gpu) else {
                throw c.invalid(.gpu, "unknown GPU type '\(gpu)'; expected one of: \(GPUCatalog.names.joined(separator: ", "))")
            }
            t = t.with(gpuType: type)
        }
        template = t
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 1
        guard count >= 1 else { throw c.invalid(.count, "expected an integer >= 1, got \(count)") }
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
        var models: [(index: Int, weight: Double)] = []
        if c.contains(.models) {
            let m = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .models)
            // Sorted by name: YAML mappings are unordered, and the draw must not depend on a library's order.
            for key in m.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                guard let index = ModelZoo.index(named: key.stringValue) else {
                    throw m.invalid(key, "unknown model '\(key.stringValue)'; expected one of: \(ModelZoo.names.joined(separator: ", "))")
                }
                let w = try m.decode(Double.self, forKey: key)
                guard w.isFinite && w >= 0 else { throw m.invalid(key, "expected a weight >= 0, got \(w)") }
                models.append((index, w))
            }
            guard models.contains(where: { $0.weight > 0 }) else { throw c.invalid(.models, "expected at least one weight > 0") }
        }
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

/// `workload.trace:` a canonical CSV, path relative to the scenario file.
struct TraceConfig: Decodable {
    var file: String

    enum CodingKeys: String, CodingKey, CaseIterable { case file }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
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
