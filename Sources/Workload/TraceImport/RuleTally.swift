/// Counts of rows per conversion rule, in the order the rules were declared (so reports are deterministic).
public struct RuleTally: Sendable {
    /// (rule, count) pairs in declaration order; rules that never fired have count 0.
    public private(set) var entries: [(rule: String, count: Int)]

    /// A tally of `rules`, all at zero.
    public init(_ rules: [String] = []) {
        entries = rules.map { ($0, 0) }
    }

    /// Adds `n` to `rule`, appending the rule if it was not declared.
    public mutating func count(_ rule: String, _ n: Int = 1) {
        if let i = entries.firstIndex(where: { $0.rule == rule }) {
            entries[i].count += n
        } else {
            entries.append((rule, n))
        }
    }

    /// Adds every count of `other`, keeping this tally's order and appending rules it lacks.
    public mutating func add(_ other: RuleTally) {
        for e in other.entries { count(e.rule, e.count) }
    }

    /// The total over all rules.
    public var total: Int { entries.reduce(0) { $0 + $1.count } }

    /// The count for `rule` (0 if absent).
    public subscript(rule: String) -> Int { entries.first { $0.rule == rule }?.count ?? 0 }
}
