#!/usr/bin/env python3
"""Runs each benchmark program in each implementation several times, pinned
to one core, and prints the minimum process CPU time (user + sys) of each.

CPU time rather than wall time because these machines are shared; the
minimum because noise only ever adds time. Every implementation must print
the same result, so a table never compares different work.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys

PROGRAMS = ["fib", "loop", "strings", "collections", "methods"]
CPU = "1"


def implementations(args):
    """(column name, command for a program name) for each implementation."""
    return [
        ("skein", lambda p: [args.skein, "run", "--budget", "0",
                             os.path.join(args.programs, p + ".sk")]),
        ("lua5.4", lambda p: ["lua5.4", os.path.join(args.compare, p + ".lua")]),
        ("luajit", lambda p: ["luajit", os.path.join(args.compare, p + ".lua")]),
        ("python3", lambda p: ["python3", os.path.join(args.compare, p + ".py")]),
    ]


def cpu_time(cmd):
    """Runs cmd pinned to one core; returns (stdout, CPU seconds)."""
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", CPU] + cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.stdout, seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skein", required=True)
    ap.add_argument("--programs", required=True)
    ap.add_argument("--compare", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", action="append", choices=PROGRAMS)
    args = ap.parse_args()

    impls = implementations(args)
    names = [n for n, _ in impls]
    rows = []
    for prog in args.only or PROGRAMS:
        best = {}
        expected = None
        for name, command in impls:
            times = []
            for _ in range(args.runs):
                out, t = cpu_time(command(prog))
                if expected is None:
                    expected = out
                elif out != expected:
                    sys.exit(f"{name} {prog} printed {out!r}, expected {expected!r}")
                times.append(t)
            best[name] = min(times)
            print(f"  {prog:<12} {name:<8} min {best[name]:.3f}s of "
                  + " ".join(f"{t:.3f}" for t in times), file=sys.stderr)
        rows.append((prog, best))

    header = ["program"] + [f"{n} (s)" for n in names] + ["skein/lua5.4"]
    lines = [header]
    for prog, best in rows:
        ratio = best["skein"] / best["lua5.4"] if best["lua5.4"] > 0 else float("inf")
        lines.append([prog] + [f"{best[n]:.3f}" for n in names] + [f"{ratio:.2f}"])
    print(f"CPU seconds, user+sys, minimum of {args.runs} runs, pinned to CPU {CPU}:")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for line in lines[1:]:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
