#!/usr/bin/env python3
"""Regenerates or checks the expected stdout (`.out`) of every Python-compatible
script of the Skein conformance corpus with CPython 3.11.

Usage (from anywhere):
    python3 tests/scripts/regen.py            # check: report .out files python3 disagrees with
    python3 tests/scripts/regen.py --write    # rewrite them
    python3 tests/scripts/regen.py FILE.sk..  # only these scripts

A script is skipped (its .out is written by hand from language.md) when its
leading comment block has a line `# skein-only: REASON`; a support module
(`# skein-module: ...`) is not run on its own, and compile-error scripts (a
`.code` file of 2) have no Python counterpart. `.err` files are written by hand
(Skein's traceback shape differs from CPython 3.11's: no carets, an
`Uncaught error in <tasklet #1>:` line); for Python-compatible scripts this tool
checks them against python3's traceback converted to that shape, never rewrites
them.

Imports of `.sk` modules work under Python through a finder that looks for
NAME.sk in the script's folder, so the `imports/` scripts are checked too.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Run inside the child python: make `import NAME` find NAME.sk in the cwd, then
# execute the script as __main__.
RUNNER = r"""
import importlib.abc, importlib.machinery, importlib.util, os, sys
sys.dont_write_bytecode = True
class SkFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        file = os.path.join(os.getcwd(), name + ".sk")
        if path is None and os.path.isfile(file):
            loader = importlib.machinery.SourceFileLoader(name, file)
            return importlib.util.spec_from_loader(name, loader, origin=file)
        return None
sys.meta_path.insert(0, SkFinder())
script = sys.argv[1]
with open(script, encoding="utf-8") as f:
    code = compile(f.read(), script, "exec")
exec(code, {"__name__": "__main__", "__file__": script})
"""


def header(path):
    """The leading comment lines of a script."""
    lines = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            lines.append(line.rstrip("\n"))
    return lines


def classify(path):
    """'python', 'skein-only', 'module' or 'compile-error'."""
    head = header(path)
    if any(l.startswith("# skein-module:") for l in head):
        return "module"
    code_file = path[:-3] + ".code"
    if os.path.exists(code_file):
        with open(code_file) as f:
            if f.read().strip() == "2":
                return "compile-error"
    if any(l.startswith("# skein-only:") for l in head):
        return "skein-only"
    return "python"


def run_python(path):
    """(stdout, stderr) of the script under python3, in the script's folder."""
    folder = os.path.dirname(path)
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", RUNNER, os.path.basename(path)],
        cwd=folder,
        capture_output=True,
        timeout=120,
    )
    return result.stdout, result.stderr.decode("utf-8", "replace")


def skein_traceback(py_stderr):
    """CPython's traceback in the shape language.md fixes for Skein: a first
    line naming the main tasklet, file names as the script folder sees them,
    no caret lines, and no frames of the runner."""
    if not py_stderr:
        return ""
    out = ["Uncaught error in <tasklet #1>:"]
    lines = py_stderr.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped and set(stripped) <= set("~^"):
            i += 1
            continue
        if line.startswith('  File "<string>"') or line.startswith('  File "<frozen'):
            # A frame of the runner or of importlib: skip it and its source line.
            i += 1
            if i < len(lines) and lines[i].startswith("    "):
                i += 1
            continue
        if line.startswith('  File "'):
            path = line.split('"')[1]
            line = line.replace(path, os.path.basename(path), 1)
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def main(argv):
    write = "--write" in argv
    files = [a for a in argv if a.endswith(".sk")]
    if not files:
        for root, _dirs, names in os.walk(HERE):
            for n in names:
                if n.endswith(".sk"):
                    files.append(os.path.join(root, n))
    files = sorted(os.path.abspath(f) for f in files)
    skipped = {"skein-only": [], "module": [], "compile-error": []}
    bad = []
    bad_err = []
    checked = 0
    for path in files:
        kind = classify(path)
        if kind != "python":
            skipped[kind].append(os.path.relpath(path, HERE))
            continue
        checked += 1
        out, err = run_python(path)
        err_file = path[:-3] + ".err"
        if os.path.exists(err_file):
            with open(err_file, encoding="utf-8") as f:
                hand = f.read()
            if hand != skein_traceback(err):
                bad_err.append(os.path.relpath(path, HERE))
                print(f"--- {os.path.relpath(err_file, HERE)} (hand-written)")
                print(hand, end="")
                print("+++ python3's traceback in Skein's shape")
                print(skein_traceback(err), end="")
        expected_file = path[:-3] + ".out"
        old = None
        if os.path.exists(expected_file):
            with open(expected_file, "rb") as f:
                old = f.read()
        if old != out:
            bad.append(os.path.relpath(path, HERE))
            if write:
                with open(expected_file, "wb") as f:
                    f.write(out)
    for kind, names in skipped.items():
        print(f"skipped ({kind}, {len(names)}): {' '.join(names)}")
    verb = "rewrote" if write else "differ from python3"
    print(f"checked {checked} Python-compatible scripts; {len(bad)} {verb}: {' '.join(bad)}")
    print(f"{len(bad_err)} hand-written .err files disagree with python3's traceback: "
          f"{' '.join(bad_err)}")
    return 1 if (bad and not write) or bad_err else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
