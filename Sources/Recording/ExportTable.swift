import Engine

/// A table `schedlab export` writes as tidy CSV: its columns, in their documented, stable order.
///
/// Every table starts with the run's provenance (`run_id`, `scenario`, `policy`, `placement`, `seed`), so files
/// exported from different runs or databases concatenate. Column names carry their unit as a suffix (`_s` seconds,
/// `_gpu_s` GPU-seconds, `_fraction` a share of 1); names without a suffix count what they name (`gpus`,
/// `preemptions`) or are text. Rows come in run order, then in the database's row order (jobs by ID).
public enum ExportTable: String, CaseIterable, Sendable {
    case runs, jobs, summary, samples, allocations, links

    /// One exported column: its name, the SQL that reads it (`r` is the run's `runs` row, `t` the table's row).
    public struct Column: Sendable, Equatable {
        /// Header name.
        public let name: String
        /// SQL expression over `r` (runs) and `t` (this table).
        let sql: String
        /// The stored seed is `Int64(bitPattern:)` of the real seed; exports write the real (unsigned) seed.
        let isSeed: Bool

        init(_ name: String, _ sql: String? = nil, isSeed: Bool = false) {
            self.name = name
            self.sql = sql ?? "t.\(name)"
            self.isSeed = isSeed
        }
    }

    /// The run columns every table starts with.
    static let provenance: [Column] = [
        Column("run_id", "r.id"), Column("scenario", "r.scenario"), Column("policy", "r.policy"),
        Column("placement", "r.placement"), Column("seed", "r.seed", isSeed: true),
    ]

    /// Every column, in output order.
    public var columns: [Column] {
        switch self {
        case .runs:
            return Self.provenance + [
                "scenario_hash", "parameters", "code_version", "status", "error", "wall_start", "wall_end", "sim_end_s",
                "events", "skipped_input_rows", "scenario_path", "origin_db", "origin_run", "scenario_text",
            ].map { Column($0, "r.\($0)") }
        case .jobs:
            return Self.provenance + [
                "job", "name", "user", "gpus", "gpu_type", "model", "submit_s", "first_start_s", "finish_s",
                "queue_delay_s", "jct_s", "run_time_s", "isolated_s", "rho", "preemptions", "migrations", "resizes",
                "restarts", "failures", "overhead_s", "overhead_gpu_s", "lost_s", "lost_gpu_s", "mean_iteration_s",
                "comm_fraction",
            ].map { Column($0) }
        case .summary:
            // The unit comes from the metric catalog; a metric this build does not know (a newer database) has none.
            let units = SummaryMetricKind.allCases.map { "WHEN '\($0.rawValue)' THEN '\($0.definition.unit.symbol)'" }
            return Self.provenance + [
                Column("metric"), Column("unit", "CASE t.metric \(units.joined(separator: " ")) ELSE NULL END"),
                Column("value"),
            ]
        case .samples:
            return Self.provenance + ["time_s", "busy_gpus", "queued_jobs", "running_jobs"].map { Column($0) }
        case .allocations:
            return Self.provenance + ["job", "start_s", "end_s", "node", "first_gpu", "gpus"].map { Column($0) }
        case .links:
            return Self.provenance + [
                Column("time_s"), Column("link"), Column("name"), Column("utilization_fraction", "t.utilization"),
            ]
        }
    }

    /// The SELECT for the runs whose IDs are `runs` (all runs when nil), in output order.
    func query(runs: [Int64]?) -> String {
        let select = columns.map(\.sql).joined(separator: ", ")
        let filter = runs.map { "WHERE r.id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
        switch self {
        case .runs:
            return "SELECT \(select) FROM runs AS r \(filter) ORDER BY r.id"
        case .jobs:
            return "SELECT \(select) FROM jobs AS t JOIN runs AS r ON r.id = t.run \(filter) ORDER BY t.run, t.job"
        case .summary, .samples, .allocations, .links:
            return "SELECT \(select) FROM \(rawValue) AS t JOIN runs AS r ON r.id = t.run \(filter) ORDER BY t.run, t.rowid"
        }
    }
}
