"""Reading decision logs: (state, decision) pairs from any SchedLab run, for training learned policies.

``schedlab run SCENARIO --record-decisions run.ndjson`` writes, for any policy (Swift or external), the
protocol's ``hello``, then every round's ``round`` message followed by a ``decisions`` line with what the policy
decided. Replaying the round messages through the mirror rebuilds the exact state of each decision::

    from schedlab_policy import read_decision_log

    for snapshot, decisions in read_decision_log("run.ndjson"):
        features = [my_features(snapshot, i) for i in snapshot.queue]
        started = {d.job for d in decisions if isinstance(d, Start)}
        ...

The snapshot is the same object every round, updated in place: take what you need before the next iteration.
"""

import json

from .decisions import decode
from .mirror import Snapshot
from .protocol import ProtocolError


def read_decision_log(path):
    """Yields ``(snapshot, decisions)`` for each round of the log at ``path``."""
    with open(path, "rb") as f:
        first = f.readline()
        if not first:
            return
        snapshot = Snapshot(json.loads(first))
        pending = None
        for number, line in enumerate(f, start=2):
            msg = json.loads(line)
            kind = msg.get("type")
            if kind == "round":
                snapshot.apply(msg)
                pending = msg["round"]
            elif kind == "decisions":
                if msg["round"] != pending:
                    raise ProtocolError(f"{path}:{number}: decisions of round {msg['round']} follow round {pending}")
                yield snapshot, decode(msg["decisions"])
                pending = None
            else:
                raise ProtocolError(f"{path}:{number}: unexpected message type {kind!r} in a decision log")
