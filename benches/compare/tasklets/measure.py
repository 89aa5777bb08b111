#!/usr/bin/env python3
"""Runs the tasklet benchmarks (round robin, ping-pong, stream, spawn, skynet) in
Skein and its peers, several times each pinned to one core, and prints one
table of the minimum process CPU time (user + sys) per operation, plus the
peak RSS per tasklet of a million blocked tasklets.

CPU time rather than wall time because the machine is shared; the minimum
because noise only ever adds time. Each process is waited for with wait4,
so its own rusage (CPU and ru_maxrss) is read, children included for Erlang
(its runtime is exec'd in place). The CPU time of an empty program in the
same implementation (start-up, and for Erlang the boot) is subtracted
before dividing by the operation count. Every implementation must print the
same result, so the table never compares different work.
"""

import argparse
import os
import shutil
import subprocess
import sys

CPU = "1"

# program: (operations it performs, unit of the cell, description)
PROGRAMS = {
    "rr": (100_000 * 20, "ns/switch", "round robin, 100k tasklets x 20 schedule()"),
    "pingpong": (500_000, "ns/msg", "ping-pong, 500k messages over two channels"),
    "stream": (3_000_000, "ns/msg", "stream, 3M messages, producer tasklet -> main, one channel"),
    "spawn": (200_000, "ns/tasklet", "spawn 200k tasklets, trivial body"),
    "skynet": (None, "s", "skynet, 1M leaves (1,111,111 tasklets)"),
}
BLOCKED = 1_000_000


def implementations(here, build, skein_old=None):
    """(column name, command for a program name) for each implementation;
    with `skein_old` (another skein binary, e.g. the last release build) a
    `skein-old` column beside `skein`, so old and new run in one session."""
    skein = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(here))),
                         "target", "release", "skein")
    beam = os.path.join(build)
    old = []
    if skein_old:
        old = [("skein-old", lambda p: [skein_old, "run", "--budget", "0",
                                        os.path.join(here, "skein", p + ".sk")])]
    return [
        ("skein", lambda p: [skein, "run", "--budget", "0",
                             os.path.join(here, "skein", p + ".sk")]),
    ] + old + [
        ("lua5.4", lambda p: ["lua5.4", os.path.join(here, "lua", p + ".lua")]),
        ("luajit", lambda p: ["luajit", os.path.join(here, "lua", p + ".lua")]),
        ("greenlet", lambda p: ["python3", os.path.join(here, "python", p + ".py")]),
        ("go", lambda p: [os.path.join(build, "go-tasklets"), p]),
        ("erlang", lambda p: ["erl", "-noshell", "+S", "1", "+P", "2000000",
                              "+sbwt", "none", "+sbwtdcpu", "none", "+sbwtdio", "none",
                              "-pa", beam, "-s", "tasklets", "main", p,
                              "-s", "init", "stop"]),
    ]


def run_once(cmd):
    """Runs cmd pinned to one core; returns (stdout, CPU seconds, peak RSS KiB)."""
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", CPU] + cmd
    env = dict(os.environ, GOMAXPROCS="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env, text=True)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return out.strip(), usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def best_of(name, prog, command, runs):
    outs, times, rss = set(), [], []
    for _ in range(runs):
        out, t, m = run_once(command(prog))
        outs.add(out)
        times.append(t)
        rss.append(m)
    if len(outs) != 1:
        sys.exit(f"{name} {prog} printed different results: {outs}")
    print(f"  {prog:<9} {name:<9} {outs.pop():>14}  min {min(times):.3f}s of "
          + " ".join(f"{t:.3f}" for t in times), file=sys.stderr)
    return out, min(times), min(rss)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", required=True, help="folder with go-tasklets and tasklets.beam")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", action="append", help="implementation column to run")
    ap.add_argument("--no-rss", action="store_true", help="skip the 1M blocked tasklets")
    ap.add_argument("--skein-old", help="another skein binary to run beside (column skein-old)")
    args = ap.parse_args()

    impls = [(n, c) for n, c in implementations(here, args.build, args.skein_old)
             if not args.only or n in args.only]
    names = [n for n, _ in impls]
    base = {n: best_of(n, "empty", c, args.runs)[1] for n, c in impls}

    cells, results = {}, {}
    for prog, (ops, unit, _) in PROGRAMS.items():
        for name, command in impls:
            out, t, _ = best_of(name, prog, command, args.runs)
            results.setdefault(prog, {})[name] = out
            net = max(t - base[name], 0.0)
            cells[prog, name] = net * 1e9 / ops if ops else net
        if len(set(results[prog].values())) != 1:
            sys.exit(f"{prog}: implementations disagree: {results[prog]}")

    rss = {}
    if not args.no_rss:
        for name, command in impls:
            if name == "greenlet":
                continue  # each blocked greenlet keeps a copy of its C stack: GBs
            _, _, empty_kib = best_of(name, "empty", command, 1)
            out, _, kib = best_of(name, "blocked", command, 1)
            if out != str(BLOCKED):
                sys.exit(f"{name} blocked printed {out!r}")
            rss[name] = (kib - empty_kib) * 1024 / BLOCKED

    ratio_cols = [n for n in names if n != "skein"] if "skein" in names else []
    header = (["program", "unit"] + names + [f"skein/{n}" for n in ratio_cols])
    print(f"Process CPU time (user+sys) minus the empty program's, minimum of "
          f"{args.runs} runs, pinned to CPU {CPU}; all implementations printed "
          f"the same results.")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|")
    for prog, (ops, unit, desc) in PROGRAMS.items():
        row = [desc, unit]
        for n in names:
            v = cells[prog, n]
            row.append(f"{v:.3f}" if unit == "s" else f"{v:.0f}")
        for n in ratio_cols:
            row.append(f"{cells[prog, 'skein'] / cells[prog, n]:.2f}"
                       if cells[prog, n] > 0 else "-")
        print("| " + " | ".join(row) + " |")
    row = ["start-up (empty program)", "s"] + [f"{base[n]:.3f}" for n in names]
    print("| " + " | ".join(row + [""] * len(ratio_cols)) + " |")
    if rss:
        row = [f"peak RSS per blocked tasklet, {BLOCKED:,} blocked", "bytes"]
        row += [f"{rss[n]:.0f}" if n in rss else "-" for n in names]
        row += [f"{rss['skein'] / rss[n]:.2f}" if "skein" in rss and n in rss else "-"
                for n in ratio_cols]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
