#!/usr/bin/env python3
"""FIFO that leaves placement to SchedLab: starts without GPUs (``{"start": 3}``), which SchedLab places with the
run's strategy. It counts free GPUs per type itself to know when the queue's head no longer fits (single-type
clusters only: with several types it cannot know which type SchedLab's placement takes)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
from schedlab_policy import Policy, Start  # noqa: E402


class AutoFIFO(Policy):
    def schedule(self, s):
        free = sum(s.cluster.free_of_type)
        out = []
        for i in s.queue:
            need = s.jobs[i].gpu_count
            if need > free:
                break
            free -= need
            out.append(Start(i))
        return out


AutoFIFO().run()
