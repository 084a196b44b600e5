#!/usr/bin/env python3
"""The shape of a learned policy: a decision function loaded from a file, applied to the mirror's state.

Each round, every waiting job gets a score, a linear function of its features (`features`) with weights from a
file; jobs start in order of decreasing score (ties to the earlier submission) wherever the run's placement
strategy finds GPUs for them, skipping those that do not fit. Never preempts.

Weights (`params: {weights: FILE}`, relative to the scenario's directory, where the process runs; list the file
under `policy.files` so that its hash goes into the run's provenance):
- `.json`: {"features": [names...], "weights": [numbers...]} (no dependency at all);
- `.npz`: NumPy arrays `features` and `weights` (needs numpy, imported only then).
The feature names must be the ones below, in order: a weights file trained on other features is refused.

`train_learned.py` fits such weights by imitation from any run's decision log (`schedlab run --record-decisions`).
Swap the linear scorer for a network by loading its parameters here the same way; keep the framework out of
SchedLab's dependencies.
"""

import json
import math
import sys
from pathlib import Path

try:
    from schedlab_policy import Policy, Start
except ImportError:  # run from a SchedLab checkout without `pip install ./python`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from schedlab_policy import Policy, Start

#: The features of a waiting job, in order.
FEATURES = ("bias", "log2_gpus", "log10_estimated_s", "wait_h", "attained_gpu_h")


def features(s, i):
    """The feature vector of waiting job ``i`` in snapshot ``s``."""
    j = s.jobs[i]
    return [
        1.0,
        math.log2(j.gpu_count),
        math.log10(1.0 + j.estimated / 1e9),
        (s.now - j.submit) / 3.6e12,
        s.attained_service(i)[1] / 3600.0,
    ]


def load_weights(path):
    """Weights from a .json or .npz file, checked against FEATURES."""
    path = Path(path)
    if path.suffix == ".npz":
        import numpy  # optional: only for .npz weights
        with numpy.load(path) as data:
            names = [str(x) for x in data["features"]]
            weights = [float(x) for x in data["weights"]]
    else:
        with open(path) as f:
            data = json.load(f)
        names, weights = data["features"], [float(x) for x in data["weights"]]
    if tuple(names) != FEATURES or len(weights) != len(FEATURES):
        raise ValueError(f"{path}: weights for features {names}, expected {list(FEATURES)}")
    return weights


class Learned(Policy):
    def setup(self, s):
        self.weights = load_weights(s.params["weights"])

    def score(self, s, i):
        return sum(w * x for w, x in zip(self.weights, features(s, i)))

    def schedule(self, s):
        if not s.queue:
            return []
        order = sorted(s.queue, key=lambda i: (-self.score(s, i), i))
        planner = s.planner()
        out = []
        for i in order:
            gpus = planner.place(s.jobs[i])
            if gpus is not None:
                out.append(Start(i, gpus))
        return out


if __name__ == "__main__":
    Learned().run()
