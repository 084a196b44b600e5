#!/usr/bin/env python3
"""A policy process that checks the protocol's deltas: every round it asks SchedLab for the full state and
compares it with the mirror the deltas built (exit 4 with the differences on stderr when they disagree), asks the
throughput model for a rate, then decides with the example FIFO or Tiresias (``params: {inner: fifo|tiresias}``).
At the end it writes the number of rounds it checked to the file named in ``params.report``."""

import json
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "python" / "examples"))
from schedlab_policy import Policy, ProtocolError  # noqa: E402
from fifo import FIFO  # noqa: E402
from tiresias import Tiresias  # noqa: E402


class MirrorCheck(Policy):
    def setup(self, s):
        params = dict(s.params)
        self.report = params.pop("report")
        inner = params.pop("inner")
        s.params = params
        self.inner = FIFO() if inner == "fifo" else Tiresias()
        self.inner.setup(s)
        self.checked = 0
        self.rates = 0

    def schedule(self, s):
        answer = s._ask('{"request":"full_state"}')
        if answer.get("type") != "full_state" or answer["round"] != s.round:
            raise ProtocolError(f"bad full_state answer: {str(answer)[:200]}")
        problems = s.check_against(answer)
        if problems:
            print(f"round {s.round}: the deltas disagree with the full state:", file=sys.stderr)
            for p in problems[:20]:
                print("  " + p, file=sys.stderr)
            sys.exit(4)
        self.checked += 1
        if s.running:
            job = s.running[0]
            rate = s.rate(job, gpus=s.jobs[job].gpus)
            if rate is not None and not rate > 0:
                print(f"round {s.round}: rate of job {job} is {rate}", file=sys.stderr)
                sys.exit(5)
            self.rates += 1
        return self.inner.schedule(s)

    def end(self, s):
        with open(self.report, "w") as f:
            json.dump({"rounds": self.checked, "rates": self.rates, "jobs": len(s.jobs)}, f)


MirrorCheck().run()
