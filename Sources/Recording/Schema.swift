import GRDB

/// The results database: one SQLite file, many runs, every result row keyed by `run` (= `runs.id`).
///
/// Conventions: simulated times are seconds as REAL (`SimTime.seconds`, converted from integer nanoseconds,
/// so exact to well under a microsecond for any realistic run); wall-clock times are ISO-8601 UTC TEXT with
/// milliseconds (`2025-11-26T15:39:00.123Z`); job IDs are the simulator's dense IDs (0-based, submission order);
/// nullable columns are NULL exactly when the quantity does not exist (a job that never started has no start).
/// Rows of `allocations` and `samples` are inserted in `RunResult` order, so `ORDER BY rowid` restores it.
///
/// `runs` — one row per run attempt.
/// - `id` INTEGER PK AUTOINCREMENT: run ID (never reused, even after deletes).
/// - `scenario` TEXT: scenario name. `scenario_hash` TEXT: hex digest of the canonical scenario.
/// - `scenario_text` TEXT NULL (v4): the scenario YAML the run used, exactly as loaded after any `--set`
///   overrides; with the seed, policy and placement columns and the files it names, enough to run it again
///   (`schedlab rerun`). NULL for runs recorded before v4. `scenario_path` TEXT NULL (v4): the scenario path as
///   given on the command line; relative paths inside the text (trace, hardware profile) resolve against its
///   directory. NULL before v4.
/// - `seed` INTEGER: master seed as `Int64(bitPattern:)` of the UInt64 seed (seeds ≥ 2^63 read negative; add 2^64).
/// - `policy` TEXT, `placement` TEXT: scheduling policy and placement strategy names.
/// - `parameters` TEXT: policy parameters as JSON/YAML text, '' when none.
/// - `code_version` TEXT: simulator version that produced the run: the release and the git commit the binary was
///   built from, `0.1.0+g<12 hex digits>[-dirty]` ("-dirty": built with uncommitted changes), or the release alone
///   for a binary built outside a git checkout.
/// - `schedlab_version` TEXT NULL (v5): SchedLab's semantic version alone (e.g. `0.1.0`), the number a paper cites
///   (see CITATION.cff). NULL for runs recorded before v5 (their `code_version` starts with the release).
/// - `wall_start` TEXT, `wall_end` TEXT NULL: wall-clock start and end (end NULL while running).
/// - `status` TEXT: 'running' | 'complete' | 'failed' | 'interrupted' (v7). `error` TEXT NULL: failure message when
///   'failed'; for 'interrupted', the signal that stopped it (`interrupted by SIGINT`).
/// - `sim_end_s` REAL NULL: simulated time of the last event, s (set when complete or interrupted).
/// - `events` INTEGER NULL: events processed (set when complete or interrupted).
/// - `skipped_input_rows` INTEGER: trace rows skipped as bad (scenario `on_bad_row: skip`), 0 otherwise (v2).
///
/// `jobs` — one row per job of a complete run; PK (`run`, `job`).
/// - `run` INTEGER → runs.id. `job` INTEGER: job ID. `name` TEXT: the job's name in its trace or generator.
/// - `submit_s` REAL: submission time, s. `first_start_s` REAL NULL: first start, s (NULL: never started).
/// - `finish_s` REAL NULL: completion time, s (NULL: unfinished when the run ended).
/// - `gpus` INTEGER: GPUs requested. `gpu_type` TEXT NULL: GPU type of its first placement, else its
///   constraint, else NULL. `model` TEXT NULL: model-zoo name, if known.
/// - `queue_delay_s` REAL NULL: first start − submit, s. `jct_s` REAL NULL: finish − submit (job completion
///   time), s. `run_time_s` REAL: total seconds spent running (sum of allocation intervals).
/// - `preemptions` INTEGER: times the job was preempted.
///
/// - `mean_iteration_s` REAL NULL (v3): mean seconds per iteration over its running time, time-weighted; NULL
///   for jobs without a zoo model or that never ran. `comm_fraction` REAL NULL (v3): mean share of an iteration
///   spent on communication not hidden by compute (α–β model: communication / (compute + communication)).
/// - v4: `user` TEXT NULL (the trace's user), `migrations`, `resizes`, `restarts` INTEGER (restarts: starts after a
///   preemption), `overhead_s` REAL and `overhead_gpu_s` REAL (time and GPU-time held in restores, checkpoints,
///   resizes and migrations), `isolated_s` REAL NULL (run time alone at the requested size on its packed reference
///   placement), `rho` REAL NULL (finish-time fairness: `jct_s / isolated_s`, completed jobs), `failures` INTEGER
///   (times a node or GPU failure killed the job), `lost_s` REAL and `lost_gpu_s` REAL (running seconds and
///   GPU-seconds of running time thrown away by those failures: progress since the last periodic checkpoint).
///   NULL for older runs.
///
/// `users` (v4, a view) — per run and user (the trace's `user` column; '' for jobs without one): `jobs`,
/// `completed`, `jct_mean_s`, `queue_mean_s`, `gpu_hours` (GPU-hours held), `rho_mean`, `rho_max`: fairness per tenant.
///
/// `links` (v3) — with `network: {model: flow}` only: at every `link_sample_s` of simulated time, the
/// `busiest_links` most utilised fabric links. `run`, `time_s` REAL, `link` INTEGER (dense link ID of the run's
/// link graph), `name` TEXT (e.g. 'nic12.up', 'rack0.up'), `utilization` REAL (load / capacity, 0–1).
///
/// `allocations` — one row per contiguous interval a job held GPUs of one node.
/// - `run` INTEGER → runs.id. `job` INTEGER: job ID. `start_s` REAL, `end_s` REAL: interval, s.
/// - `node` INTEGER: node ID (0-based, cluster-file order).
/// - `gpus` TEXT: node-local GPU indices held, ascending, comma-separated (e.g. '0,1,2,3').
///
/// - `first_gpu` INTEGER NULL (v4): global index of the node's first GPU (0-based over the whole cluster, nodes in
///   cluster-file order), so local GPU i is global GPU `first_gpu + i`. NULL for runs recorded before v4.
///
/// `allocation_gpus` (v4, a view) — `allocations` with one row per GPU, so per-GPU questions are plain SQL: one row
/// per job × global GPU index × interval (none for runs recorded before v4). A view rather than a table: written out,
/// its rows (one per GPU of every interval) more than doubled the time to record a run.
/// - `run`, `job`, `start_s`, `end_s` as in `allocations`; `gpu` INTEGER: the global GPU index.
/// - Who held GPU 17 at time t: `SELECT job FROM allocation_gpus WHERE run = ? AND gpu = 17 AND start_s <= t AND
///   t < end_s` (the view expands the run's allocation rows, found through their index on `run`).
///
/// `samples` — cluster occupancy step function: each row holds from `time_s` until the next row's `time_s`.
/// - `run` INTEGER → runs.id. `time_s` REAL: when this state began, s.
/// - `busy_gpus` INTEGER: GPUs held by jobs. `queued_jobs` INTEGER: jobs waiting (queued or preempted).
/// - `running_jobs` INTEGER: jobs running.
///
/// `summary` — named summary metrics of a complete run; PK (`run`, `metric`).
/// - `run` INTEGER → runs.id. `metric` TEXT: metric name (unit in the suffix, e.g. 'jct_p95_s').
/// - `value` REAL NULL: the value; NULL when it is undefined (NaN, e.g. a mean over zero finished jobs).
///
/// `sweep_points` (v6) — one row per attempt at a point of a `schedlab sweep` grid.
/// - `sweep` TEXT: the sweep's name. `point` INTEGER: the point's position in the grid (0-based, sweep-file order).
/// - `key` TEXT: hex SHA-256 of the base scenario file's bytes and every override the point applies, in order: what
///   makes two attempts the same point, so a resumed sweep skips points whose run completed.
/// - `settings` TEXT: the swept fields as a JSON object in axis order, each value its YAML text
///   (`{"policy.name": "fifo", "seed": "1"}`).
/// - `run` INTEGER NULL → runs.id: the run this attempt recorded; NULL when the point failed before a run began (its
///   scenario did not load with these settings, or the worker died before starting it). The point's status is its
///   run's status. `error` TEXT NULL: why the attempt failed when no run says it (a failed run's reason is
///   `runs.error`). `wall_time` TEXT: when the attempt was recorded (ISO-8601 UTC).
///
/// v6 also gives `runs` its merge provenance: `origin_db` TEXT NULL (the database file `schedlab merge` copied the run
/// from, as given) and `origin_run` INTEGER NULL (its ID there); NULL for runs recorded directly. A run merged twice
/// keeps its first origin.
///
/// v7 rebuilds `runs` (same columns, same order, same IDs and AUTOINCREMENT counter) so that its status CHECK
/// admits 'interrupted': a run stopped by SIGINT or SIGTERM. SQLite cannot alter a CHECK constraint in place.
///
/// Result tables reference `runs` with ON DELETE CASCADE (GRDB enables foreign keys), so deleting a run row
/// deletes its results. Migrations are append-only: never edit "v1"; add "v2" etc. `SchemaMigrator` applies them,
/// safely under concurrent openers, and refuses a database with migrations it does not know (a newer SchedLab's).
enum Schema {
    /// Tables created by the migrations, in creation order.
    static let tableNames = ["runs", "jobs", "allocations", "samples", "summary", "links", "sweep_points"]

    /// The migrator that brings any results database up to the current schema.
    static var migrator: SchemaMigrator {
        var migrator = SchemaMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    scenario TEXT NOT NULL,
                    scenario_hash TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    policy TEXT NOT NULL,
                    placement TEXT NOT NULL,
                    parameters TEXT NOT NULL DEFAULT '',
                    code_version TEXT NOT NULL,
                    wall_start TEXT NOT NULL,
                    wall_end TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
                    error TEXT,
                    sim_end_s REAL,
                    events INTEGER
                );
                CREATE TABLE jobs (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    job INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    submit_s REAL NOT NULL,
                    first_start_s REAL,
                    finish_s REAL,
                    gpus INTEGER NOT NULL,
                    gpu_type TEXT,
                    model TEXT,
                    queue_delay_s REAL,
                    jct_s REAL,
                    run_time_s REAL NOT NULL,
                    preemptions INTEGER NOT NULL,
                    PRIMARY KEY (run, job)
                );
                CREATE TABLE allocations (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    job INTEGER NOT NULL,
                    start_s REAL NOT NULL,
                    end_s REAL NOT NULL,
                    node INTEGER NOT NULL,
                    gpus TEXT NOT NULL
                );
                CREATE INDEX allocations_run ON allocations(run);
                CREATE TABLE samples (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    time_s REAL NOT NULL,
                    busy_gpus INTEGER NOT NULL,
                    queued_jobs INTEGER NOT NULL,
                    running_jobs INTEGER NOT NULL
                );
                CREATE INDEX samples_run ON samples(run);
                CREATE TABLE summary (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    metric TEXT NOT NULL,
                    value REAL,
                    PRIMARY KEY (run, metric)
                );
                """)
        }
        // v2: traces may be replayed with bad rows skipped; the count belongs to the run's provenance.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN skipped_input_rows INTEGER NOT NULL DEFAULT 0")
        }
        // v3: the interconnect model. Jobs gain their mean iteration time and exposed-communication share;
        // `links` holds the busiest fabric links' utilization at each sample time.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                ALTER TABLE jobs ADD COLUMN mean_iteration_s REAL;
                ALTER TABLE jobs ADD COLUMN comm_fraction REAL;
                CREATE TABLE links (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    time_s REAL NOT NULL,
                    link INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    utilization REAL NOT NULL
                );
                CREATE INDEX links_run ON links(run);
                """)
        }
        // v4: runs keep the scenario text they ran and its path, so a run can be reproduced from the database
        // alone; allocations gain their node's first global GPU, and the allocation_gpus view makes GPU holdings
        // queryable by GPU (allocations.gpus, '0,1,2,3', becomes a JSON array once bracketed).
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                ALTER TABLE runs ADD COLUMN scenario_text TEXT;
                ALTER TABLE runs ADD COLUMN scenario_path TEXT;
                ALTER TABLE allocations ADD COLUMN first_gpu INTEGER;
                ALTER TABLE jobs ADD COLUMN user TEXT;
                ALTER TABLE jobs ADD COLUMN migrations INTEGER;
                ALTER TABLE jobs ADD COLUMN resizes INTEGER;
                ALTER TABLE jobs ADD COLUMN restarts INTEGER;
                ALTER TABLE jobs ADD COLUMN overhead_s REAL;
                ALTER TABLE jobs ADD COLUMN overhead_gpu_s REAL;
                ALTER TABLE jobs ADD COLUMN isolated_s REAL;
                ALTER TABLE jobs ADD COLUMN rho REAL;
                ALTER TABLE jobs ADD COLUMN failures INTEGER;
                ALTER TABLE jobs ADD COLUMN lost_s REAL;
                ALTER TABLE jobs ADD COLUMN lost_gpu_s REAL;
                CREATE VIEW users AS
                    SELECT run, coalesce(user, '') AS user, count(*) AS jobs, count(finish_s) AS completed,
                           avg(jct_s) AS jct_mean_s, avg(CASE WHEN finish_s IS NOT NULL THEN queue_delay_s END) AS queue_mean_s,
                           sum(run_time_s * gpus) / 3600.0 AS gpu_hours, avg(rho) AS rho_mean, max(rho) AS rho_max
                    FROM jobs GROUP BY run, coalesce(user, '');
                CREATE VIEW allocation_gpus AS
                    SELECT a.run AS run, a.job AS job, a.start_s AS start_s, a.end_s AS end_s,
                           a.first_gpu + CAST(g.value AS INTEGER) AS gpu
                    FROM allocations AS a, json_each('[' || a.gpus || ']') AS g
                    WHERE a.first_gpu IS NOT NULL;
                """)
        }
        // v5: runs record SchedLab's semantic version in a column of its own, so results can cite the release
        // that produced them without parsing `code_version`. Older runs keep NULL: they were recorded by
        // development builds before versions were released.
        migrator.registerMigration("v5") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN schedlab_version TEXT")
        }
        // v6: sweeps record each attempt at a grid point (so a resumed sweep skips completed points and a point that
        // failed before its run began is still on record), and merged runs say where they came from.
        migrator.registerMigration("v6") { db in
            try db.execute(sql: """
                CREATE TABLE sweep_points (
                    sweep TEXT NOT NULL,
                    point INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    run INTEGER REFERENCES runs(id) ON DELETE CASCADE,
                    error TEXT,
                    wall_time TEXT NOT NULL
                );
                CREATE INDEX sweep_points_key ON sweep_points(sweep, key);
                CREATE INDEX sweep_points_run ON sweep_points(run);
                ALTER TABLE runs ADD COLUMN origin_db TEXT;
                ALTER TABLE runs ADD COLUMN origin_run INTEGER;
                """)
        }
        // v7: a run stopped by SIGINT or SIGTERM is 'interrupted', which v1's CHECK on `runs.status` rejects. SQLite
        // changes a constraint only by rebuilding the table (https://www.sqlite.org/lang_altertable.html#otheralter);
        // `SchemaMigrator` runs this with foreign keys off, so dropping the old `runs` does not cascade into the result
        // tables, whose REFERENCES name `runs` and so point at the rebuilt table once it is renamed. The AUTOINCREMENT
        // counter is carried over so that IDs of deleted runs stay unused.
        migrator.registerMigration("v7") { db in
            let counter = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'runs'")
            try db.execute(sql: """
                CREATE TABLE runs_v7 (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    scenario TEXT NOT NULL,
                    scenario_hash TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    policy TEXT NOT NULL,
                    placement TEXT NOT NULL,
                    parameters TEXT NOT NULL DEFAULT '',
                    code_version TEXT NOT NULL,
                    wall_start TEXT NOT NULL,
                    wall_end TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'interrupted')),
                    error TEXT,
                    sim_end_s REAL,
                    events INTEGER,
                    skipped_input_rows INTEGER NOT NULL DEFAULT 0,
                    scenario_text TEXT,
                    scenario_path TEXT,
                    schedlab_version TEXT,
                    origin_db TEXT,
                    origin_run INTEGER
                );
                INSERT INTO runs_v7 (id, scenario, scenario_hash, seed, policy, placement, parameters, code_version,
                                     wall_start, wall_end, status, error, sim_end_s, events, skipped_input_rows,
                                     scenario_text, scenario_path, schedlab_version, origin_db, origin_run)
                    SELECT id, scenario, scenario_hash, seed, policy, placement, parameters, code_version,
                           wall_start, wall_end, status, error, sim_end_s, events, skipped_input_rows,
                           scenario_text, scenario_path, schedlab_version, origin_db, origin_run
                    FROM runs;
                DROP TABLE runs;
                ALTER TABLE runs_v7 RENAME TO runs;
                """)
            if let counter {
                // The copy set the counter to the highest surviving ID; deleted runs may have had higher ones.
                try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'runs'")
                try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('runs', ?)", arguments: [counter])
            }
        }
        return migrator
    }
}
