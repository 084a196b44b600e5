#!/usr/bin/env bash
# Issue 14, target 1: SchedLab's trace reader against Python's csv.DictReader over the same file, in the same run.
#
#   Tests/Benchmarks/trace-read.sh [TRACE.csv] [RUNS]
#
# Defaults: Scenarios/traces/msft-itp-2021.csv (the Microsoft ITP trace, 69,351 jobs, 4.6 MB), 20 runs each after a
# warm-up. Needs a release build (swift build -c release) and python3. The Swift figure is `schedlab bench --trace`:
# the file read, every row parsed and validated against the declared ranges, the jobs sorted. Python's is
# csv.DictReader reading every row into a dict (no validation at all). Prints both, and how many times faster Swift
# is, from the medians of wall time and of CPU time (CPU time is what other processes on a shared machine move least).
set -euo pipefail
cd "$(dirname "$0")/../.."
trace="${1:-Scenarios/traces/msft-itp-2021.csv}"
runs="${2:-20}"
bin="${SCHEDLAB_BIN:-.build/release/schedlab}"
[ -x "$bin" ] || { echo "error: $bin not found; build with: swift build -c release" >&2; exit 2; }
swift_line=$("$bin" bench --trace "$trace" --repeat "$runs" | grep '^swift_trace_read_ms')
python_line=$(python3 Tests/Benchmarks/trace_read.py "$trace" --runs "$runs")
echo "$swift_line"
echo "$python_line"
python3 - "$swift_line" "$python_line" <<'PY'
import sys
def fields(line):
    return {k: float(v) for k, v in (p.split("=") for p in line.split()[1:])}
s, p = fields(sys.argv[1]), fields(sys.argv[2])
print(f"swift  median {s['median']:7.2f} ms wall, {s['cpu_median']:7.2f} ms cpu ({int(s['jobs'])} jobs)")
print(f"python median {p['median']:7.2f} ms wall, {p['cpu_median']:7.2f} ms cpu ({int(p['rows'])} rows)")
print(f"swift is {p['median'] / s['median']:.1f}x faster (wall medians), {p['cpu_median'] / s['cpu_median']:.1f}x (cpu medians)")
PY
