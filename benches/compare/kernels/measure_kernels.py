#!/usr/bin/env python3
"""Runs each real-program kernel of this folder in Skein, Lua 5.4, LuaJIT
and CPython, pinned to one core, and prints a Markdown table of the minimum
process CPU time of each with Skein's ratios to the others.

Every implementation of a kernel must print byte-identical output; a
mismatch stops the run and shows the diff, so a table never compares
different work. A kernel without a `.lua` twin gets "—" in the Lua columns.
"""

import argparse
import difflib
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from measure import CPU, cpu_time  # noqa: E402

KERNELS = sorted(f[:-3] for f in os.listdir(HERE) if f.endswith(".sk"))
# The target: each kernel at or under half of CPython's CPU time.
TARGET = 0.5
IMPLS = ["skein", "lua5.4", "luajit", "python3"]


def commands(skein, kernel, n):
    """(implementation, command) for each implementation that has the kernel."""
    path = os.path.join(HERE, kernel)
    extra_sk = [] if n is None else ["--param", f"n={n}"]
    extra = [] if n is None else [str(n)]
    out = [("skein", [skein, "run", "--budget", "0", path + ".sk"] + extra_sk)]
    if os.path.exists(path + ".lua"):
        out.append(("lua5.4", ["lua5.4", path + ".lua"] + extra))
        out.append(("luajit", ["luajit", path + ".lua"] + extra))
    out.append(("python3", ["python3", path + ".py"] + extra))
    return out


def check_same(kernel, name, out, reference):
    if out == reference:
        return
    diff = difflib.unified_diff(reference.splitlines(True), out.splitlines(True),
                                "python3", name)
    sys.exit(f"{kernel}: {name} printed something else than python3:\n" + "".join(diff))


def measure(skein, kernel, runs, n, impls):
    """{implementation: min CPU seconds} for one kernel, outputs checked."""
    cmds = commands(skein, kernel, n)
    # CPython's output is the reference: run it first, untimed if it is not
    # among the implementations asked for.
    cmds.sort(key=lambda c: c[0] != "python3")
    reference = None
    if impls and "python3" not in impls:
        reference, _ = cpu_time(cmds[0][1])
    best = {}
    for name, cmd in cmds:
        if impls and name not in impls:
            continue
        times = []
        for _ in range(runs):
            out, t = cpu_time(cmd)
            if reference is None:
                reference = out
            check_same(kernel, name, out, reference)
            times.append(t)
        best[name] = min(times)
        print(f"  {kernel:<14} {name:<8} min {best[name]:.3f}s of "
              + " ".join(f"{t:.3f}" for t in times), file=sys.stderr)
    return best


def ratio(best, a, b):
    if a not in best or b not in best or best[b] <= 0:
        return None
    return best[a] / best[b]


def cell(x, fmt="{:.3f}"):
    return "—" if x is None else fmt.format(x)


def table(rows, runs):
    impls = IMPLS
    header = (["program"] + [f"{n} (s)" for n in impls]
              + ["skein/lua5.4", "skein/luajit", "skein/python3"])
    lines = [f"CPU seconds, user+sys, minimum of {runs} runs, pinned to CPU {CPU}:", "",
             "| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    to_python = []
    for kernel, best in rows:
        ratios = [ratio(best, "skein", p) for p in ["lua5.4", "luajit", "python3"]]
        to_python.append((kernel, ratios[2]))
        lines.append("| " + " | ".join([kernel] + [cell(best.get(n)) for n in impls]
                                       + [cell(r, "{:.2f}") for r in ratios]) + " |")
    valid = [r for _, r in to_python if r is not None and r > 0]
    if valid:
        geo = math.exp(sum(math.log(r) for r in valid) / len(valid))
        lines += ["", f"Geometric mean of skein/python3 over {len(valid)} kernels: {geo:.2f} "
                  f"(target: at or under {TARGET})."]
        met = [k for k, r in to_python if r is not None and r <= TARGET]
        missed = [k for k, r in to_python if r is not None and r > TARGET]
        lines.append("At or under half of CPython's CPU time: " + (", ".join(met) or "none") + ".")
        lines.append("Above it: " + (", ".join(missed) or "none") + ".")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skein", required=True, help="the skein binary (a release build)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", action="append", choices=KERNELS)
    ap.add_argument("--impl", action="append", choices=IMPLS,
                    help="time only these implementations (python3 still runs once for the reference)")
    ap.add_argument("--n", type=int, help="size parameter for every kernel (default: each kernel's own)")
    args = ap.parse_args()
    rows = [(k, measure(args.skein, k, args.runs, args.n, args.impl))
            for k in args.only or KERNELS]
    print(table(rows, args.runs))


if __name__ == "__main__":
    main()
