#!/usr/bin/env bash
# The README's test command: makes sure a `nats-server` is there for the
# cluster tests (installing one if needed, see scripts/nats-server.sh),
# then runs every test of the workspace. Extra arguments go to cargo test.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SKEIN_NATS_SERVER="$(bash scripts/nats-server.sh)"
export SKEIN_NATS_SERVER
echo "nats-server: ${SKEIN_NATS_SERVER} ($("${SKEIN_NATS_SERVER}" --version 2>&1 | head -n 1))"
exec cargo test --workspace "$@"
