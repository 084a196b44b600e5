import Workload

/// `tenants:` the terms of named users (the jobs' `user`), e.g. `{alice: {weight: 2, quota_gpus: 32}}`, attached to
/// their jobs (`JobSpec.tenant`) for fairness policies to read. Users not named have no terms.
struct TenantsConfig: Decodable, CustomStringConvertible {
    var table = TenantTable([])
    var description: String { table.entries.map(\.name).joined(separator: ", ") }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        var entries: [(name: String, terms: TenantTerms)] = []
        for key in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard !key.stringValue.isEmpty else { throw c.invalid(key, "expected a non-empty user name") }
            let t = try c.decode(TenantConfig.self, forKey: key)
            entries.append((key.stringValue, TenantTerms(weight: t.weight, quotaGPUs: t.quotaGPUs)))
        }
        guard !entries.isEmpty else { throw decoder.invalid("expected at least one tenant") }
        table = TenantTable(entries)
    }
}

extension TenantsConfig: NestedMappings {
    static var nestedMappings: [(key: String?, type: any DecodableMapping.Type)] { [("<user>", TenantConfig.self)] }
}

/// One tenant's terms.
struct TenantConfig: DecodableMapping {
    @Field("weight", default: 1.0, .within(1e-6...1e6, "a weight"), meaning: "share of the cluster relative to other tenants")
    var weight: Double
    @OptionalField("quota_gpus", .within(1...10_000_000, "GPUs"), meaning: "GPUs the tenant may hold at once (default: no quota)")
    var quotaGPUs: Int?
}
