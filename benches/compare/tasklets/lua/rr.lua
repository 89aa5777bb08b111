-- Round robin: 100k tasklets each call schedule() K times.
package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local schedule = S.schedule
local N, K = 100000, 20
local total = 0
local function worker(k)
  for _ = 1, k do schedule() end
  total = total + k
end
for _ = 1, N do S.spawn(worker, K) end
S.run()
print(total)
