#!/usr/bin/env bash
# Side-by-side CPU times: each program of benches/programs in Skein, Lua 5.4,
# LuaJIT and CPython. Installs the other interpreters from Debian's packages
# if missing, builds skein in release mode, then hands over to measure.py.
#
#   benches/compare/run.sh [--runs N] [--only NAME]...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"

source "${here}/peers.sh"

(cd "${root}" && cargo build --release --bin skein >&2)

exec python3 "${here}/measure.py" --skein "${root}/target/release/skein" \
    --programs "${root}/benches/programs" --compare "${here}" "$@"
