#!/usr/bin/env python3
"""Runs every variant of Scenarios/policy-zoo.yaml over several seeds and prints a Markdown table of the mean and
95% confidence interval (Student's t) of each summary metric across seeds.

    python3 notebooks-export/policy_zoo_seeds.py [--schedlab .build/release/schedlab] [--seeds 5] [--db PATH]

Each run is recorded in the results database (default: a fresh file under Results/), so the table can be
recomputed or extended from it. Standard library only.
"""
import argparse
import math
import os
import sqlite3
import statistics
import subprocess
import sys

# Two-sided 95% quantiles of Student's t by degrees of freedom (1..10); beyond, the normal 1.96 is close enough.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
METRICS = [("jct_mean_s", "mean JCT (s)", 0), ("jct_p95_s", "p95 JCT (s)", 0), ("queue_mean_s", "mean queueing (s)", 0),
           ("gpu_util", "GPU util", 3), ("preemptions", "preemptions", 0), ("rho_mean", "mean ρ", 2),
           ("shared_gpu_hours", "shared GPU-h", 0)]


def variants(scenario):
    """The variant names of the scenario, in file order (a tiny reader: the `variants:` block's keys)."""
    names, inside = [], False
    for line in open(scenario, encoding="utf-8"):
        if line.startswith("variants:"):
            inside = True
            continue
        if inside:
            if line and not line[0].isspace():
                break
            key = line.strip().split(":", 1)[0]
            if key and not key.startswith("#"):
                names.append(key)
    return names


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--schedlab", default=".build/release/schedlab")
    p.add_argument("--scenario", default="Scenarios/policy-zoo.yaml")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--db", default="Results/policy-zoo-seeds.sqlite")
    a = p.parse_args()
    if os.path.exists(a.db):
        sys.exit(f"error: {a.db} exists; remove it or pass another --db")
    # The runs of each variant by ID: a variant may run a policy another variant runs with other parameters
    # (tiresias-gittins is tiresias), so the policy column alone does not tell them apart.
    rows = []
    for variant in [None] + variants(a.scenario):
        ids = []
        for seed in range(1, a.seeds + 1):
            cmd = [a.schedlab, "run", a.scenario, "--seed", str(seed), "--db", a.db, "--quiet"]
            if variant:
                cmd += ["--variant", variant]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            with sqlite3.connect(a.db) as db:
                ids.append(db.execute("SELECT max(id) FROM runs").fetchone()[0])
        rows.append((variant or "fifo", ids))
    db = sqlite3.connect(a.db)
    print("| policy | " + " | ".join(label for _, label, _ in METRICS) + " |")
    print("|---|" + "---|" * len(METRICS))
    for policy, ids in rows:
        cells = []
        for metric, _, digits in METRICS:
            marks = ",".join("?" * len(ids))
            values = [v for (v,) in db.execute(
                f"SELECT s.value FROM summary s JOIN runs r ON r.id = s.run WHERE r.id IN ({marks}) AND s.metric = ? "
                "AND r.status = 'complete' ORDER BY r.seed", (*ids, metric))]
            n = len(values)
            mean = statistics.fmean(values)
            half = T95.get(n - 1, 1.96) * statistics.stdev(values) / math.sqrt(n) if n > 1 else float("nan")
            cells.append(f"{mean:,.{digits}f} ± {half:,.{digits}f}")
        print(f"| {policy} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
