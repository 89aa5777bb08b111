-- Spawn: N tasklets that each run a trivial body and end.
package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local N = 200000
local total = 0
local function body(_) total = total + 1 end
for i = 1, N do S.spawn(body, i) end
S.run()
print(total)
