#!/usr/bin/env python3
"""Linearity of the cost model (language.md, "Cost model"): each program here
runs ten rounds at size n and at 10·n; the ratio of CPU times must stay at or under 11.

    python3 benches/linear/run.py [--skein target/release/skein] [--n 100000] [--runs 3]

CPU time is user+sys of the child (min of --runs), pinned with `taskset -c 1`
when available. The start-up time of an empty script is measured the same
way and subtracted before taking the ratio.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return t, out.stdout


def best(cmd, runs):
    times = []
    out = None
    for _ in range(runs):
        t, out = cpu(cmd)
        times.append(t)
    return min(times), out


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(HERE))
    ap.add_argument("--skein", default=os.path.join(root, "target", "release", "skein"))
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    pin = ["taskset", "-c", "1"] if shutil.which("taskset") else []
    empty = os.path.join(HERE, "empty.sk")
    base, _ = best(pin + [args.skein, "run", "--budget", "0", empty], args.runs)
    print(f"start-up: {base:.3f} s")
    print("| program | n | time (s) | 10n | time (s) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    worst = 0.0
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".sk") or name == "empty.sk":
            continue
        prog = os.path.join(HERE, name)
        row = []
        for n in (args.n, 10 * args.n):
            cmd = pin + [args.skein, "run", "--budget", "0", prog, "--param", f"n={n}"]
            t, _ = best(cmd, args.runs)
            row.append((n, max(t - base, 1e-9)))
        ratio = row[1][1] / row[0][1]
        worst = max(worst, ratio)
        print(f"| {name} | {row[0][0]} | {row[0][1]:.3f} | {row[1][0]} | {row[1][1]:.3f} | {ratio:.2f} |")
    print(f"worst ratio {worst:.2f} (target: at most 11)")
    return 0 if worst <= 11 else 1


if __name__ == "__main__":
    sys.exit(main())
