# Sourced by the cluster benches: starts a private `nats-server -js` on
# free loopback ports with its store in "$D" (which the caller made and
# removes), and waits until its monitoring port answers. Sets PORT (the
# client port), MPORT (monitoring), SPID (the server's pid) and varz (a
# function printing the server's messages in and out so far).
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
PORT=$(free_port)
MPORT=$(free_port)
nats-server -js -a 127.0.0.1 -p "$PORT" -m "$MPORT" -sd "$D/store" >"$D/server.log" 2>&1 &
SPID=$!
varz() { curl -s "http://127.0.0.1:$MPORT/varz" | python3 -c 'import json,sys;v=json.load(sys.stdin);print(v["in_msgs"],v["out_msgs"])'; }
for _ in $(seq 50); do varz >/dev/null 2>&1 && break; sleep 0.1; done
