-- 0/1 knapsack: the most value that fits in a bag, over generated items, by
-- dynamic programming over capacities (one row, walked downwards so each
-- item is used at most once). The row is 0-based as in the Python.

local function make_items(n, seed)
  local items = {}
  for i = 1, n do
    seed = seed * 48271 % 2147483647
    local weight = 5 + seed % 96
    seed = seed * 48271 % 2147483647
    local value = 10 + seed % 991
    items[i] = {weight, value}
  end
  return items
end

local function best_values(items, capacity)
  local best = {}
  for c = 0, capacity do best[c] = 0 end
  for _, item in ipairs(items) do
    local weight, value = item[1], item[2]
    local c = capacity
    while c >= weight do
      local candidate = best[c - weight] + value
      if candidate > best[c] then
        best[c] = candidate
      end
      c = c - 1
    end
  end
  return best
end

local function main(n)
  local items = make_items(n, 7)
  local capacity = n * 25
  local best = best_values(items, capacity)
  local total = 0
  for _, it in ipairs(items) do total = total + it[1] end
  print(string.format("%d items, total weight %d", #items, total))
  for _, c in ipairs({math.floor(capacity / 4), math.floor(capacity / 2), capacity}) do
    print(string.format("capacity %d: best value %d", c, best[c]))
  end
end

main(tonumber(arg and arg[1]) or 400)
