-- Fannkuch-redux: for every permutation of 0..n-1, count the prefix
-- reversals ("pancake flips") until 0 comes first; prints a checksum
-- (flip counts added and subtracted alternately, in permutation order) and
-- the most flips any permutation needs. Arrays are 0-based as in the Python.

local function fannkuch(n)
  local perm1, count, perm = {}, {}, {}
  for i = 0, n - 1 do
    perm1[i] = i
    count[i] = 0
  end
  local max_flips, checksum, index = 0, 0, 0
  local r = n
  while true do
    while r ~= 1 do
      count[r - 1] = r
      r = r - 1
    end
    for i = 0, n - 1 do perm[i] = perm1[i] end
    local flips = 0
    local k = perm[0]
    while k ~= 0 do
      local i, j = 0, k
      while i < j do
        local t = perm[i]
        perm[i] = perm[j]
        perm[j] = t
        i = i + 1
        j = j - 1
      end
      flips = flips + 1
      k = perm[0]
    end
    if flips > max_flips then max_flips = flips end
    if index % 2 == 0 then
      checksum = checksum + flips
    else
      checksum = checksum - flips
    end
    -- Next permutation: rotate the first r + 1 items left until some
    -- counter has turns left.
    while true do
      if r == n then
        return checksum, max_flips
      end
      local first = perm1[0]
      for i = 0, r - 1 do
        perm1[i] = perm1[i + 1]
      end
      perm1[r] = first
      count[r] = count[r] - 1
      if count[r] > 0 then break end
      r = r + 1
    end
    index = index + 1
  end
end

local function main(n)
  -- Five rounds: n = 9 is ten times n = 8, too long for a bench run.
  local checksum, max_flips
  for _ = 1, 5 do
    checksum, max_flips = fannkuch(n)
  end
  print(string.format("%d", checksum))
  print(string.format("Pfannkuchen(%d) = %d", n, max_flips))
end

main(tonumber(arg and arg[1]) or 8)
