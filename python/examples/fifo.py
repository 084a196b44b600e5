#!/usr/bin/env python3
"""First come, first served, in Python: the same decisions as SchedLab's Swift `fifo`.

Start waiting jobs in submission order with the run's placement strategy; the first that does not fit blocks the
rest. Use it in a scenario as

    policy: {name: external, command: [python3, path/to/fifo.py]}
"""

import sys
from pathlib import Path

try:
    from schedlab_policy import Policy, Start
except ImportError:  # run from a SchedLab checkout without `pip install ./python`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from schedlab_policy import Policy, Start


class FIFO(Policy):
    def schedule(self, s):
        queue = s.queue
        if not queue:
            return []
        planner = s.planner()
        jobs = s.jobs
        decisions = []
        for i in queue:
            gpus = planner.place(jobs[i])
            if gpus is None:
                break
            decisions.append(Start(i, gpus))
        return decisions


if __name__ == "__main__":
    FIFO().run()
