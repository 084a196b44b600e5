"""Write SchedLab scheduling policies in Python.

SchedLab runs the policy as a child process and speaks the external-policy protocol with it over standard input
and output (docs/external-policies.md in the SchedLab repository). This package keeps a mirror of the simulation
from the protocol's deltas and calls your ``schedule(snapshot)`` each round::

    from schedlab_policy import Policy, Start

    class FIFO(Policy):
        def schedule(self, s):
            planner = s.planner()
            out = []
            for i in s.queue:
                gpus = planner.place(s.jobs[i])
                if gpus is None:
                    break
                out.append(Start(i, gpus))
            return out

    FIFO().run()

Standard library only. See ``examples/`` beside this package for FIFO, Tiresias' LAS and a learned policy.
"""

from .decisions import Decision, Migrate, Preempt, Resize, Share, Start, WakeUp, decode, encode
from .mirror import Cluster, GPUType, Job, Node, Snapshot
from .placement import STRATEGIES, Planner
from .priority import TypeLedger, running_set_decisions
from .protocol import (ARRIVAL_FIELDS, CHECKPOINTING, FINISHED, JOB_FIELDS, NANOSECONDS_PER_SECOND, NEVER, PACKED, PREEMPTED,
                       PROTOCOL_VERSION, QUEUED, RESIZING, RESTORING, RUNNING, TIME_SLICED, ProtocolError)
from .recording import read_decision_log
from .runner import Policy, run

__version__ = "1.0.0"

__all__ = [
    "Decision", "Migrate", "Preempt", "Resize", "Share", "Start", "WakeUp", "decode", "encode",
    "Cluster", "GPUType", "Job", "Node", "Snapshot", "STRATEGIES", "Planner", "TypeLedger", "running_set_decisions",
    "ARRIVAL_FIELDS", "CHECKPOINTING", "FINISHED", "JOB_FIELDS", "NANOSECONDS_PER_SECOND", "NEVER", "PACKED", "PREEMPTED",
    "PROTOCOL_VERSION", "QUEUED", "RESIZING", "RESTORING", "RUNNING", "TIME_SLICED", "ProtocolError",
    "read_decision_log", "Policy", "run",
]
