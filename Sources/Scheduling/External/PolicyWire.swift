import ClusterModel

/// The names and numbers of the external-policy protocol, version 1: newline-delimited JSON over the policy
/// process's standard input (SchedLab's messages) and standard output (its replies). The whole protocol, with an
/// example exchange, is documented in docs/external-policies.md; this is its one definition on the Swift side.
///
/// Messages to the policy (each one line, an object whose `type` says which):
/// - `hello` once, first: protocol version, the policy's `params`, the cluster (GPU types, racks, nodes), the
///   placement strategy, sharing limit, whether transitions cost time, the job count, `arrival_fields` and
///   `job_fields`.
///   The policy answers `{"protocol": 1}`.
/// - `round` each time the engine asks for decisions: the round number, `now`, and only what changed since the
///   previous round: jobs that arrived (`arrived`, static records in the order of `arrival_fields`), job status
///   records that changed (`jobs`, in the order of `job_fields`), free GPUs by type (`free_type`), nodes whose free
///   count changed
///   (`free_node`), GPUs that went down or came back (`down`), and GPUs whose sharing mode changed (`modes`).
///   The policy answers with a list of decisions, or first with requests (`full_state`, `rate`), each answered by
///   one message, and then its decisions.
/// - `end` once, when the run is over; the policy should exit.
///
/// Times are integer nanoseconds of simulated time (`now`, `submit`, `estimated`, `held_since`, …); durations in
/// seconds and work amounts are floats (`run_s`, `gpu_s`, `remaining`, `checkpoint_s`).
public enum PolicyWire {
    /// The protocol version; a policy that answers `hello` with another is refused.
    public static let version = 1

    /// The columns of a static job record (`arrived` in `round` and `full_state`), in order. An arrival implies the
    /// job's first status — queued, holding nothing, `remaining` = `work`, every time null, every count 0 — so a
    /// status record for it follows in the same message only when its status is already something else.
    public static let arrivalFields = [
        "id", "name", "submit", "gpu_count", "gpu_range", "types", "estimated", "model", "memory_gb", "work",
        "work_kind", "reference_rate", "gpu_type", "user", "priority", "global_batch", "tenant_weight",
        "tenant_quota_gpus",
    ]

    /// The columns of a job status record (`jobs` in `round` and `full_state`), in order.
    public static let jobFields = [
        "id", "state", "gpus", "held_since", "expected_end", "transition_end", "first_start", "finish",
        "run_s", "gpu_s", "remaining", "rate", "progress_since", "preemptions", "restarts", "migrations", "resizes",
        "failures", "checkpoint_s",
    ]

    /// A job state's name on the wire (`JobState.description`: queued, running, preempted, finished, restoring,
    /// checkpointing, resizing; pending jobs are never sent).
    public static func stateName(_ state: JobState) -> String { state.description }

    /// A sharing mode's name on the wire: "packed" or "time-sliced" (as in scenarios and decisions).
    public static func modeName(_ mode: SharingMode) -> String { mode.description }

    /// The sharing mode called `name`, or nil.
    public static func mode(named name: String) -> SharingMode? { SharingMode.allCases.first { $0.description == name } }
}
