-- Stream: N messages from one producer coroutine to a consumer over one
-- channel (the consumer stands in for Skein's main tasklet).
package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local send, receive = S.send, S.receive
local N = 3000000
local total = 0
local function producer(ch, n)
  for i = 0, n - 1 do send(ch, i) end
end
local function consumer(ch, n)
  for _ = 1, n do total = total + receive(ch) end
end
local ch = S.channel()
S.spawn(producer, ch, N)
S.spawn(consumer, ch, N)
S.run()
print(string.format("%d", total))
