"""A mirror of SchedLab's simulation, kept up to date from the protocol's messages: the snapshot a policy reads.

``Snapshot.apply`` takes a ``round`` (or ``full_state``) message and updates jobs, the queue, the running set and
GPU ownership in time proportional to what changed. Everything a Swift policy's ``ClusterSnapshot`` offers that
the protocol carries is here, under Python names: ``now``, ``jobs``, ``queue`` (waiting job IDs in submission
order), ``running`` (running job IDs by expected end, then ID), ``cluster`` (free GPUs by type and node, holders,
down GPUs, sharing modes), ``attained_service``, ``estimated_remaining_time``, ``remaining_work``, and
``planner()`` for placing jobs with the run's placement strategy.
"""

import bisect
import json

from . import protocol
from .placement import Planner
from .protocol import (ARRIVAL_FIELDS, FINISHED, HOLDING_STATES, JOB_FIELDS, NANOSECONDS_PER_SECOND, NEVER,
                       PROTOCOL_VERSION, RUNNING, WAITING_STATES, ProtocolError)


class GPUType:
    """One GPU type of the cluster: its name, memory and how many the cluster has."""

    __slots__ = ("index", "name", "memory_gb", "gpus")

    def __init__(self, index, record):
        self.index = index
        self.name = record["name"]
        self.memory_gb = record["memory_gb"]
        self.gpus = record["gpus"]

    def __repr__(self):
        return f"GPUType({self.index}, {self.name!r}, {self.memory_gb} GB, {self.gpus} GPUs)"


class Node:
    """One node: its rack, GPU type and GPU IDs (``first_gpu`` to ``first_gpu + gpus - 1``)."""

    __slots__ = ("index", "rack", "type", "first_gpu", "gpus")

    def __init__(self, index, record):
        self.index = index
        self.rack = record["rack"]
        self.type = record["type"]
        self.first_gpu = record["first_gpu"]
        self.gpus = record["gpus"]

    @property
    def gpu_ids(self):
        """The node's GPU IDs."""
        return range(self.first_gpu, self.first_gpu + self.gpus)

    def __repr__(self):
        return f"Node({self.index}, rack {self.rack}, type {self.type}, GPUs {self.first_gpu}..{self.first_gpu + self.gpus - 1})"


class Job:
    """A job as SchedLab reports it: the static record from its arrival and the status from its latest change.

    Static: ``id``, ``name``, ``submit`` (ns), ``gpu_count`` (requested), ``gpu_range`` ((low, high) or None),
    ``types`` (eligible GPU type indices) and ``type_mask`` (the same as bits), ``estimated`` (ns at the requested
    size), ``model``, ``memory_gb``, ``work`` and ``work_kind`` ("iterations" or "duration"), ``reference_rate``,
    ``gpu_type``, ``user``, ``priority``, ``global_batch``, ``tenant_weight`` and ``tenant_quota_gpus`` (the
    terms of the job's tenant, ``tenants:`` in the scenario, or None).

    Status: ``state``, ``gpus`` (held), ``held_since``, ``expected_end``, ``transition_end``, ``first_start``,
    ``finish`` (ns or None), ``run_s``, ``gpu_s`` (closed allocation intervals), ``remaining`` (work units at
    ``progress_since``), ``rate`` (units per second now), ``preemptions``, ``restarts``, ``migrations``,
    ``resizes``, ``failures``, ``checkpoint_s`` (seconds a preemption would checkpoint now).
    """

    __slots__ = ("id", "name", "submit", "gpu_count", "gpu_range", "types", "type_mask", "estimated", "model",
                 "memory_gb", "work", "work_kind", "reference_rate", "gpu_type", "user", "priority", "global_batch",
                 "tenant_weight", "tenant_quota_gpus",
                 "state", "gpus", "held_since", "expected_end", "transition_end", "first_start", "finish", "run_s",
                 "gpu_s", "remaining", "rate", "progress_since", "preemptions", "restarts", "migrations", "resizes",
                 "failures", "checkpoint_s")

    def __init__(self, record):
        (self.id, self.name, self.submit, self.gpu_count, r, types, self.estimated, self.model, self.memory_gb,
         self.work, self.work_kind, self.reference_rate, self.gpu_type, self.user, self.priority,
         self.global_batch, self.tenant_weight, self.tenant_quota_gpus) = record
        self.gpu_range = None if r is None else (r[0], r[1])
        self.types = tuple(types)
        mask = 0
        for t in types:
            mask |= 1 << t
        self.type_mask = mask
        # The status an arrival implies (the protocol's rule); a status record overrides it.
        self.state = protocol.QUEUED
        self.gpus = []
        self.held_since = self.expected_end = self.transition_end = self.first_start = self.finish = None
        self.run_s = self.gpu_s = 0.0
        self.remaining = self.work
        self.rate = 0.0
        self.progress_since = 0
        self.preemptions = self.restarts = self.migrations = self.resizes = self.failures = 0
        self.checkpoint_s = 0.0

    @property
    def is_waiting(self):
        """Queued or preempted."""
        return self.state in WAITING_STATES

    @property
    def holds_gpus(self):
        """Running or in a timed transition."""
        return self.state in HOLDING_STATES

    @property
    def allowed_gpu_counts(self):
        """GPU counts a start or resize may give it, as a range."""
        low, high = self.gpu_range if self.gpu_range is not None else (self.gpu_count, self.gpu_count)
        return range(low, high + 1)

    def __repr__(self):
        return f"Job({self.id}, {self.state}, {self.gpu_count} GPUs, holds {self.gpus})"


class Cluster:
    """GPU ownership and free counts. ``free_of_type`` and ``free_on_node`` are SchedLab's own counts (free means
    neither held nor down); ``free[g]`` is 1 for a free GPU; ``holders[g]`` is a tuple of the jobs holding GPU g
    (by ID); ``down[g]`` is 1 for a failed GPU awaiting repair; ``modes[g]`` is "packed", "time-sliced" or None."""

    __slots__ = ("gpu_types", "racks", "nodes", "gpu_count", "gpu_node", "gpu_type", "max_jobs_per_gpu",
                 "free_of_type", "free_on_node", "free", "holders", "down", "modes")

    def __init__(self, hello):
        self.gpu_types = [GPUType(i, t) for i, t in enumerate(hello["gpu_types"])]
        self.racks = list(hello["racks"])
        self.nodes = [Node(i, n) for i, n in enumerate(hello["nodes"])]
        self.gpu_count = sum(n.gpus for n in self.nodes)
        self.gpu_node = [0] * self.gpu_count
        self.gpu_type = [0] * self.gpu_count
        for n in self.nodes:
            for g in n.gpu_ids:
                self.gpu_node[g] = n.index
                self.gpu_type[g] = n.type
        self.max_jobs_per_gpu = hello["max_jobs_per_gpu"]
        self.reset()

    def reset(self):
        """Every GPU free and up."""
        self.free_of_type = [t.gpus for t in self.gpu_types]
        self.free_on_node = [n.gpus for n in self.nodes]
        self.free = bytearray(b"\x01") * self.gpu_count
        self.holders = [()] * self.gpu_count
        self.down = bytearray(self.gpu_count)
        self.modes = [None] * self.gpu_count

    def free_gpus(self, type_mask):
        """Free GPUs whose type is in ``type_mask`` (bit t for type index t)."""
        n = 0
        for t, f in enumerate(self.free_of_type):
            if type_mask >> t & 1:
                n += f
        return n


class Snapshot:
    """The mirror: what a policy's ``schedule(snapshot)`` reads. One object for the whole run, updated in place
    before each round (so keep what you need from it, not references into it, across rounds)."""

    def __init__(self, hello, channel=None):
        if hello.get("type") != "hello":
            raise ProtocolError(f"expected the hello message first, got {str(hello)[:200]}")
        if hello.get("protocol") != PROTOCOL_VERSION:
            raise ProtocolError(f"SchedLab speaks protocol {hello.get('protocol')}; this helper speaks {PROTOCOL_VERSION}")
        if tuple(hello.get("arrival_fields", ())) != ARRIVAL_FIELDS:
            raise ProtocolError(f"job record columns differ: SchedLab sends {hello.get('arrival_fields')}, expected {list(ARRIVAL_FIELDS)}")
        if tuple(hello.get("job_fields", ())) != JOB_FIELDS:
            raise ProtocolError(f"job record columns differ: SchedLab sends {hello.get('job_fields')}, expected {list(JOB_FIELDS)}")
        self.hello = hello
        #: The policy's ``params`` from the scenario (a dict).
        self.params = hello["params"]
        #: The name of the policy being run (``external``, or a Swift policy's in a decision log).
        self.policy = hello.get("policy")
        #: The run's placement strategy (what ``planner().place`` reproduces).
        self.placement = hello["placement"]
        #: Whether checkpoints, restores, resizes and migrations are free (else ``checkpoint_s`` says what a
        #: preemption costs).
        self.transitions_free = hello["transitions"] == "free"
        #: Jobs in the whole run (arrived or not).
        self.job_count = hello["job_count"]
        self.cluster = Cluster(hello)
        self._channel = channel
        self.reset()

    def reset(self):
        """Forgets every job and frees every GPU (before a full state)."""
        #: The current round number (1, 2, ...).
        self.round = 0
        #: Simulated time, integer nanoseconds.
        self.now = 0
        #: Every arrived job, by ID (IDs are dense and arrive in order).
        self.jobs = []
        #: Waiting (queued or preempted) job IDs, in submission order.
        self.queue = []
        self._running = set()
        self._running_sorted = None
        self.cluster.reset()

    # -- Reading ------------------------------------------------------------------------------------------------

    @property
    def now_s(self):
        """Simulated time, seconds."""
        return self.now / NANOSECONDS_PER_SECOND

    @property
    def running(self):
        """Running job IDs (state running, not in a transition), by expected end then ID: the order in which they
        will release their GPUs, as in SchedLab."""
        if self._running_sorted is None:
            jobs = self.jobs
            self._running_sorted = sorted(
                self._running, key=lambda i: (NEVER if jobs[i].expected_end is None else jobs[i].expected_end, i))
        return self._running_sorted

    def __getitem__(self, job_id):
        return self.jobs[job_id]

    def attained_service(self, job_id):
        """(seconds, GPU-seconds) job ``job_id`` has held GPUs, including the open interval: the quantity
        least-attained-service policies rank by (the same floating-point steps as SchedLab's Swift side)."""
        j = self.jobs[job_id]
        seconds = j.run_s
        gpu_seconds = j.gpu_s
        if j.held_since is not None:
            dt = (self.now - j.held_since) / 1e9
            seconds += dt
            gpu_seconds += dt * len(j.gpus)
        return seconds, gpu_seconds

    def remaining_work(self, job_id):
        """Work units job ``job_id`` has left now."""
        j = self.jobs[job_id]
        if j.rate <= 0:
            return j.remaining
        return max(0.0, j.remaining - j.rate * ((self.now - j.progress_since) / 1e9))

    def estimated_remaining_time(self, job_id):
        """Seconds job ``job_id`` needs to finish: at its current speed while it runs, else at its reference speed
        plus what is left of a timed transition it is in."""
        j = self.jobs[job_id]
        left = self.remaining_work(job_id)
        if j.state == RUNNING and j.rate > 0:
            return left / j.rate
        transition = 0.0 if j.transition_end is None else max(0.0, (j.transition_end - self.now) / 1e9)
        return transition + left / j.reference_rate

    def preemption_frees_gpus_at_once(self, job_id):
        """Whether preempting running job ``job_id`` frees its GPUs this round (its checkpoint is free)."""
        return self.jobs[job_id].checkpoint_s == 0

    def planner(self):
        """A scratch copy of the cluster for this round that places jobs with the run's placement strategy."""
        return Planner(self)

    # -- Asking SchedLab ----------------------------------------------------------------------------------------

    def request_full_state(self):
        """Asks SchedLab for the whole state and rebuilds the mirror from it (a check, or a fresh start)."""
        answer = self._ask('{"request":"full_state"}')
        if answer.get("type") != "full_state":
            raise ProtocolError(f"expected a full_state answer, got {str(answer)[:200]}")
        round_ = self.round
        self.reset()
        self.apply(answer)
        self.round = round_

    def rate(self, job_id, gpus=None, gpu_type=None, count=None):
        """SchedLab's throughput model: work units per second of job ``job_id`` alone on ``gpus``, or on ``count``
        GPUs of type index ``gpu_type`` packed; None when the model has no answer."""
        if gpus is not None:
            request = '{"request":"rate","job":%d,"gpus":[%s]}' % (job_id, ",".join(str(int(g)) for g in gpus))
        else:
            request = '{"request":"rate","job":%d,"gpu_type":%d,"count":%d}' % (job_id, gpu_type, count)
        return self._ask(request)["rate"]

    def _ask(self, request):
        if self._channel is None:
            raise ProtocolError("this snapshot is not connected to SchedLab (a decision log replay)")
        return self._channel.ask(request)

    # -- Updating -----------------------------------------------------------------------------------------------

    def apply(self, msg):
        """Applies a ``round`` or ``full_state`` message."""
        self.round = msg.get("round", self.round)
        self.now = msg["now"]
        arrived = msg.get("arrived")
        if arrived:
            jobs = self.jobs
            queue = self.queue
            for record in arrived:
                job = Job(record)
                if job.id != len(jobs):
                    raise ProtocolError(f"job {job.id} arrived out of order (expected job {len(jobs)})")
                jobs.append(job)
                # Arrivals come in ID order, after every waiting job but those preempted later: usually an append.
                if queue and queue[-1] > job.id:
                    bisect.insort(queue, job.id)
                else:
                    queue.append(job.id)
        records = msg.get("jobs")
        if records:
            for record in records:
                self._update(record)
        cluster = self.cluster
        cluster.free_of_type = msg["free_type"]
        free_node = msg.get("free_node")
        if free_node:
            on_node = cluster.free_on_node
            for n, f in free_node:
                on_node[n] = f
        down = msg.get("down")
        if down:
            for g, is_down in down:
                cluster.down[g] = 1 if is_down else 0
                cluster.free[g] = 0 if is_down or cluster.holders[g] else 1
        modes = msg.get("modes")
        if modes:
            for g, mode in modes:
                cluster.modes[g] = mode

    def _update(self, record):
        (i, state, gpus, held_since, expected_end, transition_end, first_start, finish, run_s, gpu_s, remaining,
         rate, since, preemptions, restarts, migrations, resizes, failures, checkpoint_s) = record
        job = self.jobs[i]
        old_state = job.state
        if gpus != job.gpus:
            cluster = self.cluster
            holders = cluster.holders
            free = cluster.free
            # Holders are tuples in ID order: () or (job,) on an exclusive GPU, the common case, without sorting.
            for g in job.gpus:
                h = holders[g]
                if h == (i,):
                    holders[g] = ()
                    if not cluster.down[g]:
                        free[g] = 1
                else:
                    holders[g] = tuple(x for x in h if x != i)
            for g in gpus:
                h = holders[g]
                holders[g] = (i,) if not h else tuple(sorted(h + (i,)))
                free[g] = 0
            job.gpus = gpus
        if old_state != state:
            was_waiting = old_state in WAITING_STATES
            is_waiting = state in WAITING_STATES
            if was_waiting != is_waiting:
                if is_waiting:
                    bisect.insort(self.queue, i)
                else:
                    k = bisect.bisect_left(self.queue, i)
                    del self.queue[k]
            if old_state == RUNNING:
                self._running.discard(i)
            if state == RUNNING:
                self._running.add(i)
            job.state = state
            self._running_sorted = None
        elif state == RUNNING and expected_end != job.expected_end:
            self._running_sorted = None
        job.held_since = held_since
        job.expected_end = expected_end
        job.transition_end = transition_end
        job.first_start = first_start
        job.finish = finish
        job.run_s = run_s
        job.gpu_s = gpu_s
        job.remaining = remaining
        job.rate = rate
        job.progress_since = since
        job.preemptions = preemptions
        job.restarts = restarts
        job.migrations = migrations
        job.resizes = resizes
        job.failures = failures
        job.checkpoint_s = checkpoint_s

    def check_against(self, full_state):
        """Differences between this mirror and a ``full_state`` message (a list of strings; empty when equal):
        the test that the deltas lose nothing."""
        other = Snapshot(self.hello)
        other.apply(full_state)
        problems = []
        if other.now != self.now:
            problems.append(f"now {self.now} != {other.now}")
        if len(other.jobs) != len(self.jobs):
            problems.append(f"{len(self.jobs)} jobs != {len(other.jobs)}")
        for a, b in zip(self.jobs, other.jobs):
            for name in Job.__slots__:
                if getattr(a, name) != getattr(b, name):
                    problems.append(f"job {a.id}.{name}: {getattr(a, name)!r} != {getattr(b, name)!r}")
        for name in ("queue", "running"):
            if getattr(self, name) != getattr(other, name):
                problems.append(f"{name}: {getattr(self, name)} != {getattr(other, name)}")
        for name in ("free_of_type", "free_on_node", "free", "holders", "down", "modes"):
            if getattr(self.cluster, name) != getattr(other.cluster, name):
                problems.append(f"cluster.{name} differs")
        return problems


def dumps(value):
    """Compact JSON text, as the protocol writes it."""
    return json.dumps(value, separators=(",", ":"))


__all__ = ["Cluster", "GPUType", "Job", "Node", "Snapshot", "FINISHED"]
