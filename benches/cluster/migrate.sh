#!/usr/bin/env bash
# Migration throughput (issue 12): `migrate.sh BIN N`. Starts one private
# `nats-server -js` on a free loopback port with a temporary store, runs
# `BIN cluster migrate.sk --shards 2 --param n=N --autosave-every 0` on it
# and prints the wall time and shard 1's closing line ("arrived N by tick
# 3": the migrants leave at tick 1 and run on shard 1 at tick 2).
# Throughput is N / (wall(N) - wall(0)).
set -u
BIN=$1
N=$2
D=$(mktemp -d "${TMPDIR:-/tmp}/migrate.XXXX")
trap 'rm -rf "$D"' EXIT
. "$(dirname "$0")/private-nats.sh"
t0=$(date +%s.%N)
"$BIN" cluster "$(dirname "$0")/migrate.sk" --shards 2 --budget 0 --param "n=$N" --autosave-every 0 \
  --nats "nats://127.0.0.1:$PORT" --dir "$D/saves" --cluster "m$RANDOM" >"$D/out" 2>"$D/err"
rc=$?
t1=$(date +%s.%N)
kill "$SPID"
wait "$SPID" 2>/dev/null
[ "$rc" = 0 ] || tail -n 5 "$D/err" >&2
echo "n=$N rc=$rc wall=$(python3 -c "print(round($t1 - $t0, 3))") s"
tail -n 1 "$D/out"
