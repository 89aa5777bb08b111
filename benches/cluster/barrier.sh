#!/usr/bin/env bash
# The tick barrier's bench (issue 12): `barrier.sh BIN TICKS [SCRIPT]`.
# Starts one private `nats-server -js` on free loopback ports with a
# temporary store, runs `BIN cluster SCRIPT --shards 4 --ticks TICKS
# --autosave-every 0` on it, and prints the wall time per tick, the
# server's CPU per tick (from /proc/PID/stat), the shards' and `skein
# cluster`'s CPU per tick (from /usr/bin/time) and the server's messages
# in and out per tick (from its /varz). SCRIPT defaults to sleepers.sk.
set -u
BIN=$1
TICKS=$2
SCRIPT=${3:-$(dirname "$0")/sleepers.sk}
D=$(mktemp -d "${TMPDIR:-/tmp}/barrier.XXXX")
trap 'rm -rf "$D"' EXIT
. "$(dirname "$0")/private-nats.sh"
s0=$(awk '{print $14+$15}' "/proc/$SPID/stat")
v0=$(varz)
t0=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$D/time" "$BIN" cluster "$SCRIPT" --shards 4 --ticks "$TICKS" \
  --autosave-every 0 --nats "nats://127.0.0.1:$PORT" --dir "$D/saves" --cluster "b$RANDOM" \
  >"$D/out" 2>"$D/err"
rc=$?
[ "$rc" = 0 ] || tail -n 5 "$D/err" >&2
t1=$(date +%s.%N)
s1=$(awk '{print $14+$15}' "/proc/$SPID/stat")
v1=$(varz)
kill "$SPID"
wait "$SPID" 2>/dev/null
python3 - "$t0" "$t1" "$s0" "$s1" "$(getconf CLK_TCK)" "$TICKS" "$(tail -n 1 "$D/time")" "$v0" "$v1" "$rc" <<'PY'
import sys
t0, t1, s0, s1, clk, ticks = (float(x) for x in sys.argv[1:7])
u, s = map(float, sys.argv[7].split())
i0, o0 = map(int, sys.argv[8].split())
i1, o1 = map(int, sys.argv[9].split())
us = 1e6 / ticks
print(f"wall/tick {(t1 - t0) * us:7.1f} us  server {(s1 - s0) / clk * us:6.1f} us  "
      f"shards {(u + s) * us:6.1f} us (user {u * us:.1f} sys {s * us:.1f})  "
      f"msgs in/out per tick {(i1 - i0) / ticks:.2f}/{(o1 - o0) / ticks:.2f}  rc {sys.argv[10]}")
PY
