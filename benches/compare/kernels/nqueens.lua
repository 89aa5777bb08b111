-- N-queens: counts the ways to put n queens on an n x n board with no two
-- attacking each other, by backtracking over rows with three occupancy
-- tables (columns and both diagonals); prints the count and the first
-- solution found. Tables are 0-based as in the Python.

local function copy(t, n)
  local out = {}
  for i = 0, n - 1 do out[i] = t[i] end
  return out
end

local function solve(n, row, cols, diag1, diag2, placed, found)
  if row == n then
    if found.count == 0 then
      found.first = copy(placed, n)
    end
    found.count = found.count + 1
    return found
  end
  for c = 0, n - 1 do
    if not cols[c] and not diag1[row + c] and not diag2[row - c + n - 1] then
      cols[c] = true
      diag1[row + c] = true
      diag2[row - c + n - 1] = true
      placed[row] = c
      found = solve(n, row + 1, cols, diag1, diag2, placed, found)
      cols[c] = false
      diag1[row + c] = false
      diag2[row - c + n - 1] = false
    end
  end
  return found
end

local function main(n)
  local cols, diag1, diag2, placed = {}, {}, {}, {}
  for i = 0, n - 1 do
    cols[i] = false
    placed[i] = 0
  end
  for i = 0, 2 * n - 1 do
    diag1[i] = false
    diag2[i] = false
  end
  local found = solve(n, 0, cols, diag1, diag2, placed, {count = 0, first = {}})
  print(string.format("%d queens: %d solutions", n, found.count))
  local parts = {}
  for i = 0, n - 1 do parts[i + 1] = string.format("%d", found.first[i]) end
  print("first: " .. table.concat(parts, " "))
end

main(tonumber(arg and arg[1]) or 12)
