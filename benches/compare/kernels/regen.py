#!/usr/bin/env python3
"""Writes the goldens of `cargo test --test kernels`: each kernel of this
folder run by CPython at its tiny size from tests/kernels/sizes.txt, its
output saved as tests/kernels/NAME.out. Where a `.lua` twin exists and
lua5.4/luajit are installed, checks that they print the same.

    python3 benches/compare/kernels/regen.py
"""

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "..", "..", "tests", "kernels")


def sizes():
    out = {}
    with open(os.path.join(GOLDEN, "sizes.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, n = line.split()
                out[name] = n
    return out


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout


def main():
    kernels = sorted(f[:-3] for f in os.listdir(HERE) if f.endswith(".sk"))
    table = sizes()
    missing = [k for k in kernels if k not in table]
    if missing:
        sys.exit("no tiny size in tests/kernels/sizes.txt for: " + ", ".join(missing))
    for kernel in kernels:
        n = table[kernel]
        out = run(["python3", os.path.join(HERE, kernel + ".py"), n])
        lua = os.path.join(HERE, kernel + ".lua")
        for interp in ["lua5.4", "luajit"]:
            if os.path.exists(lua) and shutil.which(interp):
                got = run([interp, lua, n])
                if got != out:
                    sys.exit(f"{kernel}: {interp} prints something else than python3 at n={n}")
        with open(os.path.join(GOLDEN, kernel + ".out"), "w") as f:
            f.write(out)
        print(f"{kernel}: n={n}, {len(out.splitlines())} lines")


if __name__ == "__main__":
    main()
