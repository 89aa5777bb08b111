-- Path-finding: breadth-first search over a generated grid map (about a
-- quarter walls), from several start cells as NPCs would; prints how many
-- cells each reaches, the farthest distance and the path length to a goal.
-- Cells and coordinates are 0-based as in the Python.

local function make_grid(size, seed)
  local grid = {}
  for y = 0, size - 1 do
    local row = {}
    for x = 0, size - 1 do
      seed = seed * 48271 % 2147483647
      row[x] = (seed % 100 < 27) and 1 or 0
    end
    grid[y] = row
  end
  return grid
end

local STEPS = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}

local function bfs(grid, size, sx, sy)
  local dist = {}
  for i = 0, size * size - 1 do dist[i] = -1 end
  local queue = {sy * size + sx}
  dist[sy * size + sx] = 0
  local head = 1
  while head <= #queue do
    local cell = queue[head]
    head = head + 1
    local x = cell % size
    local y = math.floor(cell / size)
    local d = dist[cell] + 1
    for _, step in ipairs(STEPS) do
      local nx = x + step[1]
      local ny = y + step[2]
      if nx >= 0 and nx < size and ny >= 0 and ny < size then
        local n = ny * size + nx
        if dist[n] < 0 and grid[ny][nx] == 0 then
          dist[n] = d
          queue[#queue + 1] = n
        end
      end
    end
  end
  return dist
end

local function main(size)
  local grid = make_grid(size, 99)
  local half, third = math.floor(size / 2), math.floor(size / 3)
  local starts = {{0, 0}, {half, half}, {size - 1, 0}, {third, size - 1}}
  for rounds = 0, 2 do
    for _, s in ipairs(starts) do
      grid[s[2]][s[1]] = 0
      local dist = bfs(grid, size, s[1], s[2])
      local reached, farthest = 0, 0
      for i = 0, size * size - 1 do
        local d = dist[i]
        if d >= 0 then
          reached = reached + 1
          if d > farthest then farthest = d end
        end
      end
      local goal = dist[size * size - 1]
      if rounds == 0 then
        print(string.format("from (%d, %d): %d cells reached, farthest %d, goal %d",
                            s[1], s[2], reached, farthest, goal))
      end
    end
  end
end

main(tonumber(arg and arg[1]) or 200)
