-- Longest common subsequence of two generated DNA-like strings, by dynamic
-- programming over two rows of the table.

local function generate(n, seed)
  local letters = "ACGT"
  local out = {}
  for i = 1, n do
    seed = seed * 48271 % 2147483647
    local k = seed % 4 + 1
    out[i] = letters:sub(k, k)
  end
  return table.concat(out)
end

local function lcs_length(a, b)
  local la, lb = #a, #b
  local prev = {}
  for j = 0, lb do prev[j] = 0 end
  for i = 1, la do
    local cur = {}
    for j = 0, lb do cur[j] = 0 end
    local ai = a:byte(i)
    for j = 0, lb - 1 do
      if ai == b:byte(j + 1) then
        cur[j + 1] = prev[j] + 1
      elseif prev[j + 1] >= cur[j] then
        cur[j + 1] = prev[j + 1]
      else
        cur[j + 1] = cur[j]
      end
    end
    prev = cur
  end
  return prev[lb]
end

local function main(n)
  local a = generate(n, 42)
  local b = generate(n + math.floor(n / 10), 4242)
  print(a:sub(1, 20) .. " " .. b:sub(1, 20))
  print(string.format("lcs(%d, %d) = %d", #a, #b, lcs_length(a, b)))
end

main(tonumber(arg and arg[1]) or 1600)
