#!/usr/bin/env python3
"""Times Python's csv.DictReader over a trace CSV: the whole file read into a list of dicts, as a pandas-free
Python script would load a SchedLab canonical trace. Prints the median and best wall and CPU milliseconds over
--runs reads after one warm-up read, and one line for scripts (Tests/Benchmarks/trace-read.sh)."""
import argparse
import csv
import statistics
import time


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rows = read_rows(args.file)  # warm-up: page cache, allocator
    wall, cpu = [], []
    for _ in range(args.runs):
        w0, c0 = time.perf_counter(), time.process_time()
        rows = read_rows(args.file)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    print(f"python_dictreader_ms median={statistics.median(wall):.3f} best={min(wall):.3f} "
          f"cpu_median={statistics.median(cpu):.3f} rows={len(rows)}")


if __name__ == "__main__":
    main()
