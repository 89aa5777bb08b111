-- Binary trees: build many perfect binary trees of two-item tables, count
-- their nodes, and let them go; one long-lived tree stays throughout.

local function make(depth)
  if depth == 0 then
    return {}
  end
  return {make(depth - 1), make(depth - 1)}
end

local function check(tree)
  if tree[1] == nil then
    return 1
  end
  return 1 + check(tree[1]) + check(tree[2])
end

local function main(max_depth)
  local min_depth = 4
  if max_depth < min_depth + 2 then
    max_depth = min_depth + 2
  end
  local stretch = max_depth + 1
  print(string.format("stretch tree of depth %d\t check: %d", stretch, check(make(stretch))))
  local long_lived = make(max_depth)
  local depth = min_depth
  while depth <= max_depth do
    local iterations = 2 ^ (max_depth - depth + min_depth)
    local total = 0
    for _ = 1, iterations do
      total = total + check(make(depth))
    end
    print(string.format("%d\t trees of depth %d\t check: %d", iterations, depth, total))
    depth = depth + 2
  end
  print(string.format("long lived tree of depth %d\t check: %d", max_depth, check(long_lived)))
end

main(tonumber(arg and arg[1]) or 14)
