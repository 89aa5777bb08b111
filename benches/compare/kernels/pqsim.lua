-- Priority-queue simulation: a thousand NPCs each schedule their next action
-- in a binary min-heap of event keys (time * 4096 + npc); the loop pops the
-- earliest event, acts, and schedules the next. Prints per-action counts and
-- the NPCs' gold. The heap is 0-based as in the Python.

local KINDS = {"walk", "talk", "trade", "rest"}
local DELAYS = {walk = 3, talk = 5, trade = 8, rest = 20}

local heap = {}
local size = 0
local seed = 12345

local function next_random()
  seed = seed * 48271 % 2147483647
  return seed
end

local function push(key)
  local i = size
  size = size + 1
  while i > 0 do
    local parent = math.floor((i - 1) / 2)
    if heap[parent] <= key then break end
    heap[i] = heap[parent]
    i = parent
  end
  heap[i] = key
end

local function pop()
  local top = heap[0]
  size = size - 1
  local last = heap[size]
  heap[size] = nil
  local n = size
  if n > 0 then
    local i = 0
    while true do
      local c = 2 * i + 1
      if c >= n then break end
      if c + 1 < n and heap[c + 1] < heap[c] then c = c + 1 end
      if heap[c] >= last then break end
      heap[i] = heap[c]
      i = c
    end
    heap[i] = last
  end
  return top
end

local function main(events)
  local npcs = 1000
  local gold = {}
  for npc = 0, npcs - 1 do gold[npc] = 0 end
  local counts = {}
  for _, kind in ipairs(KINDS) do counts[kind] = 0 end
  for npc = 0, npcs - 1 do push(npc) end
  local t = 0
  for _ = 1, events do
    local key = pop()
    t = math.floor(key / 4096)
    local npc = key % 4096
    local r = next_random()
    local kind = KINDS[r % 4 + 1]
    counts[kind] = counts[kind] + 1
    if kind == "trade" then
      gold[npc] = gold[npc] + r % 50
    elseif kind == "rest" and gold[npc] > 0 then
      gold[npc] = gold[npc] - 1
    end
    push((t + DELAYS[kind] + r % 7) * 4096 + npc)
  end
  for _, kind in ipairs(KINDS) do
    print(string.format("%-6s %d", kind, counts[kind]))
  end
  local richest, total = 0, 0
  for npc = 0, npcs - 1 do
    total = total + gold[npc]
    if gold[npc] > gold[richest] then richest = npc end
  end
  print(string.format("time %d, gold %d, richest npc %d with %d", t, total, richest, gold[richest]))
end

main(tonumber(arg and arg[1]) or 200000)
