-- 1M tasklets blocked receiving on one channel (for peak RSS per tasklet).
package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local N = 1000000
local ch = S.channel()
local function wait(c) S.receive(c) end
for _ = 1, N do S.spawn(wait, ch) end
S.run()
print(-ch.balance)
