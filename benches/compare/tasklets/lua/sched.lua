-- A small Stackless-style scheduler over coroutines: a FIFO run queue,
-- schedule(), and unbuffered channels whose send/receive block the caller
-- until a partner arrives. A tasklet that meets a waiting partner goes on
-- and the partner joins the tail of the run queue (Stackless preference 0).
-- Works unchanged on Lua 5.4 and LuaJIT.
local create, resume, yield, running = coroutine.create, coroutine.resume,
  coroutine.yield, coroutine.running

local S = {}

-- The run queue is two arrays: the round being run and the next one.
-- Popping from `cur` and pushing to `nxt` keeps the order FIFO.
local cur_co, cur_v, cur_i, cur_n = {}, {}, 1, 0
local nxt_co, nxt_v, nxt_n = {}, {}, 0

local function push(co, v)
  nxt_n = nxt_n + 1
  nxt_co[nxt_n] = co
  nxt_v[nxt_n] = v
end
S.push = push

function S.spawn(f, a, b, c)
  push(create(function() f(a, b, c) end), nil)
end

-- Runs until every tasklet has ended or blocked.
function S.run()
  while true do
    if cur_i > cur_n then
      if nxt_n == 0 then return end
      cur_co, nxt_co = nxt_co, cur_co
      cur_v, nxt_v = nxt_v, cur_v
      cur_i, cur_n, nxt_n = 1, nxt_n, 0
    end
    local co, v = cur_co[cur_i], cur_v[cur_i]
    cur_co[cur_i] = nil
    cur_v[cur_i] = nil
    cur_i = cur_i + 1
    local ok, err = resume(co, v)
    if not ok then error(err) end
  end
end

function S.schedule()
  push(running(), nil)
  return yield()
end

function S.channel()
  -- waiters: co[i], v[i] for i in head..tail; balance > 0 senders, < 0 receivers
  return { co = {}, v = {}, head = 1, tail = 0, balance = 0 }
end

local function enqueue(ch, co, v)
  local t = ch.tail + 1
  ch.tail = t
  ch.co[t] = co
  ch.v[t] = v
end

local function dequeue(ch)
  local h = ch.head
  local co, v = ch.co[h], ch.v[h]
  ch.co[h] = nil
  ch.v[h] = nil
  if h == ch.tail then
    ch.head, ch.tail = 1, 0
  else
    ch.head = h + 1
  end
  return co, v
end

function S.send(ch, v)
  if ch.balance < 0 then
    ch.balance = ch.balance + 1
    local co = dequeue(ch)
    push(co, v)
  else
    ch.balance = ch.balance + 1
    enqueue(ch, running(), v)
    yield()
  end
end

function S.receive(ch)
  if ch.balance > 0 then
    ch.balance = ch.balance - 1
    local co, v = dequeue(ch)
    push(co, nil)
    return v
  else
    ch.balance = ch.balance - 1
    enqueue(ch, running(), nil)
    return yield()
  end
end

return S
