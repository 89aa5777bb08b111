#!/usr/bin/env python3
"""Times two skein binaries (OLD, NEW) beside CPython on every kernel, and
the two binaries alone on benches/programs, interleaved: each round runs
every implementation once, pinned to one core, and the table keeps each
one's minimum CPU time. Interleaving is what makes old-vs-new comparable on
a shared machine. Outputs must match CPython's (kernels) and each other's.

    python3 benches/compare/kernels/interleave.py OLD NEW [ROUNDS]
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from measure import cpu_time  # noqa: E402

PROGRAMS = os.path.join(HERE, "..", "..", "programs")


def main():
    old, new = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    kernels = sorted(f[:-3] for f in os.listdir(HERE) if f.endswith(".sk"))
    print("| kernel | old | new | python3 | old/py | new/py |")
    print("|---|---:|---:|---:|---:|---:|")
    logs = [0.0, 0.0]
    for k in kernels:
        path = os.path.join(HERE, k)
        cmds = [[old, "run", "--budget", "0", path + ".sk"],
                [new, "run", "--budget", "0", path + ".sk"],
                ["python3", path + ".py"]]
        best = [math.inf] * 3
        ref = None
        for _ in range(rounds):
            for i, cmd in enumerate(cmds):
                out, s = cpu_time(cmd)
                ref = out if ref is None else ref
                if out != ref:
                    sys.exit(f"{k}: {cmd[0]} printed something else")
                best[i] = min(best[i], s)
        o, n, p = best
        logs[0] += math.log(o / p)
        logs[1] += math.log(n / p)
        print(f"| {k} | {o:.3f} | {n:.3f} | {p:.3f} | {o / p:.2f} | {n / p:.2f} |", flush=True)
    g = [math.exp(x / len(kernels)) for x in logs]
    print(f"| geometric mean | | | | {g[0]:.2f} | {g[1]:.2f} |")
    print("\n| program | old | new | old runs | new runs |")
    print("|---|---:|---:|---|---|")
    for prog in ["fib", "loop", "methods", "collections", "strings"]:
        runs = [[], []]
        for _ in range(rounds):
            for i, b in enumerate((old, new)):
                runs[i].append(cpu_time([b, "run", "--budget", "0",
                                         os.path.join(PROGRAMS, prog + ".sk")])[1])
        shown = [" ".join(f"{x:.3f}" for x in r) for r in runs]
        print(f"| {prog} | {min(runs[0]):.3f} | {min(runs[1]):.3f} | {shown[0]} | {shown[1]} |")


if __name__ == "__main__":
    main()
