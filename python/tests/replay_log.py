#!/usr/bin/env python3
"""Replays a SchedLab decision log through an example policy and checks that it makes every recorded decision.

    replay_log.py LOG fifo|tiresias

Exit 0 after "replayed N rounds" when every round's decisions match; 1 at the first mismatch. SchedLab's tests
run it on logs of the Swift fifo and tiresias: the states the log rebuilds are the ones the decisions came from.
"""

import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent))
sys.path.insert(0, str(here.parent / "examples"))
from schedlab_policy import read_decision_log  # noqa: E402
from fifo import FIFO  # noqa: E402
from tiresias import Tiresias  # noqa: E402


def main():
    path, name = sys.argv[1], sys.argv[2]
    policy = {"fifo": FIFO, "tiresias": Tiresias}[name]()
    rounds = 0
    for snapshot, recorded in read_decision_log(path):
        if rounds == 0:
            policy.setup(snapshot)
        rounds += 1
        mine = policy.schedule(snapshot)
        if mine != recorded:
            print(f"round {snapshot.round} (t={snapshot.now_s} s): the log says {recorded}, {name} decides {mine}")
            return 1
    print(f"replayed {rounds} rounds")
    return 0


sys.exit(main())
