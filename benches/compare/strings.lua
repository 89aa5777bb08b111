-- String building: concatenation, tostring, formatting and one big concat.
local function main()
  local out = {}
  for i = 0, 300000 - 1 do
    local s = "npc-" .. tostring(i)
    out[#out + 1] = string.format("%s:%d", s, i % 7)
  end
  local text = table.concat(out, ",")
  return #text
end

print(main())
