#!/usr/bin/env bash
# Side-by-side CPU times of the real-program kernels in this folder: Skein,
# Lua 5.4, LuaJIT and CPython. Installs the other interpreters from Debian's
# packages if missing, builds skein in release mode, then hands over to
# measure_kernels.py, which checks that every implementation prints the same.
#
#   benches/compare/kernels/run.sh [--runs N] [--only NAME]...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../../.." && pwd)"

missing=()
command -v lua5.4 >/dev/null || missing+=(lua5.4)
command -v luajit >/dev/null || missing+=(luajit)
command -v taskset >/dev/null || missing+=(util-linux)
command -v python3 >/dev/null || missing+=(python3)
if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

(cd "${root}" && cargo build --release --bin skein >&2)

exec python3 "${here}/measure_kernels.py" --skein "${root}/target/release/skein" "$@"
