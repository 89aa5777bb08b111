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

source "${here}/../peers.sh"

(cd "${root}" && cargo build --release --bin skein >&2)

exec python3 "${here}/measure_kernels.py" --skein "${root}/target/release/skein" "$@"
