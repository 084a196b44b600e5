#!/usr/bin/env python3
"""Measures how fast zoo models train when two of them are packed on one GPU, against each alone, with PyTorch.

Gandiva-style packing (`GPUSharingModel`, packed mode) slows a job by a factor per co-runner, taken from Gavel's
space-sharing throughputs on a V100 (stanford-futuredata/gavel, scheduler/simulation_throughputs.json). This script
measures the same factor on the machine's GPU: each job is its own process (as two users' jobs would be, with no MPS),
both build their model, warm up, meet at a barrier, then train for --seconds; a job's factor is its steps per second
packed over its steps per second alone. The models and batches are Gavel's: ResNet-50 at batch 64, CIFAR ResNet-18
and the Transformer at 128, the LSTM language model at 20 (definitions in hw-model-steps.py beside this file).

Writes packing-GPU-DATE.json (schema 1) into --out-dir, the format `schedlab fidelity --hardware` reads.
Usage: hw-packing.py [--out-dir DIR] [--seconds S] [--precision fp32|bf16] [--models a,b,...]
Exit status: 0 all measured; 1 a run failed (the rest are still written); 3 no CUDA device.
"""
import argparse
import datetime
import importlib.util
import itertools
import json
import multiprocessing as mp
import os
import re
import sys
import time
import traceback

# Gavel's batch per model in its space-sharing measurements; the zoo's reference batch otherwise.
GAVEL_BATCH = {"resnet50": 64, "resnet18": 128, "transformer": 128, "lm": 20}


def load_steps_module():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hw-model-steps.py")
    spec = importlib.util.spec_from_file_location("hw_model_steps", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker(name, batch, precision, seconds, barrier, results):
    try:
        import torch
        from torch import nn
        steps_module = load_steps_module()
        torch.backends.cudnn.benchmark = True
        _, factory, _ = steps_module.build_models(torch, nn)[name]
        step, _ = steps_module.make_step(torch, name, batch, factory, precision)

        for _ in range(5):
            step()
        torch.cuda.synchronize()
        barrier.wait(timeout=300)
        steps, began = 0, time.monotonic()
        while True:
            step()
            torch.cuda.synchronize()
            steps += 1
            elapsed = time.monotonic() - began
            if elapsed >= seconds:
                break
        results.put({"model": name, "batch": batch, "steps": steps, "seconds": elapsed})
    except Exception as e:
        traceback.print_exc()
        results.put({"model": name, "error": f"{type(e).__name__}: {e}"})
        try:
            barrier.abort()
        except Exception:
            pass


def run(ctx, jobs, precision, seconds):
    """Runs `jobs` (model names) at once, one process each; returns their results in job order."""
    barrier = ctx.Barrier(len(jobs))
    results = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(m, GAVEL_BATCH[m], precision, seconds, barrier, results)) for m in jobs]
    for p in procs:
        p.start()
    got = [results.get(timeout=600) for _ in jobs]
    for p in procs:
        p.join()
    # Two copies of one model report under the same name: keep both, in any order (they are alike).
    out = []
    for m in jobs:
        i = next(i for i, r in enumerate(got) if r["model"] == m)
        out.append(got.pop(i))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out-dir", default=".", help="directory for packing-GPU-DATE.json")
    p.add_argument("--seconds", type=float, default=4.0, help="timed seconds per run")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    p.add_argument("--models", default="resnet50,resnet18,transformer,lm", help="comma-separated, from Gavel's four")
    args = p.parse_args()
    if not 0.5 <= args.seconds <= 600:
        p.error("--seconds must be in 0.5...600")
    models = [m for m in args.models.split(",") if m]
    for m in models:
        if m not in GAVEL_BATCH:
            p.error(f"unknown model '{m}' (expected one of {', '.join(GAVEL_BATCH)})")
    torch = load_steps_module().import_torch("hw-packing")
    if torch is None:
        return 3
    gpu = torch.cuda.get_device_name(0)
    now = datetime.datetime.now(datetime.timezone.utc)
    ctx = mp.get_context("spawn")
    slug = re.sub(r"[^a-z0-9]+", "-", gpu.lower()).strip("-")
    path = os.path.join(args.out_dir, f"packing-{slug}-{now.strftime('%Y%m%dT%H%M%SZ')}.json")
    solo, pairs, failed = {}, [], []

    def save():
        # Rewritten after every run, so a run cut short keeps what was measured before it.
        record = {
            "schema": 1,
            "gpuName": gpu,
            "measuredAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "precision": args.precision,
            "secondsPerRun": args.seconds,
            "torchVersion": torch.__version__,
            "method": "one process per job, no MPS; each builds its model, runs 5 warm-up steps, waits at a barrier, "
                      "then trains for secondsPerRun with a device synchronisation after every step; factor = steps/s "
                      "packed over steps/s alone (.ci/hw-packing.py)",
            "solo": [{"model": m, "batch": GAVEL_BATCH[m], "stepsPerSecond": solo[m]} for m in models if m in solo],
            "pairs": pairs,
        }
        with open(path + ".tmp", "w") as f:
            json.dump(record, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(path + ".tmp", path)

    for m in models:
        r = run(ctx, [m], args.precision, args.seconds)[0]
        if "error" in r:
            failed.append(m)
            continue
        solo[m] = r["steps"] / r["seconds"]
        print(f"alone   {m:<12} {solo[m]:9.2f} steps/s", flush=True)
        save()
    for a, b in itertools.combinations_with_replacement(models, 2):
        if a not in solo or b not in solo:
            continue
        ra, rb = run(ctx, [a, b], args.precision, args.seconds)
        if "error" in ra or "error" in rb:
            failed.append(f"{a}+{b}")
            continue
        for r, other in ((ra, b), (rb, a)):
            rate = r["steps"] / r["seconds"]
            pairs.append({"model": r["model"], "with": other, "stepsPerSecond": rate, "factor": rate / solo[r["model"]]})
            print(f"packed  {r['model']:<12} with {other:<12} {rate:9.2f} steps/s  factor {rate / solo[r['model']]:.3f}", flush=True)
            if a == b:
                break  # two copies of one model: one entry (the copies are alike)
        save()
    print(f"wrote {path}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
