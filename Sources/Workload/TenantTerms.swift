/// What a fairness policy may read about a job's tenant (the job's `user`): its weight and its GPU quota.
///
/// Carried on every `JobSpec` of a tenant the scenario names (`tenants:`), so a policy reads it from the
/// snapshot's job status (`status.spec.tenant`) without a side table. Nothing in the engine enforces it.
public struct TenantTerms: Sendable, Equatable {
    /// Relative share of the cluster the tenant is entitled to (weighted fair sharing); 1 = an equal share.
    public var weight: Double
    /// GPUs the tenant may hold at once, or nil for no quota.
    public var quotaGPUs: Int?

    /// Creates terms.
    public init(weight: Double = 1, quotaGPUs: Int? = nil) {
        self.weight = weight
        self.quotaGPUs = quotaGPUs
    }
}

/// The terms of each named tenant, applied to jobs by their `user`.
public struct TenantTable: Sendable, Equatable {
    /// Tenants and their terms, in name order.
    public let entries: [(name: String, terms: TenantTerms)]

    /// Creates a table; names are kept in sorted order so that nothing depends on how they were listed.
    public init(_ entries: [(name: String, terms: TenantTerms)]) {
        self.entries = entries.sorted { $0.name < $1.name }
    }

    /// The terms of `user`, or nil when the table does not name it.
    public func terms(of user: String?) -> TenantTerms? {
        guard let user else { return nil }
        return entries.first { $0.name == user }?.terms
    }

    /// `jobs` with the terms of their tenant attached.
    public func apply(to jobs: [JobSpec]) -> [JobSpec] {
        var index: [String: TenantTerms] = [:]
        for e in entries { index[e.name] = e.terms }
        return jobs.map { job in
            guard let user = job.user, let terms = index[user] else { return job }
            var j = job
            j.tenant = terms
            return j
        }
    }

    public static func == (a: TenantTable, b: TenantTable) -> Bool {
        a.entries.map(\.name) == b.entries.map(\.name) && a.entries.map(\.terms) == b.entries.map(\.terms)
    }
}
