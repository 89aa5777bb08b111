-- Skynet: a tree of 10-way tasklets down to 1M leaves; each leaf sends its
-- number up its parent's channel and each parent sends the sum of its ten.
package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local send, receive, spawn, channel = S.send, S.receive, S.spawn, S.channel
local function skynet(out, num, size)
  if size == 1 then
    send(out, num)
    return
  end
  local ch = channel()
  local step = math.floor(size / 10)
  for i = 0, 9 do spawn(skynet, ch, num + i * step, step) end
  local s = 0
  for _ = 1, 10 do s = s + receive(ch) end
  send(out, s)
end
local root = channel()
local result
spawn(skynet, root, 0, 1000000)
spawn(function() result = receive(root) end)
S.run()
print(string.format("%d", result))
