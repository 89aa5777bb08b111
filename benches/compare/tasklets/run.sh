#!/usr/bin/env bash
# Tasklet/channel speed beside peers: round robin, ping-pong, stream, spawn and
# skynet in Skein, Lua 5.4 and LuaJIT (coroutines), Python greenlet, Go
# (GOMAXPROCS=1) and Erlang (one scheduler), plus peak RSS of 1M blocked
# tasklets. Installs missing tools, builds skein (release), the Go binary and
# the Erlang module, then hands over to measure.py.
#
#   benches/compare/tasklets/run.sh [--runs N] [--only IMPL]... [--no-rss] [--skein-old BIN]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../../.." && pwd)"
build="${root}/target/compare-tasklets"

missing=()
command -v lua5.4 >/dev/null || missing+=(lua5.4)
command -v luajit >/dev/null || missing+=(luajit)
command -v taskset >/dev/null || missing+=(util-linux)
command -v python3 >/dev/null || missing+=(python3)
command -v go >/dev/null || missing+=(golang-go)
command -v erlc >/dev/null || missing+=(erlang-base)
if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
python3 -c 'import greenlet' 2>/dev/null || python3 -m pip install -q greenlet >&2

# cargo decides whether the release binary is stale.
    (cd "${root}" && cargo build --release --bin skein >&2)
mkdir -p "${build}"
(cd "${here}/go" && GOFLAGS=-buildvcs=false go build -o "${build}/go-tasklets" .)
erlc -o "${build}" "${here}/erlang/tasklets.erl"

{
    echo "versions: $(lua5.4 -v 2>&1 | head -1); $(luajit -v | head -1);"
    echo "  python $(python3 -c 'import sys, greenlet; print(sys.version.split()[0], "greenlet", greenlet.__version__)');"
    echo "  $(go version); Erlang/OTP $(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().') erts $(erl -noshell -eval 'io:format("~s", [erlang:system_info(version)]), halt().');"
    echo "  $(lscpu | sed -n 's/^Model name: *//p'), nproc $(nproc)"
} >&2

exec python3 "${here}/measure.py" --build "${build}" "$@"
