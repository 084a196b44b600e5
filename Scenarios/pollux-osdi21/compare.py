#!/usr/bin/env python3
"""Runs the eight Pollux (OSDI'21) workloads under pollux, optimus and tiresias and prints SchedLab's average JCT
next to the published one (a Markdown table, as in the README).

Published numbers: the Pollux simulator's results at load 1.0, `avgs` of
simulator/results-jobload/{pollux,optimus,tiresias}-1.0/summary.json in petuum/adaptdl (branch osdi21-artifact,
commit c793c70); the headline ratios are 1 - mean(pollux) / mean(other).

    Scenarios/pollux-osdi21/compare.py                       # .build/release/schedlab, 2 runs at a time
    Scenarios/pollux-osdi21/compare.py --schedlab .build/debug/schedlab --jobs 4
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import time

POLICIES = ["pollux", "optimus", "tiresias"]
PUBLISHED = {  # average JCT in seconds, workload -> (pollux, optimus+oracle, tiresias)
    1: (2089, 4087, 2474), 2: (3323, 6914, 5145), 3: (2188, 3944, 3876), 4: (2721, 5968, 3280),
    5: (2674, 5656, 3501), 6: (2446, 5302, 3470), 7: (3616, 7291, 5480), 8: (2952, 6294, 5080),
}
PUBLISHED_MEAN = (2751, 5682, 4038)
HERE = os.path.dirname(os.path.abspath(__file__))


def run(schedlab, workload, policy, overrides=()):
    """Average JCT (s) of one run, read from the summary table `schedlab run --quiet --no-db` prints."""
    cmd = [schedlab, "run", os.path.join(HERE, f"workload-{workload}.yaml"), "--quiet", "--no-db"]
    for o in overrides:
        cmd += ["--set", o]
    if policy != "pollux":
        cmd += ["--variant", policy]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == "jct_mean_s":
            return float(fields[1])
    sys.exit(f"no jct_mean_s in the summary of {' '.join(cmd)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedlab", default=".build/release/schedlab", help="the schedlab binary")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="scenario override passed to every run (repeatable), e.g. "
                             "network.fabric_profile=/abs/path/fabric.json")
    args = parser.parse_args()
    start = time.time()
    points = [(w, p) for w in sorted(PUBLISHED) for p in POLICIES]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = dict(zip(points, pool.map(lambda wp: run(args.schedlab, *wp, args.set), points)))
    wall = time.time() - start

    def err(ours, published):
        return f"{100 * (ours - published) / published:+.0f} %"

    print("| workload | Pollux (pub.) | Pollux | error | Optimus (pub.) | Optimus | error | Tiresias (pub.) | Tiresias | error | order P < T < O |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ordered = 0
    for w in sorted(PUBLISHED):
        ours = [results[(w, p)] for p in POLICIES]
        ok = ours[0] < ours[2] < ours[1]
        ordered += ok
        cells = []
        for k in range(3):
            cells += [str(PUBLISHED[w][k]), f"{ours[k]:.0f}", err(ours[k], PUBLISHED[w][k])]
        print(f"| {w} | " + " | ".join(cells) + f" | {'yes' if ok else 'no'} |")
    means = [sum(results[(w, p)] for w in PUBLISHED) / len(PUBLISHED) for p in POLICIES]
    cells = []
    for k in range(3):
        cells += [str(PUBLISHED_MEAN[k]), f"{means[k]:.0f}", err(means[k], PUBLISHED_MEAN[k])]
    print(f"| mean | " + " | ".join(cells) + f" | {'yes' if means[0] < means[2] < means[1] else 'no'} ({ordered}/8) |")
    print()
    for k, name in [(1, "Optimus"), (2, "Tiresias")]:
        ours = 100 * (1 - means[0] / means[k])
        published = 100 * (1 - PUBLISHED_MEAN[0] / PUBLISHED_MEAN[k])
        print(f"Pollux vs {name}: average JCT {ours:.1f} % lower (published {published:.1f} %, "
              f"{ours - published:+.1f} percentage points)")
    print(f"\n{len(points)} runs in {wall:.0f} s wall ({args.jobs} at a time, {args.schedlab})")


if __name__ == "__main__":
    main()
