/// Per grid point and policy, each metric's mean, standard deviation and confidence interval over seeds, and its
/// paired difference from a baseline policy (`schedlab compare`).
///
/// A grid point is one combination of the grid fields' values (the fields the runs' sweeps varied, and any the
/// caller names), apart from the seed (the replicate) and the policy (compared within the point). Runs whose
/// scenarios differ in any other field are refused: their differences would be confounded with the policy's.
/// Paired differences match a policy's run with the baseline's run of the same seed at the same point: same
/// seed and same non-policy fields mean the same jobs, so the pairing removes the workload's variance.
public struct Comparison: Sendable {
    /// The grid fields, in order (first appearance across the runs' sweeps, then the caller's).
    public let gridFields: [String]
    /// The baseline policy label, if any.
    public let baseline: String?
    /// The confidence level.
    public let level: Double
    /// One row per grid point × policy × metric, in grid-point, policy, metric order.
    public let rows: [Row]

    /// One grid point's policy's statistics of one metric.
    public struct Row: Sendable {
        /// The grid fields' values, in `gridFields` order.
        public let grid: [String]
        /// Policy label.
        public let policy: String
        /// Metric name.
        public let metric: String
        /// The runs it summarizes, by seed order.
        public let runs: [Int64]
        /// Over seeds.
        public let stats: SampleStatistics
        /// Policy minus baseline, paired by seed; nil without a baseline at this point (or for the baseline itself).
        public let difference: SampleStatistics?
    }

    /// Builds the comparison of `runs` (complete, in ID order) for `metrics`.
    /// - Parameters:
    ///   - extraGridFields: fields the caller declares as grid dimensions besides the sweeps' (`--by`).
    ///   - baseline: the policy label to difference against.
    public init(
        runs: [ComparedRun], metrics: [String], extraGridFields: [String] = [], baseline: String?, level: Double = 0.95
    ) throws(ComparisonError) {
        guard !runs.isEmpty else { throw .noRuns }
        var grid: [String] = []
        for field in runs.flatMap(\.sweptFields) + extraGridFields where !grid.contains(field) { grid.append(field) }
        // The replicate and the compared axis are not grid dimensions.
        let compared = ["seed", "policy.name", "policy.params"]
        let gridFields = grid.filter { g in !compared.contains { ScenarioFields.isAtOrUnder(g, $0) } }
        try Self.checkOnlyGridFieldsDiffer(runs, allowed: compared + gridFields)

        // Group: grid point → policy → runs. Arrays keep first-appearance order; the dictionaries only index them.
        var points: [[String]] = []
        var policiesByPoint: [[String]] = []
        var runsByCell: [[String]: [String: [ComparedRun]]] = [:]
        for run in runs {
            let point = gridFields.map { run.fields.value(at: $0) ?? "" }
            if runsByCell[point] == nil {
                points.append(point)
                policiesByPoint.append([])
                runsByCell[point] = [:]
            }
            let p = points.firstIndex(of: point)!
            if !policiesByPoint[p].contains(run.policy) { policiesByPoint[p].append(run.policy) }
            var cell = runsByCell[point]![run.policy] ?? []
            if let twin = cell.first(where: { $0.seed == run.seed }) {
                throw .duplicateRun(first: twin.id, second: run.id, policy: run.policy, seed: run.seed,
                                    point: zip(gridFields, point).map { "\($0)=\($1)" }.joined(separator: " "))
            }
            cell.append(run)
            runsByCell[point]![run.policy] = cell
        }
        if let baseline, !runs.contains(where: { $0.policy == baseline }) {
            throw .unknownBaseline(baseline, known: policiesByPoint.flatMap { $0 }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } })
        }
        // Grid points in numeric order where values are numbers (loads 0.5 < 0.7 < 0.9), else text order.
        let order = points.indices.sorted { Self.less(points[$0], points[$1]) }
        var rows: [Row] = []
        for p in order {
            let point = points[p]
            for policy in policiesByPoint[p] {
                let cell = runsByCell[point]![policy]!.sorted { $0.seed < $1.seed }
                let base = baseline.flatMap { runsByCell[point]![$0] }
                for metric in metrics {
                    let present = cell.filter { $0.metrics[metric] != nil }
                    var difference: SampleStatistics?
                    if let base, policy != baseline {
                        let pairs: [Double] = present.compactMap { run in
                            guard let b = base.first(where: { $0.seed == run.seed })?.metrics[metric] else { return nil }
                            return run.metrics[metric]! - b
                        }
                        difference = SampleStatistics(pairs, level: level)
                    }
                    rows.append(Row(grid: point, policy: policy, metric: metric, runs: present.map(\.id),
                                    stats: SampleStatistics(present.map { $0.metrics[metric]! }, level: level),
                                    difference: difference))
                }
            }
        }
        self.gridFields = gridFields
        self.baseline = baseline
        self.level = level
        self.rows = rows
    }

    /// Throws `.scenariosDiffer` naming every field, outside `allowed` (and what lies under it), whose value is not
    /// the same in every run, with the values seen.
    static func checkOnlyGridFieldsDiffer(_ runs: [ComparedRun], allowed: [String]) throws(ComparisonError) {
        var paths: [String] = []
        var seen = Set<String>()
        for run in runs { for leaf in run.fields.leaves where seen.insert(leaf.path).inserted { paths.append(leaf.path) } }
        var differing: [(field: String, values: [String])] = []
        for path in paths where !allowed.contains(where: { ScenarioFields.isAtOrUnder(path, $0) }) {
            var values: [String] = []
            for run in runs {
                let v = run.fields.leaves.first { $0.path == path }?.value ?? "(absent)"
                if !values.contains(v) { values.append(v) }
            }
            if values.count > 1 { differing.append((path, values)) }
        }
        if !differing.isEmpty { throw .scenariosDiffer(differing) }
    }

    /// Lexicographic over the fields, each compared as numbers when both parse as numbers.
    static func less(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            if let dx = Double(x), let dy = Double(y) { return dx < dy }
            return x < y
        }
        return false
    }
}

/// Why runs cannot be compared.
public enum ComparisonError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The filters selected no complete run.
    case noRuns
    /// The runs' scenarios differ in fields that are not grid fields: (field, the distinct values seen).
    case scenariosDiffer([(field: String, values: [String])])
    /// Two runs of the same policy and seed at the same grid point: which one counts is ambiguous.
    case duplicateRun(first: Int64, second: Int64, policy: String, seed: UInt64, point: String)
    /// The baseline policy has no run among those selected.
    case unknownBaseline(String, known: [String])
    /// A run has no scenario text (recorded before schema v4), so what it simulated cannot be checked.
    case noScenarioText(run: Int64)

    public static func == (a: ComparisonError, b: ComparisonError) -> Bool { a.description == b.description }

    public var description: String {
        switch self {
        case .noRuns:
            return "no complete runs match the filters"
        case .scenariosDiffer(let fields):
            let shown = fields.prefix(8).map { "\($0.field) (\($0.values.prefix(4).joined(separator: ", "))\($0.values.count > 4 ? ", …" : ""))" }
            return "the runs' scenarios differ in \(fields.count == 1 ? "a field" : "fields") that \(fields.count == 1 ? "is" : "are") not swept: "
                + shown.joined(separator: "; ") + (fields.count > 8 ? "; and \(fields.count - 8) more" : "")
                + "; select runs of one configuration (--sweep, --scenario, --run) or declare grid fields with --by FIELD"
        case .duplicateRun(let first, let second, let policy, let seed, let point):
            return "runs \(first) and \(second) are the same configuration (policy \(policy), seed \(seed)\(point.isEmpty ? "" : ", \(point)")); "
                + "keep one (select runs with --run or --sweep)"
        case .unknownBaseline(let name, let known):
            return "no selected run has policy '\(name)'; expected one of: \(known.joined(separator: ", "))"
        case .noScenarioText(let run):
            return "run \(run) was recorded before the database kept scenario text (schema v4), so its scenario cannot be "
                + "checked against the others; leave it out with --run"
        }
    }
}
