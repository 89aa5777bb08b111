-- Word counts: a generated text (words made of syllables, drawn with a skew
-- so some are common, some capitalised and followed by punctuation) is split,
-- normalised and counted in a table; prints the ten most common words.

local SYLLABLES = {"ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "an", "ith", "ur", "bel"}

local function vocabulary(size)
  local words = {}
  for k = 0, size - 1 do
    local word = ""
    local m = k + 12
    while m > 0 do
      word = word .. SYLLABLES[m % 12 + 1]
      m = math.floor(m / 12)
    end
    words[k] = word
  end
  return words
end

local function generate(n, seed)
  local vocab = vocabulary(600)
  local out = {}
  for i = 0, n - 1 do
    seed = seed * 48271 % 2147483647
    local a = seed % 600
    seed = seed * 48271 % 2147483647
    local b = seed % 600
    local word = vocab[math.floor(a * b / 600)]
    if i % 7 == 3 then
      word = word:sub(1, 1):upper() .. word:sub(2)
      if i % 2 == 0 then
        word = word .. ","
      else
        word = word .. "."
      end
    end
    out[i + 1] = word
  end
  return table.concat(out, " ")
end

local function main(n)
  local text = generate(n, 2024)
  local counts = {}
  local distinct, total = 0, 0
  for token in text:gmatch("%S+") do
    local word = (token:gsub("[.,]+$", "")):lower()
    local c = counts[word]
    if c == nil then
      distinct = distinct + 1
      c = 0
    end
    counts[word] = c + 1
    total = total + 1
  end
  print(string.format("%d words, %d distinct", total, distinct))
  local pairs_ = {}
  for word, c in pairs(counts) do
    pairs_[#pairs_ + 1] = {word, c}
  end
  table.sort(pairs_, function(p, q)
    if p[2] ~= q[2] then return p[2] > q[2] end
    return p[1] < q[1]
  end)
  for i = 1, math.min(10, #pairs_) do
    print(string.format("%-12s %d", pairs_[i][1], pairs_[i][2]))
  end
end

main(tonumber(arg and arg[1]) or 400000)
