"""The policy process's side of the protocol: subclass ``Policy``, implement ``schedule(snapshot)``, call ``run()``.

::

    from schedlab_policy import Policy, Start

    class FIFO(Policy):
        def schedule(self, s):
            planner = s.planner()
            decisions = []
            for i in s.queue:
                gpus = planner.place(s.jobs[i])
                if gpus is None:
                    break
                decisions.append(Start(i, gpus))
            return decisions

    if __name__ == "__main__":
        FIFO().run()

``run`` reads SchedLab's messages from standard input and writes the replies to standard output, which is the
protocol's channel: while it runs, ``print`` and ``sys.stdout`` go to standard error instead (SchedLab shows the
last lines of it when a run fails), so a stray print cannot corrupt a reply.
"""

import json
import json.scanner
import sys

from .decisions import encode
from .mirror import Snapshot
from .protocol import PROTOCOL_VERSION, ProtocolError


class Policy:
    """A SchedLab policy in Python. Override ``schedule``; ``setup`` and ``end`` are optional."""

    def setup(self, snapshot):
        """Called once on ``hello``, before answering it: ``snapshot.params`` holds the scenario's params,
        ``snapshot.cluster`` the cluster's shape (no job has arrived yet). An exception here fails the run at
        start-up."""

    def schedule(self, snapshot):
        """This round's decisions (a list of ``Start``, ``Share``, ``Preempt``, ``Resize``, ``Migrate``,
        ``WakeUp``), from ``snapshot``, the mirror of the simulation as of ``snapshot.now``."""
        raise NotImplementedError("a Policy implements schedule(snapshot)")

    def end(self, snapshot):
        """Called once when the run is over (write files here); the process then exits."""

    def run(self, stdin=None, stdout=None):
        """Serves SchedLab until the run ends (see ``run``)."""
        run(self, stdin, stdout)


class Channel:
    """The two pipes: one JSON line out, one JSON line back (used for requests within a round)."""

    __slots__ = ("readline", "write", "flush")

    def __init__(self, stdin, stdout):
        self.readline = stdin.readline
        self.write = stdout.write
        self.flush = stdout.flush

    def ask(self, request):
        self.write(request.encode() + b"\n")
        self.flush()
        line = self.readline()
        if not line:
            raise ProtocolError("SchedLab closed the channel while a request was pending")
        return json.loads(line)


def run(policy, stdin=None, stdout=None):
    """Serves SchedLab with ``policy`` over ``stdin``/``stdout`` (binary streams; default the process's own) until
    the ``end`` message or the end of input. Returns the final snapshot."""
    real_stdout = sys.stdout
    stdin = stdin if stdin is not None else sys.stdin.buffer
    stdout = stdout if stdout is not None else real_stdout.buffer
    sys.stdout = sys.stderr  # print() must not write into the protocol
    try:
        return _serve(policy, stdin, stdout)
    finally:
        sys.stdout = real_stdout


def _serve(policy, stdin, stdout):
    readline = stdin.readline
    write = stdout.write
    flush = stdout.flush
    # json's C scanner called directly: json.loads adds an encoding check, a decoder object's dispatch and two
    # whitespace matches per line, a fifth of a FIFO round's Python time (SchedLab's lines are compact UTF-8 JSON).
    scan = json.scanner.make_scanner(json.JSONDecoder())

    def loads(line):
        return scan(line.decode(), 0)[0]

    line = readline()
    if not line:
        raise ProtocolError("no hello from SchedLab (standard input is empty)")
    snapshot = Snapshot(loads(line), Channel(stdin, stdout))
    # Set-up first: a policy that cannot start (bad parameters, a missing weights file) fails at start-up.
    policy.setup(snapshot)
    write(b'{"protocol":%d}\n' % PROTOCOL_VERSION)
    flush()
    apply = snapshot.apply
    schedule = policy.schedule
    while True:
        line = readline()
        if not line:
            return snapshot
        msg = loads(line)
        kind = msg["type"]
        if kind == "round":
            apply(msg)
            write(encode(schedule(snapshot)))
            flush()
        elif kind == "end":
            policy.end(snapshot)
            return snapshot
        else:
            raise ProtocolError(f"unexpected message type {kind!r} between rounds")
