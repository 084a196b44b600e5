"""SchedLab's placement strategies in Python, step for step, and the per-round planner that applies them.

A Swift policy places jobs with ``planner.place``, which runs the scenario's placement strategy on a scratch
copy of the cluster; ``Snapshot.planner()`` does the same here, so a Python policy picks exactly the GPUs the same
Swift policy would (the identity tests compare whole runs). Each function below ports the Swift strategy of the
same name in ``Sources/Scheduling/Placement/`` (ties to the lowest index, the same sort keys). A start without
GPUs (``Start(job)``) lets SchedLab place it instead.
"""


class Planner:
    """The cluster as this round's decisions so far leave it: places jobs with the run's strategy, and records the
    GPUs that explicit decisions take or free so that later placements avoid them. Copies the cluster's arrays on
    its first change only (a round that places nothing copies nothing)."""

    __slots__ = ("_cluster", "strategy", "free", "free_on_node", "free_of_type", "_copied", "_holders")

    def __init__(self, snapshot, strategy=None):
        c = snapshot.cluster
        self._cluster = c
        name = strategy or snapshot.placement
        if name not in STRATEGIES:
            raise ValueError(f"no Python port of placement strategy {name!r}; use Start(job) without GPUs to let "
                             f"SchedLab place it (ports: {', '.join(sorted(STRATEGIES))})")
        self.strategy = STRATEGIES[name]
        self.free = c.free
        self.free_on_node = c.free_on_node
        self.free_of_type = c.free_of_type
        self._copied = False
        self._holders = None  # GPU -> holders in the plan, for the GPUs this round's decisions touched

    def _copy(self):
        if not self._copied:
            self.free = bytearray(self.free)
            self.free_on_node = list(self.free_on_node)
            self.free_of_type = list(self.free_of_type)
            self._holders = {}
            self._copied = True

    def holders(self, gpu):
        """The jobs holding ``gpu`` in the plan."""
        if self._holders is not None and gpu in self._holders:
            return self._holders[gpu]
        return self._cluster.holders[gpu]

    def free_gpus(self, type_mask):
        """Free GPUs (in the plan) whose type is in ``type_mask``."""
        n = 0
        for t, f in enumerate(self.free_of_type):
            if type_mask >> t & 1:
                n += f
        return n

    def place(self, job, count=None, type_mask=None):
        """GPUs for ``job`` (a ``Job``; ``count`` and ``type_mask`` default to its request), reserved in the plan;
        None, changing nothing, when they cannot be found."""
        if count is None:
            count = job.gpu_count
        if type_mask is None:
            type_mask = job.type_mask
        if self.free_gpus(type_mask) < count:
            return None
        gpus = self.strategy(count, type_mask, self)
        if gpus is None:
            return None
        self._reserve(gpus, -1 if job is None else job.id)
        return gpus

    def claim(self, gpus, job=-1):
        """Reserves free GPUs a policy chose itself for job ID ``job``; False, changing nothing, when any is not
        free."""
        if any(not self.free[g] for g in gpus) or len(set(gpus)) != len(gpus):
            return False
        self._reserve(gpus, job)
        return True

    def release(self, gpus, job):
        """Returns job ID ``job``'s ``gpus`` to the plan (a preemption, the GPUs a resize or migration leaves); a GPU
        another job still holds (GPU sharing) stays taken."""
        self._copy()
        c = self._cluster
        for g in gpus:
            left = tuple(h for h in self.holders(g) if h != job)
            self._holders[g] = left
            if left or self.free[g] or c.down[g]:
                continue
            self.free[g] = 1
            self.free_on_node[c.gpu_node[g]] += 1
            self.free_of_type[c.gpu_type[g]] += 1

    def _reserve(self, gpus, job):
        """Takes free, distinct GPUs for job ID ``job`` (a strategy's choice, or checked by ``claim``)."""
        self._copy()
        c = self._cluster
        free, on_node, of_type, holders = self.free, self.free_on_node, self.free_of_type, self._holders
        gpu_node, gpu_type = c.gpu_node, c.gpu_type
        for g in gpus:
            free[g] = 0
            on_node[gpu_node[g]] -= 1
            of_type[gpu_type[g]] -= 1
            holders[g] = (job,)

    # The strategies read the cluster's shape through the planner.
    @property
    def cluster(self):
        """The snapshot's cluster (shape, holders)."""
        return self._cluster


def _node_gpus(c, node):
    n = c.nodes[node]
    return range(n.first_gpu, n.first_gpu + n.gpus)


def first_fit(count, type_mask, p):
    """``first-fit``: the lowest-numbered free GPUs of an allowed type, wherever they are."""
    c = p.cluster
    free = p.free
    chosen = []
    for node in range(len(c.nodes)):
        if p.free_on_node[node] <= 0 or not type_mask >> c.nodes[node].type & 1:
            continue
        for g in _node_gpus(c, node):
            if free[g]:
                chosen.append(g)
                if len(chosen) == count:
                    return chosen
    return None


def _take(count, nodes, p):
    """The lowest-numbered free GPUs of ``nodes``, in the given node order, until ``count`` are taken."""
    c = p.cluster
    free = p.free
    chosen = []
    for node in nodes:
        for g in _node_gpus(c, node):
            if free[g]:
                chosen.append(g)
                if len(chosen) == count:
                    return chosen
    return chosen


def packed(count, type_mask, p):
    """``packed``: the best-fit node for a job that fits in one; else the fullest-free nodes of the rack that needs
    the fewest nodes; else the fullest-free nodes of the cluster."""
    c = p.cluster
    nodes = c.nodes
    every = (1 << len(c.gpu_types)) - 1
    any_type = type_mask & every == every
    on_node = p.free_on_node

    # Free GPUs of an allowed type per node (the node's free count when every type is allowed).
    free = on_node if any_type else [f if type_mask >> nodes[n].type & 1 else 0 for n, f in enumerate(on_node)]

    best, best_free, total = -1, None, 0
    for node, f in enumerate(free):
        total += f
        if f >= count and (best_free is None or f < best_free):
            best, best_free = node, f
    if best >= 0:
        return _take(count, [best], p)
    if total < count:
        return None
    by_free = sorted((n for n, f in enumerate(free) if f > 0), key=lambda n: (-free[n], n))
    best_rack = None
    for rack in range(len(c.racks)):
        picked, got = [], 0
        for node in by_free:
            if nodes[node].rack == rack:
                picked.append(node)
                got += free[node]
                if got >= count:
                    break
        if got >= count and (best_rack is None or len(picked) < len(best_rack)):
            best_rack = picked
    if best_rack is not None:
        return _take(count, best_rack, p)
    picked, got = [], 0
    for node in by_free:
        if got >= count:
            break
        picked.append(node)
        got += free[node]
    return _take(count, picked, p)


def spread(count, type_mask, p):
    """``spread``: one GPU per node, round-robin over the nodes with the most free GPUs."""
    c = p.cluster
    on_node = p.free_on_node
    nodes = sorted((n for n in range(len(c.nodes)) if on_node[n] > 0 and type_mask >> c.nodes[n].type & 1),
                   key=lambda n: (-on_node[n], n))
    if sum(on_node[n] for n in nodes) < count:
        return None
    free = p.free
    lists = [[g for g in _node_gpus(c, n) if free[g]] for n in nodes]
    chosen = []
    k = 0
    while len(chosen) < count:
        for lst in lists:
            if k < len(lst) and len(chosen) < count:
                chosen.append(lst[k])
        k += 1
    return sorted(chosen, key=lambda g: (c.gpu_node[g], g))


def most_free(count, type_mask, p):
    """``most-free``: all the free GPUs of the node with the most free GPUs, then of the next, until ``count`` (the
    Pollux artifact's Tiresias, petuum/adaptdl ``simulator/tiresias.py``)."""
    c = p.cluster
    on_node = p.free_on_node
    nodes = sorted((n for n in range(len(c.nodes)) if on_node[n] > 0 and type_mask >> c.nodes[n].type & 1),
                   key=lambda n: (-on_node[n], n))
    if sum(on_node[n] for n in nodes) < count:
        return None
    return _take(count, nodes, p)


def topology_aware(count, type_mask, p):
    """``topology-aware``: one node (best fit); else one rack, with equal GPUs per node where possible; else the
    fewest racks."""
    c = p.cluster
    nodes = c.nodes
    on_node = p.free_on_node

    def free(node):
        return on_node[node] if type_mask >> nodes[node].type & 1 else 0

    total, best = 0, -1
    for node in range(len(nodes)):
        f = free(node)
        total += f
        if f >= count and (best < 0 or f < free(best)):
            best = node
    if total < count:
        return None
    if best >= 0:
        return _take_plan(count, [(best, count)], p)

    rack_nodes = [[] for _ in c.racks]
    for node in range(len(nodes)):
        if free(node) > 0:
            rack_nodes[nodes[node].rack].append(node)
    for lst in rack_nodes:
        lst.sort(key=lambda n: (-free(n), n))
    rack_free = [sum(free(n) for n in lst) for lst in rack_nodes]

    max_per_node = max((n.gpus for n in nodes), default=1)
    best_plan = None
    for r in range(len(rack_nodes)):
        if rack_free[r] < count:
            continue
        plan = None
        for g in range(min(max_per_node, count), 0, -1):
            if count % g:
                continue
            hosts = [n for n in rack_nodes[r] if free(n) >= g]
            if len(hosts) >= count // g:
                plan = [(n, g) for n in hosts[:count // g]]
                break
        if plan is None:
            plan = _greedy(count, rack_nodes[r], free)
        if best_plan is None or (len(plan), rack_free[r]) < (len(best_plan[0]), best_plan[1]):
            best_plan = (plan, rack_free[r])
    if best_plan is not None:
        return _take_plan(count, best_plan[0], p)

    racks = sorted(range(len(rack_nodes)), key=lambda r: (-rack_free[r], r))
    return _take_plan(count, _greedy(count, [n for r in racks for n in rack_nodes[r]], free), p)


def _greedy(count, nodes, free):
    plan, left = [], count
    for node in nodes:
        if left <= 0:
            break
        k = min(left, free(node))
        plan.append((node, k))
        left -= k
    return plan


def _take_plan(count, plan, p):
    c = p.cluster
    free = p.free
    chosen = []
    for node, k in plan:
        taken = 0
        for g in _node_gpus(c, node):
            if free[g] and taken < k:
                chosen.append(g)
                taken += 1
    return chosen


#: The strategies by their SchedLab names.
STRATEGIES = {
    "first-fit": first_fit,
    "packed": packed,
    "spread": spread,
    "most-free": most_free,
    "topology-aware": topology_aware,
}
