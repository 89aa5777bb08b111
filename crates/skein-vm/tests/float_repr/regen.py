#!/usr/bin/env python3
"""Regenerates the float-formatting goldens from CPython (3.11 here).

    python3 crates/skein-vm/tests/float_repr/regen.py

writes `golden.txt` (readable cases: `BITS FORMAT RESULT` per line) and
`checksum.txt` (the FNV-1a 64 hash of the reprs of the million doubles that
`tests/float_repr.rs` generates, one per line). The generator here and the
one in the test must stay the same: SplitMix64 from seed 0x5eed; even draws
are raw bit patterns, odd draws are dyadic values with short exact decimal
expansions, where ties between two shortest candidates live.
"""
import math
import os
import struct

M = (1 << 64) - 1
N = 1_000_000
HERE = os.path.dirname(os.path.abspath(__file__))


def doubles(n):
    st = 0x5EED
    for i in range(n):
        st = (st + 0x9E3779B97F4A7C15) & M
        z = st
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        r = z ^ (z >> 31)
        if i % 2 == 0:
            f = struct.unpack("<d", struct.pack("<Q", r))[0]
        else:
            k = (r & 63) - 20
            f = float(r >> 11) * 2.0 ** -max(k, 0) * 2.0 ** max(-k, 0) / 2.0**10
        if math.isfinite(f):
            yield f


def bits(f):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", f))[0]


def fnv1a(data, h=0xCBF29CE484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & M
    return h


def main():
    h = 0xCBF29CE484222325
    for f in doubles(N):
        h = fnv1a((repr(f) + "\n").encode(), h)
    with open(os.path.join(HERE, "checksum.txt"), "w") as out:
        out.write("%d %016x\n" % (N, h))

    fixed = [1000000000000000.25, 163002591252857.125, 0.125, 0.375, 2.5, 0.5,
             1.5, 5e-324, 1.7976931348623157e308, 1e16, 1e15, 0.1, 2.675,
             1e22, 1e23, 9007199254740993.0, -0.0, 123456789.125]
    lines = []
    for i, f in enumerate(list(doubles(4000))[:2000] + fixed):
        lines.append("%s r %s" % (bits(f), repr(f)))
        if i % 4 == 0:
            for fmt in ("%.0f", "%.2f", "%.3e", "%.10e", "%.1g", "%.5g", "%.17g", "%g"):
                if fmt.endswith("f") and abs(f) >= 1e30:
                    continue
                lines.append("%s %s %s" % (bits(f), fmt, fmt % f))
    with open(os.path.join(HERE, "golden.txt"), "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
