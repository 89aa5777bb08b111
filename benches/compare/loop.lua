-- Integer arithmetic in a tight loop: 10 000 000 iterations on locals.
local function main()
  local total = 0
  for i = 0, 10000000 - 1 do
    total = (total + i * 3) % 1000003
  end
  return total
end

print(main())
