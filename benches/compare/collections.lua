-- List and dict churn: counting in a table, a sliding window of small tables.
local function main()
  local counts = {}
  local window = {}
  local total = 0
  for i = 0, 300000 - 1 do
    local k = i % 1000
    counts[k] = (counts[k] or 0) + 1
    window[#window + 1] = { i, k }
    if #window > 64 then
      total = total + table.remove(window, 1)[2]
    end
  end
  for _, c in pairs(counts) do
    total = total + c
  end
  return total
end

print(main())
