-- The script tests/bench's lua_bench runs: recursion, arithmetic loops,
-- string building and table sorting, scaled by the global N. Deterministic:
-- its own generator, never math.random (Lua 5.4 seeds that randomly).

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local seed = 12345
local function rand()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
end

local function digest(s)
  local h = 2166136261
  for i = 1, #s do
    h = ((h ~ s:byte(i)) * 16777619) % 4294967296
  end
  return string.format("%08x", h)
end

local f = fib(20 + N)
print("fib", 20 + N, f)

local acc, x = 0, 0.5
for i = 1, 300000 * N do
  acc = (acc + i * 7 + (i // 3)) % 1000000007
  x = x * 0.999999 + (i % 10) * 1e-6
end
print("loop", acc, string.format("%.6f", x))

local parts = {}
for i = 1, 20000 * N do
  parts[#parts + 1] = string.format("%d:%x;", i, (i * 2654435761) % 4294967296)
end
local s = table.concat(parts)
local words = 0
for _ in s:gmatch("%d+:") do words = words + 1 end
print("strings", #s, words, digest(s:sub(1, 65536)), digest(s:gsub("[0-9]", "#"):sub(-65536)))

local t = {}
for i = 1, 50000 * N do t[i] = rand() % 1000000 end
table.sort(t)
local sum = 0
for i = 1, #t, 97 do sum = (sum + t[i] * i) % 1000000007 end
local names = {}
for i = 1, 20000 * N do names[i] = "k" .. (rand() % 100000) end
table.sort(names, function(a, b) return #a < #b or (#a == #b and a < b) end)
print("sort", #t, t[1], t[#t], sum, names[1], names[#names])
