#!/usr/bin/env python3
"""Fits `learned.py`'s weights by imitation: logistic regression of "the teacher started this waiting job this
round" on the job's features, over every round of a decision log.

    schedlab run SCENARIO --policy sjf --record-decisions sjf.ndjson     # any teacher: Swift or external
    python3 train_learned.py sjf.ndjson weights.json [--npz weights.npz]

Pure Python (Newton's method on 5 weights, a few passes over the examples); with --npz it also writes the weights
with NumPy. Prints the fitted weights and the training accuracy.
"""

import argparse
import json
import math
import sys
from pathlib import Path

try:
    from schedlab_policy import Start, read_decision_log
except ImportError:  # run from a SchedLab checkout without `pip install ./python`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from schedlab_policy import Start, read_decision_log

sys.path.insert(0, str(Path(__file__).resolve().parent))
from learned import FEATURES, features  # noqa: E402


def examples(log):
    """(features, started) for every waiting job of every round with at least one start."""
    xs, ys = [], []
    for s, decisions in read_decision_log(log):
        started = {d.job for d in decisions if isinstance(d, Start)}
        if not started:
            continue  # nothing fit: the round says nothing about the teacher's order
        for i in s.queue:
            xs.append(features(s, i))
            ys.append(1.0 if i in started else 0.0)
    return xs, ys


def solve(a, b):
    """Solves a x = b (Gaussian elimination with partial pivoting; a small dense system)."""
    n = len(b)
    m = [row[:] + [b[r]] for r, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n + 1):
                m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def fit(xs, ys, l2=1e-3, iterations=25):
    """Logistic regression weights by Newton's method with a small L2 penalty."""
    d = len(xs[0])
    w = [0.0] * d
    for _ in range(iterations):
        grad = [l2 * wk for wk in w]
        hess = [[l2 if r == c else 0.0 for c in range(d)] for r in range(d)]
        for x, y in zip(xs, ys):
            z = sum(wk * xk for wk, xk in zip(w, x))
            p = 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))
            g = p - y
            h = p * (1.0 - p)
            for r in range(d):
                grad[r] += g * x[r]
                hr = h * x[r]
                row = hess[r]
                for c in range(d):
                    row[c] += hr * x[c]
        step = solve(hess, grad)
        w = [wk - sk for wk, sk in zip(w, step)]
        if max(abs(sk) for sk in step) < 1e-9:
            break
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log", help="decision log (schedlab run --record-decisions)")
    ap.add_argument("out", help="weights file to write (.json)")
    ap.add_argument("--npz", help="also write the weights as NumPy arrays to this .npz file")
    args = ap.parse_args()
    xs, ys = examples(args.log)
    if not xs or all(ys) or not any(ys):
        sys.exit(f"{args.log}: no rounds with both started and waiting jobs to learn from")
    w = fit(xs, ys)
    correct = sum((sum(a * b for a, b in zip(w, x)) > 0) == (y > 0.5) for x, y in zip(xs, ys))
    with open(args.out, "w") as f:
        json.dump({"features": list(FEATURES), "weights": w, "trained_on": Path(args.log).name,
                   "examples": len(xs)}, f, indent=1)
        f.write("\n")
    if args.npz:
        import numpy  # optional
        numpy.savez(args.npz, features=numpy.array(FEATURES), weights=numpy.array(w))
    print(f"{len(xs)} examples, training accuracy {correct / len(xs):.3f}")
    for name, wk in zip(FEATURES, w):
        print(f"  {name:18s} {wk:+.4f}")


if __name__ == "__main__":
    main()
