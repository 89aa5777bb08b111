-- Spectral norm: the largest singular value of the infinite matrix
-- A[i][j] = 1 / ((i + j) * (i + j + 1) / 2 + i + 1), cut to n x n, by ten
-- rounds of the power method on A^T A. Indices run from 0 as in the Python.

local function a(i, j)
  return 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1)
end

local function mul_av(v, n)
  local out = {}
  for i = 0, n - 1 do
    local s = 0.0
    for j = 0, n - 1 do
      s = s + a(i, j) * v[j + 1]
    end
    out[i + 1] = s
  end
  return out
end

local function mul_atv(v, n)
  local out = {}
  for i = 0, n - 1 do
    local s = 0.0
    for j = 0, n - 1 do
      s = s + a(j, i) * v[j + 1]
    end
    out[i + 1] = s
  end
  return out
end

local function mul_atav(v, n)
  return mul_atv(mul_av(v, n), n)
end

local function main(n)
  local u = {}
  for i = 1, n do u[i] = 1.0 end
  local v = u
  for _ = 1, 10 do
    v = mul_atav(u, n)
    u = mul_atav(v, n)
  end
  local vbv, vv = 0.0, 0.0
  for i = 1, n do
    vbv = vbv + u[i] * v[i]
    vv = vv + v[i] * v[i]
  end
  print(string.format("%.9f", math.sqrt(vbv / vv)))
end

main(tonumber(arg and arg[1]) or 220)
