#!/usr/bin/env python3
"""A policy process that uses every decision the protocol carries — start, share (time-sliced), migrate, resize,
preempt, wake up — and checks every round that the mirror built from the deltas equals SchedLab's full state (exit 4
with the differences on stderr otherwise). Starts jobs first come, first served; when the queue's head does not fit,
time-slices a 1-GPU head onto a GPU one running job holds; moves a few running jobs to free GPUs elsewhere; shrinks
a few elastic jobs to their smallest size; preempts the newest running job every 50 rounds, waking itself up a
second later so that it restarts even if it was the last job running.
Writes the counts of what it decided to the file named by ``params.report``."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
from schedlab_policy import (RUNNING, Migrate, Policy, Preempt, Resize, Share, Start, WakeUp)  # noqa: E402

LIMIT = 12


class Moves(Policy):
    def setup(self, s):
        self.report = s.params["report"]
        self.counts = {"start": 0, "share": 0, "migrate": 0, "resize": 0, "preempt": 0, "wake_up": 0}
        self.touched_jobs = set()

    def check(self, s):
        answer = s._ask('{"request":"full_state"}')
        problems = s.check_against(answer)
        if problems:
            print(f"round {s.round}: the deltas disagree with the full state:", file=sys.stderr)
            for p in problems[:20]:
                print("  " + p, file=sys.stderr)
            sys.exit(4)

    def schedule(self, s):
        self.check(s)
        jobs = s.jobs
        planner = s.planner()
        out = []
        busy = set()  # jobs decided about this round
        running = [i for i in s.running if jobs[i].state == RUNNING]

        if s.round % 50 == 0 and running:
            victim = max(running, key=lambda i: (jobs[i].held_since, i))
            if s.preemption_frees_gpus_at_once(victim):
                planner.release(jobs[victim].gpus, victim)
            out.append(Preempt(victim))
            busy.add(victim)
            self.counts["preempt"] += 1
            # A round to restart it even if nothing else happens (it may be the last job running).
            out.append(WakeUp(s.now + 10**9))
            self.counts["wake_up"] += 1

        for i in running:
            j = jobs[i]
            if i in busy or i in self.touched_jobs:
                continue
            if self.counts["resize"] < LIMIT and j.gpu_range and j.gpu_range[0] < len(j.gpus):
                keep = j.gpus[:j.gpu_range[0]]
                planner.release(j.gpus[j.gpu_range[0]:], i)
                out.append(Resize(i, keep))
                self.counts["resize"] += 1
                busy.add(i)
                self.touched_jobs.add(i)
            elif self.counts["migrate"] < LIMIT and len(j.gpus) <= 2:
                target = planner.place(j, count=len(j.gpus))
                if target is not None and not set(target) & set(j.gpus):
                    planner.release(j.gpus, i)
                    out.append(Migrate(i, target))
                    self.counts["migrate"] += 1
                    busy.add(i)
                    self.touched_jobs.add(i)
                elif target is not None:
                    planner.release(target, i)

        for i in s.queue:
            if i in busy:
                continue
            gpus = planner.place(jobs[i])
            if gpus is not None:
                out.append(Start(i, gpus))
                self.counts["start"] += 1
                continue
            # The head does not fit: time-slice a 1-GPU head onto a GPU a single, untouched running job holds.
            if jobs[i].gpu_count == 1 and s.cluster.max_jobs_per_gpu > 1:
                for g, h in enumerate(s.cluster.holders):
                    if len(h) == 1 and h[0] not in busy and jobs[h[0]].state == RUNNING and not s.cluster.down[g]:
                        out.append(Share(i, [g], "time-sliced"))
                        self.counts["share"] += 1
                        busy.add(h[0])
                        break
            break
        return out

    def end(self, s):
        with open(self.report, "w") as f:
            json.dump(self.counts, f)


Moves().run()
