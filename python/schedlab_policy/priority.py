"""The round of a preemptive priority policy (SRTF, Tiresias' LAS), as SchedLab's Swift ``PriorityRunningSet``:
given every running and waiting job in priority order, build the desired running set greedily and turn it into
decisions.

Greedy in order: a job joins the set when it fits in what the jobs before it left of the capacity (counted per GPU
type: free GPUs plus those held by running jobs), and is skipped otherwise. Waiting jobs allowed several types
"fit" by Hall's condition over GPU types, checked exactly on clusters with up to 8 types (greedily beyond).
Running jobs outside the set are preempted (their GPUs released in the planner when their checkpoint is free),
then waiting jobs in the set are started, most constrained first, placed by the run's placement strategy.
"""

from .decisions import Preempt, Start
from .protocol import RUNNING, WAITING_STATES


class TypeLedger:
    """GPUs promised so far per GPU type, and whether one more job still fits."""

    def __init__(self, capacity):
        self.left = list(capacity)
        self.total_left = sum(capacity)
        self.exact = len(capacity) <= 8
        if self.exact:
            n = 1 << len(capacity)
            cap = [0] * n
            for m in range(1, n):
                cap[m] = cap[m & (m - 1)] + capacity[(m & -m).bit_length() - 1]
            self.subset_capacity = cap
            self.subset_demand = [0] * n

    @property
    def is_full(self):
        """Whether nothing more can be admitted."""
        return self.total_left == 0

    def admit(self, mask, count):
        """Admits a waiting job of ``count`` GPUs allowed on the types in ``mask`` if it fits with everything
        admitted (every superset of ``mask`` keeps its demand within its capacity)."""
        if mask == 0 or count > self.total_left:
            return False
        if self.exact:
            demand = self.subset_demand
            cap = self.subset_capacity
            n = len(demand)
            t = mask
            while t < n:
                if demand[t] + count > cap[t]:
                    return False
                t = (t + 1) | mask
            t = mask
            while t < n:
                demand[t] += count
                t = (t + 1) | mask
        else:
            left = self.left
            free = sum(left[i] for i in range(len(left)) if mask >> i & 1)
            if free < count:
                return False
            need = count
            for i in range(len(left)):
                if need > 0 and mask >> i & 1:
                    take = min(need, left[i])
                    left[i] -= take
                    need -= take
        self.total_left -= count
        return True

    def admit_held(self, held):
        """Admits a running job holding ``held[t]`` GPUs of each type t if they still fit."""
        count = sum(held)
        if count > self.total_left:
            return False
        if self.exact:
            n = len(self.subset_demand)
            add = [0] * n
            for m in range(1, n):
                add[m] = add[m & (m - 1)] + held[(m & -m).bit_length() - 1]
            demand = self.subset_demand
            cap = self.subset_capacity
            for m in range(1, n):
                if demand[m] + add[m] > cap[m]:
                    return False
            for m in range(1, n):
                demand[m] += add[m]
        else:
            left = self.left
            if any(held[i] > left[i] for i in range(len(held))):
                return False
            for i in range(len(held)):
                left[i] -= held[i]
        self.total_left -= count
        return True


def running_set_decisions(order, snapshot, planner):
    """Decisions that make the running set the greedy prefix of ``order`` (running and waiting job IDs, highest
    priority first; other jobs are ignored). Returns ``(decisions, preempted)``, the preempted IDs in order."""
    s = snapshot
    c = s.cluster
    jobs = s.jobs
    k = len(c.gpu_types)
    gpu_type = c.gpu_type
    capacity = list(planner.free_of_type)
    for i in s.running:
        for g in jobs[i].gpus:
            capacity[gpu_type[g]] += 1
    ledger = TypeLedger(capacity)
    present = (1 << k) - 1

    keep = []
    for i in order:
        job = jobs[i]
        state = job.state
        if state == RUNNING:
            gpus = job.gpus
            first = gpu_type[gpus[0]]
            if all(gpu_type[g] == first for g in gpus):
                keep.append(ledger.admit(1 << first, len(gpus)))
            else:
                pieces = [0] * k
                for g in gpus:
                    pieces[gpu_type[g]] += 1
                keep.append(ledger.admit_held(pieces))
        elif state in WAITING_STATES and not ledger.is_full:
            keep.append(ledger.admit(job.type_mask & present, job.gpu_count))
        else:
            keep.append(False)

    out = []
    preempted = []
    for n, i in enumerate(order):
        if not keep[n] and jobs[i].state == RUNNING:
            if s.preemption_frees_gpus_at_once(i):
                planner.release(jobs[i].gpus, i)
            out.append(Preempt(i))
            preempted.append(i)
    starts = [(bin(jobs[i].type_mask & present).count("1"), n, i)
              for n, i in enumerate(order) if keep[n] and jobs[i].state in WAITING_STATES]
    starts.sort()
    for _, _, i in starts:
        gpus = planner.place(jobs[i])
        if gpus is not None:
            out.append(Start(i, gpus))
    return out, preempted
