#!/usr/bin/env python3
"""Tiresias' discretized two-dimensional least-attained-service scheduler (2D-LAS) in Python: the same decisions
as SchedLab's Swift `tiresias` with the same parameters (Gu et al., "Tiresias: A GPU Cluster Manager for
Distributed Deep Learning", NSDI 2019; the variant and its choices are documented on the Swift TiresiasPolicy).

Jobs are ranked by queue (attained service against increasing thresholds), running ahead of waiting within a
queue, then submission order; the running set is the greedy prefix that fits; jobs outside it are preempted.
The policy wakes itself at the next instant a job crosses a threshold or is due for starvation promotion.

Parameters (scenario `params`): service (gpu-time | time), queue_thresholds_gpu_s ([3250, 7200]),
promote_after (off).
"""

import math
import sys
from pathlib import Path

try:
    from schedlab_policy import NEVER, Policy, Start, WakeUp, running_set_decisions
except ImportError:  # run from a SchedLab checkout without `pip install ./python`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from schedlab_policy import NEVER, Policy, Start, WakeUp, running_set_decisions

SLACK = 1e-6  # a service this close below a threshold counts as having reached it


class Tiresias(Policy):
    def setup(self, s):
        p = s.params
        unknown = set(p) - {"service", "queue_thresholds_gpu_s", "promote_after"}
        if unknown:
            raise ValueError(f"unknown parameters {sorted(unknown)}")
        self.gpu_time = p.get("service", "gpu-time") == "gpu-time"
        self.thresholds = [float(x) for x in p.get("queue_thresholds_gpu_s", [3250, 7200])]
        self.promote_after = p.get("promote_after")
        self.baseline = []        # attained service (seconds, GPU-seconds) at each job's last promotion
        self.waiting_since = []   # ns when the current wait began, -1 while not waiting
        self.waiting_queue = []   # the queue of each waiting job, fixed for its wait, -1 until computed
        self.requested_wake = None
        self.promotions = 0

    def measure(self, a):
        return a[1] if self.gpu_time else a[0]

    def queue_for(self, x):
        q = 0
        th = self.thresholds
        while q < len(th) and x >= th[q] - SLACK:
            q += 1
        return q

    def effective(self, i, s):
        b = self.measure(self.baseline[i]) if i < len(self.baseline) else 0
        return self.measure(s.attained_service(i)) - b

    def queue_of(self, i, s):
        return self.queue_for(self.effective(i, s))

    @staticmethod
    def after(now, seconds):
        """now + seconds rounded up to the next nanosecond, at least 1 ns later (NEVER past the clock's end)."""
        x = seconds * 1e9
        if not math.isfinite(x) or float(math.ceil(x)) >= float(NEVER - now):
            return NEVER
        return now + max(1, math.ceil(x))

    @staticmethod
    def promotion_due(since, executed, knob):
        """When a job waiting since ``since`` with ``executed`` seconds since its last promotion is due."""
        x = knob * executed * 1e9
        if not math.isfinite(x) or float(math.ceil(x)) >= float(NEVER - since):
            return NEVER
        return since + math.ceil(x)

    def schedule(self, s):
        now = s.now
        n = len(s.jobs)
        if len(self.baseline) < n:
            grow = n - len(self.baseline)
            self.baseline.extend([(0.0, 0.0)] * grow)
            self.waiting_since.extend([-1] * grow)
            self.waiting_queue.extend([-1] * grow)
        running = s.running
        waiting = s.queue
        for i in running:
            self.waiting_since[i] = -1
            self.waiting_queue[i] = -1
        knob = self.promote_after
        for i in waiting:
            if self.waiting_since[i] < 0:
                self.waiting_since[i] = now
            if self.waiting_queue[i] < 0:
                self.waiting_queue[i] = self.queue_of(i, s)
            if knob is None:
                continue
            attained = s.attained_service(i)
            executed = attained[0] - self.baseline[i][0]
            if executed <= 0 or self.waiting_queue[i] <= 0:
                continue
            if self.promotion_due(self.waiting_since[i], executed, knob) <= now:
                self.baseline[i] = attained
                self.waiting_queue[i] = self.queue_of(i, s)
                self.promotions += 1

        levels = len(self.thresholds) + 1
        running_by_queue = [[] for _ in range(levels)]
        waiting_by_queue = [[] for _ in range(levels)]
        for i in running:
            running_by_queue[self.queue_of(i, s)].append(i)
        for i in waiting:
            waiting_by_queue[self.waiting_queue[i]].append(i)
        order = []
        for q in range(levels):
            order += sorted(running_by_queue[q])
            order += waiting_by_queue[q]
        decisions, preempted = running_set_decisions(order, s, s.planner())
        for i in preempted:
            self.waiting_since[i] = now

        # The next instant something changes rank.
        nxt = NEVER
        th = self.thresholds

        def crossing(i, gpus):
            nonlocal nxt
            x = self.effective(i, s)
            q = self.queue_for(x)
            if q >= len(th) or gpus <= 0:
                return
            rate = gpus if self.gpu_time else 1
            nxt = min(nxt, self.after(now, (th[q] - x) / rate))

        started = set()
        for d in decisions:
            if isinstance(d, Start):
                started.add(d.job)
                crossing(d.job, len(d.gpus))
        stopped = set(preempted)
        for i in running:
            if i not in stopped:
                crossing(i, len(s.jobs[i].gpus))
        if knob is not None:
            for i in list(waiting) + preempted:
                if i in started:
                    continue
                executed = s.attained_service(i)[0] - self.baseline[i][0]
                if executed <= 0 or self.queue_of(i, s) <= 0:
                    continue
                nxt = min(nxt, max(self.promotion_due(self.waiting_since[i], executed, knob), now + 1))
        if nxt != NEVER and nxt != self.requested_wake:
            decisions.append(WakeUp(nxt))
            self.requested_wake = nxt
        return decisions


if __name__ == "__main__":
    Tiresias().run()
