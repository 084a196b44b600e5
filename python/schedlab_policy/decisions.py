"""Decisions: the same six cases as SchedLab's Swift ``SchedulingDecision``, written in the protocol's form.

A round's reply is a JSON list of them, e.g. ``[{"start":3,"gpus":[0,1]},{"wake_up":5000000000}]``. SchedLab's
engine validates them exactly as it validates a Swift policy's decisions.
"""

from .protocol import PACKED, TIME_SLICED


def _gpu_list(gpus):
    return ",".join(str(int(g)) for g in gpus)


class Decision:
    """Base class of the six decisions."""

    __slots__ = ()

    def wire(self):
        """This decision as the protocol's JSON text."""
        raise NotImplementedError

    def __eq__(self, other):
        return type(self) is type(other) and all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __hash__(self):
        return hash((type(self).__name__,) + tuple(
            tuple(v) if isinstance(v, list) else v for v in (getattr(self, k) for k in self.__slots__)))

    def __repr__(self):
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Start(Decision):
    """Start (or resume) waiting job ``job`` on ``gpus``; ``gpus=None`` lets SchedLab's placement strategy choose."""

    __slots__ = ("job", "gpus")

    def __init__(self, job, gpus=None):
        self.job = int(job)
        self.gpus = None if gpus is None else [int(g) for g in gpus]

    def wire(self):
        if self.gpus is None:
            return '{"start":%d}' % self.job
        return '{"start":%d,"gpus":[%s]}' % (self.job, _gpu_list(self.gpus))


class Share(Decision):
    """Start waiting job ``job`` on ``gpus`` alongside the jobs holding them, ``mode`` packed or time-sliced."""

    __slots__ = ("job", "gpus", "mode")

    def __init__(self, job, gpus, mode):
        if mode not in (PACKED, TIME_SLICED):
            raise ValueError(f"mode must be {PACKED!r} or {TIME_SLICED!r}, got {mode!r}")
        self.job = int(job)
        self.gpus = [int(g) for g in gpus]
        self.mode = mode

    def wire(self):
        return '{"share":%d,"gpus":[%s],"mode":"%s"}' % (self.job, _gpu_list(self.gpus), self.mode)


class Preempt(Decision):
    """Stop running job ``job``, keeping its progress; it goes back to the queue."""

    __slots__ = ("job",)

    def __init__(self, job):
        self.job = int(job)

    def wire(self):
        return '{"preempt":%d}' % self.job


class Resize(Decision):
    """Give running job ``job`` a new GPU set of any count in its GPU range."""

    __slots__ = ("job", "gpus")

    def __init__(self, job, gpus):
        self.job = int(job)
        self.gpus = [int(g) for g in gpus]

    def wire(self):
        return '{"resize":%d,"gpus":[%s]}' % (self.job, _gpu_list(self.gpus))


class Migrate(Decision):
    """Move running job ``job`` to another GPU set of the same size."""

    __slots__ = ("job", "gpus")

    def __init__(self, job, gpus):
        self.job = int(job)
        self.gpus = [int(g) for g in gpus]

    def wire(self):
        return '{"migrate":%d,"gpus":[%s]}' % (self.job, _gpu_list(self.gpus))


class WakeUp(Decision):
    """Run the policy at simulated time ``at`` (integer nanoseconds) even if nothing else happens."""

    __slots__ = ("at",)

    def __init__(self, at):
        self.at = int(at)

    def wire(self):
        return '{"wake_up":%d}' % self.at


def encode(decisions):
    """A round's reply line (bytes, newline included) for a list of decisions."""
    if not decisions:
        return b"[]\n"
    return ("[" + ",".join(d.wire() for d in decisions) + "]\n").encode()


def decode(items):
    """Decisions from their parsed JSON form (a list of one-decision objects), e.g. from a decision log."""
    out = []
    for item in items:
        if "start" in item:
            out.append(Start(item["start"], item.get("gpus")))
        elif "share" in item:
            out.append(Share(item["share"], item["gpus"], item["mode"]))
        elif "preempt" in item:
            out.append(Preempt(item["preempt"]))
        elif "resize" in item:
            out.append(Resize(item["resize"], item["gpus"]))
        elif "migrate" in item:
            out.append(Migrate(item["migrate"], item["gpus"]))
        elif "wake_up" in item:
            out.append(WakeUp(item["wake_up"]))
        else:
            raise ValueError(f"not a decision: {item!r}")
    return out
