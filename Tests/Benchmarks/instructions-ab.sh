#!/usr/bin/env bash
# Two builds of schedlab compared by the instructions they execute on one run, not by wall time.
#
#   Tests/Benchmarks/instructions-ab.sh OLD_BINARY NEW_BINARY SCENARIO.yaml [schedlab run options...]
#   e.g. Tests/Benchmarks/instructions-ab.sh /tmp/schedlab-main .build/release/schedlab \
#            Scenarios/itp-full-2x.yaml --variant gavel
#
# Why: this project's 2-core VM drifts by ±20% in wall time within minutes, so a change worth a few percent cannot be
# seen in `schedlab bench`'s times. Valgrind's cachegrind counts the instructions a run executes; that count does not
# depend on the machine's load (both runs go in parallel), and with Swift's hashing made deterministic
# (SWIFT_DETERMINISTIC_HASHING=1, set here) it is the same from run to run of one binary. It is not the time: it does
# not see cache misses or branch mispredictions (add --cache-sim=yes via CG_OPTIONS to simulate the caches as well, at
# about twice the cost), so a change meant to save memory traffic still needs the wall-time benchmark.
#
# Each binary runs `run SCENARIO --no-db --quiet --seed 1 [options]` under cachegrind, about 40-60x slower than
# natively (the gavel variant of itp-full-2x: about 5 minutes). Valgrind 3.19 cannot read the DWARF 5 debug
# information of Swift 6 builds, so the binaries are copied without it (their symbol tables stay, for the
# per-function table). Prints both totals, their ratio, and the functions whose counts moved most (cg_diff).
# Needs valgrind (Debian: apt-get install valgrind) and binutils' strip.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 3 ]; then
    echo "usage: $0 OLD_BINARY NEW_BINARY SCENARIO.yaml [schedlab run options...]" >&2
    exit 2
fi
old="$1" new="$2" scenario="$3"
shift 3
for tool in valgrind cg_diff cg_annotate strip; do
    command -v "$tool" > /dev/null || { echo "error: $tool not found (Debian: apt-get install valgrind binutils)" >&2; exit 2; }
done
for b in "$old" "$new"; do
    [ -x "$b" ] || { echo "error: $b is not an executable schedlab" >&2; exit 2; }
done
[ -f "$scenario" ] || { echo "error: scenario $scenario not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip --strip-debug -o "$work/old" "$old"
strip --strip-debug -o "$work/new" "$new"
pids=()
for b in old new; do
    SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=cachegrind --cache-sim=no ${CG_OPTIONS:-} \
        --cachegrind-out-file="$work/$b.out" "$work/$b" run "$scenario" --no-db --quiet --seed 1 "$@" \
        > "$work/$b.log" 2>&1 &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
if [ "$status" -ne 0 ]; then
    for b in old new; do echo "--- $b:" >&2; tail -n 20 "$work/$b.log" >&2; done
    echo "error: a run failed (status $status)" >&2
    exit 1
fi
refs() { grep -E '== I +refs:' "$work/$1.log" | awk '{gsub(",", "", $4); print $4}'; }
o=$(refs old) n=$(refs new)
if [ -z "$o" ] || [ -z "$n" ]; then
    echo "error: cachegrind printed no instruction total (see its output in a rerun with: valgrind --tool=cachegrind ...)" >&2
    exit 1
fi
python3 - "$o" "$n" <<'PY'
import sys
o, n = int(sys.argv[1]), int(sys.argv[2])
print(f"old {o:>16,} instructions")
print(f"new {n:>16,} instructions  ({(n - o) / o * 100:+.2f}%)")
PY
echo "functions that moved most (new − old, instructions):"
cg_diff "$work/old.out" "$work/new.out" > "$work/diff.out" 2> /dev/null
cg_annotate "$work/diff.out" 2> /dev/null | python3 -c '
import re, sys
rows = []
for line in sys.stdin:
    m = re.match(r"^\s*(-?[0-9,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
    if m and ":" in m.group(2):  # a function row ("file:function"); the totals row has no colon
        rows.append((int(m.group(1).replace(",", "")), m.group(2)))
for delta, name in sorted(rows, key=lambda r: -abs(r[0]))[:15]:
    print(f"{delta:>+16,}  {name[:150]}")
'
