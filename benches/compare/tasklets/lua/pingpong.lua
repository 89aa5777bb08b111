-- Ping-pong: N messages between two tasklets over two channels.
package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local send, receive = S.send, S.receive
local N = 500000
local total = 0
local function ping(a, b, n)
  for i = 0, math.floor(n / 2) - 1 do
    send(a, i)
    total = total + receive(b)
  end
end
local function pong(a, b, n)
  for _ = 0, math.floor(n / 2) - 1 do send(b, receive(a)) end
end
local a, b = S.channel(), S.channel()
S.spawn(ping, a, b, N)
S.spawn(pong, a, b, N)
S.run()
print(string.format("%d", total))
