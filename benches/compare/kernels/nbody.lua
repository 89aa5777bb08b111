-- N-body: the outer planets around the sun, integrated with a symplectic
-- Euler step; prints the system's energy before and after.
local sqrt = math.sqrt

local PI = 3.141592653589793
local SOLAR_MASS = 4 * PI * PI
local DAYS_PER_YEAR = 365.24

local function make_bodies()
  -- {x, y, z, vx, vy, vz, mass}: sun, jupiter, saturn, uranus, neptune
  local raw = {
    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
     9.54791938424326609e-04},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
     2.85885980666130812e-04},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
     4.36624404335156298e-05},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
     5.15138902046611451e-05},
  }
  local bodies = {}
  for i, b in ipairs(raw) do
    bodies[i] = {b[1], b[2], b[3], b[4] * DAYS_PER_YEAR, b[5] * DAYS_PER_YEAR,
                 b[6] * DAYS_PER_YEAR, b[7] * SOLAR_MASS}
  end
  return bodies
end

local function offset_momentum(bodies)
  local px, py, pz = 0.0, 0.0, 0.0
  for _, b in ipairs(bodies) do
    px = px + b[4] * b[7]
    py = py + b[5] * b[7]
    pz = pz + b[6] * b[7]
  end
  local sun = bodies[1]
  sun[4] = -px / SOLAR_MASS
  sun[5] = -py / SOLAR_MASS
  sun[6] = -pz / SOLAR_MASS
  return bodies
end

local function energy(bodies)
  local e = 0.0
  local n = #bodies
  for i = 1, n do
    local a = bodies[i]
    e = e + 0.5 * a[7] * (a[4] * a[4] + a[5] * a[5] + a[6] * a[6])
    for j = i + 1, n do
      local b = bodies[j]
      local dx = a[1] - b[1]
      local dy = a[2] - b[2]
      local dz = a[3] - b[3]
      e = e - a[7] * b[7] / sqrt(dx * dx + dy * dy + dz * dz)
    end
  end
  return e
end

local function advance(bodies, steps, dt)
  local n = #bodies
  for _ = 1, steps do
    for i = 1, n do
      local a = bodies[i]
      for j = i + 1, n do
        local b = bodies[j]
        local dx = a[1] - b[1]
        local dy = a[2] - b[2]
        local dz = a[3] - b[3]
        local d2 = dx * dx + dy * dy + dz * dz
        local mag = dt / (d2 * sqrt(d2))
        local bm = b[7] * mag
        local am = a[7] * mag
        a[4] = a[4] - dx * bm
        a[5] = a[5] - dy * bm
        a[6] = a[6] - dz * bm
        b[4] = b[4] + dx * am
        b[5] = b[5] + dy * am
        b[6] = b[6] + dz * am
      end
      a[1] = a[1] + dt * a[4]
      a[2] = a[2] + dt * a[5]
      a[3] = a[3] + dt * a[6]
    end
  end
  return bodies
end

local function main(steps)
  local bodies = offset_momentum(make_bodies())
  print(string.format("%.9f", energy(bodies)))
  bodies = advance(bodies, steps, 0.01)
  print(string.format("%.9f", energy(bodies)))
end

main(tonumber(arg and arg[1]) or 50000)
