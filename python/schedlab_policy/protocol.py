"""The external-policy protocol's constants, version 1 (docs/external-policies.md in the SchedLab repository).

SchedLab writes one JSON object per line to the policy process's standard input (``hello``, ``round``,
``full_state``, ``rate``, ``end``); the process writes one JSON value per line to its standard output (the answer
to ``hello``, requests, and each round's decision list). The Swift side's definition is
``Sources/Scheduling/External/PolicyWire.swift``; the two are kept equal by the identity tests.
"""

PROTOCOL_VERSION = 1

# The columns of a static job record (``arrived`` in ``round`` and ``full_state`` messages), in order; ``hello``
# repeats them as ``arrival_fields``. An arrival implies the job's first status (queued, holding nothing,
# ``remaining`` = ``work``, times None, counts 0); a status record follows only if it is already different.
ARRIVAL_FIELDS = (
    "id", "name", "submit", "gpu_count", "gpu_range", "types", "estimated", "model", "memory_gb", "work",
    "work_kind", "reference_rate", "gpu_type", "user", "priority", "global_batch", "tenant_weight",
    "tenant_quota_gpus",
)

# The columns of a job status record (``jobs`` in ``round`` and ``full_state`` messages), in order. ``hello``
# repeats them as ``job_fields``; the mirror refuses a SchedLab whose list differs.
JOB_FIELDS = (
    "id", "state", "gpus", "held_since", "expected_end", "transition_end", "first_start", "finish",
    "run_s", "gpu_s", "remaining", "rate", "progress_since", "preemptions", "restarts", "migrations", "resizes",
    "failures", "checkpoint_s",
)

# Job states as they appear on the wire.
QUEUED = "queued"
RUNNING = "running"
PREEMPTED = "preempted"
FINISHED = "finished"
RESTORING = "restoring"
CHECKPOINTING = "checkpointing"
RESIZING = "resizing"

WAITING_STATES = frozenset((QUEUED, PREEMPTED))
HOLDING_STATES = frozenset((RUNNING, RESTORING, CHECKPOINTING, RESIZING))
TRANSITION_STATES = frozenset((RESTORING, CHECKPOINTING, RESIZING))

# GPU sharing modes.
PACKED = "packed"
TIME_SLICED = "time-sliced"

# Simulated time: integer nanoseconds. NEVER is SchedLab's "no time" (Int64.max).
NANOSECONDS_PER_SECOND = 1_000_000_000
NEVER = (1 << 63) - 1


class ProtocolError(Exception):
    """SchedLab sent something this helper does not understand (a version mismatch, a bad message)."""
