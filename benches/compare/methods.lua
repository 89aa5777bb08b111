-- Method calls on built-in values: table.insert, table lookups with a
-- default, and a string method (s:sub), as the Skein program does.
local function main()
  local xs = {}
  local d = { a = 1, b = 2 }
  local word = "tasklet"
  local n = 0
  for i = 0, 1000000 - 1 do
    table.insert(xs, i)
    n = n + (d["a"] or 0)
    if word:sub(1, 4) == "task" then
      n = n + 1
    end
    if #xs == 100 then
      xs = {}
    end
  end
  return n + #xs
end

print(main())
