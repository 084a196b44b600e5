#!/usr/bin/env python3
"""A FIFO policy process that misbehaves on purpose at one round, for SchedLab's failure tests.

    misbehave.py MODE ROUND

MODE: crash (a Python exception: traceback on stderr, exit 1), exit (prints to stderr and exits with status 3),
hang (sleeps forever), garbage (writes a line that is not JSON), shape (a JSON reply of the wrong shape),
invalid (a well-formed decision the engine must reject: a start on a GPU that is already held), close (closes its
standard output and keeps running), chatty (writes 256 KiB to stderr every round and behaves: must finish),
hello-version (answers hello with protocol 99), hello-exit (exits before answering hello).
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
from schedlab_policy import Policy, Start  # noqa: E402
from schedlab_policy.mirror import Snapshot  # noqa: E402

mode, at = sys.argv[1], int(sys.argv[2])


class Misbehaving(Policy):
    def schedule(self, s):
        if mode == "chatty":
            sys.stderr.write(("x" * 1023 + "\n") * 256)
            sys.stderr.flush()
        held = [g for g, h in enumerate(s.cluster.holders) if h]
        # An invalid start needs a held GPU and a waiting job: the first round from `at` on that has both.
        if s.round == at or (mode == "invalid" and s.round > at and held and s.queue):
            print(f"misbehave: {mode} at round {s.round}", file=sys.stderr, flush=True)
            if mode == "crash":
                raise RuntimeError(f"policy bug at round {s.round}")
            if mode == "exit":
                sys.exit(3)
            if mode == "hang":
                time.sleep(3600)
            if mode == "garbage":
                os.write(1, b"this is not json\n")
                return None
            if mode == "shape":
                os.write(1, b'[{"start": "job-one", "gpus": [0]}]\n')
                return None
            if mode == "invalid" and held and s.queue:
                return [Start(s.queue[0], [held[0]] * s.jobs[s.queue[0]].gpu_count)]
            if mode == "close":
                os.close(1)
                time.sleep(3600)
        planner = s.planner()
        out = []
        for i in s.queue:
            gpus = planner.place(s.jobs[i])
            if gpus is None:
                break
            out.append(Start(i, gpus))
        return out


def main():
    if mode.startswith("hello-"):
        hello = json.loads(sys.stdin.buffer.readline())
        Snapshot(hello)
        print("misbehave: refusing hello", file=sys.stderr, flush=True)
        if mode == "hello-exit":
            sys.exit(2)
        os.write(1, b'{"protocol": 99}\n')
        time.sleep(3600)
    policy = Misbehaving()
    if mode in ("garbage", "shape"):
        # These write their own line and then keep answering nothing: SchedLab must stop at the bad line.
        original = policy.schedule

        def schedule(s):
            out = original(s)
            if out is None:
                time.sleep(3600)
            return out
        policy.schedule = schedule
    policy.run()


main()
