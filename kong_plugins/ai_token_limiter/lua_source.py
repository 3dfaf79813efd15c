"""The Lua source of the limiter script, kept in a Python module so that it ships in every wheel.

(A ``.lua`` file beside the package would need package-data settings to be installed.) The layout of KEYS,
ARGV and the reply is documented at the top of the script; :mod:`.script` builds the calls.
"""

from __future__ import annotations

import re

LIMITER_LUA = r"""
-- ai-token-limiter: check-and-reserve / settle, atomically, in ONE call (called by script.py).
--
-- KEYS[1..n]  one counter per limit (all sharing one hash tag, so one cluster slot)
-- KEYS[n+1..] the "waiting" sets of global limits with a fair share
-- ARGV[1] op: "r" (reserve: all-or-nothing) | "s" (settle: apply actual - reserved) | "a" (add usage
--         counted while Redis was unreachable, once: ARGV[3] is then the index in KEYS of a marker key
--         that makes a batch apply at most once, even when its reply was lost and it is sent again)
-- ARGV[2] now in ms, or "" to use the Redis server's clock (one clock for every gateway node)
-- ARGV[3] member (tenant) for fair share;  ARGV[4] n
-- then 9 values per counter: kind (s sliding | f fixed | m calendar month | t token bucket), window_ms,
-- limit, bucket_ms, capacity, wait key index (0: none), share (1: enforced only while others wait),
-- amount (reserve) or delta (settle), bucket (settle: where the reservation went)
--
-- Reply to "r": {admitted, retry_after_ms, failing (1-based, 0 none), never, then per counter:
-- remaining, reset_ms, bucket}.  Reply to "s": {n}.  Reply to "a": {n}, or {0} when already applied.
-- The arithmetic is mirrored in local_store.py; unit tests run both on the same cases.

local GRACE = 1000
local MAX_WAITING = 1024

local floor, ceil, huge = math.floor, math.ceil, math.huge

local function now_ms()
  if ARGV[2] ~= "" then return tonumber(ARGV[2]) end
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + floor(tonumber(t[2]) / 1000)
end

-- Calendar month (UTC) of a time, as year * 12 + month - 1, and its end (Howard Hinnant's civil algorithms).
local function month_of(ms)
  local z = floor(ms / 86400000) + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y * 12 + m - 1
end

local function month_start(index)
  local y, m = floor(index / 12), index % 12 + 1
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = m > 2 and m - 3 or m + 9
  local doy = floor((153 * mp + 2) / 5)
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return (era * 146097 + doe - 719468) * 86400000
end

local function fmt(x)
  if x == floor(x) and x > -1e15 and x < 1e15 then return string.format("%d", x) end
  return tostring(x)
end

local op, now, member, n = ARGV[1], now_ms(), ARGV[3], tonumber(ARGV[4])

local function counter(i)
  local b = 4 + (i - 1) * 9
  return {
    key = KEYS[i], kind = ARGV[b + 1], window = tonumber(ARGV[b + 2]), limit = tonumber(ARGV[b + 3]),
    bucket_ms = tonumber(ARGV[b + 4]), capacity = tonumber(ARGV[b + 5]), wait = tonumber(ARGV[b + 6]),
    share = ARGV[b + 7] == "1", amount = tonumber(ARGV[b + 8]), bucket = tonumber(ARGV[b + 9]),
  }
end

-- The bucket a window counter charges now, the oldest bucket still counted, and when bucket b stops counting.
local function window_bounds(c)
  if c.kind == "s" then
    local lowest = floor((now - c.window) / c.bucket_ms)
    return floor(now / c.bucket_ms), lowest, function(b) return (b + 1) * c.bucket_ms + c.window end
  elseif c.kind == "f" then
    local cur = floor(now / c.window)
    return cur, cur, function(b) return (b + 1) * c.window end
  end
  local cur = month_of(now)
  return cur, cur, function() return month_start(cur + 1) end
end

-- Reads one counter: {ok, retry, never, remaining, reset, bucket, state}.
local function evaluate(c)
  if c.kind == "t" then
    local rate = c.limit / c.window
    local h = redis.call("HMGET", c.key, "t", "ts")
    local tokens, ts = tonumber(h[1]) or c.capacity, tonumber(h[2]) or now
    tokens = math.min(c.capacity, tokens + math.max(0, now - ts) * rate)
    local ok = tokens >= c.amount
    local after = ok and tokens - c.amount or tokens
    local r = {ok = ok, never = c.amount > c.capacity, bucket = 0, tokens = tokens, rate = rate}
    r.retry = ok and 0 or (r.never and huge or ceil((c.amount - tokens) / rate))
    r.remaining = math.max(0, floor(after))
    r.reset = ceil((c.capacity - after) / rate)
    return r
  end
  local cur, lowest, stops = window_bounds(c)
  local fields = redis.call("HGETALL", c.key)
  local used, live, stale = 0, {}, {}
  for j = 1, #fields, 2 do
    local b = tonumber(fields[j])
    if b then
      if b >= lowest and b <= cur then
        local v = tonumber(fields[j + 1])
        used = used + v
        if v > 0 then live[#live + 1] = {b, v} end
      else
        stale[#stale + 1] = fields[j]
      end
    end
  end
  table.sort(live, function(x, y) return x[1] < y[1] end)
  local ok = used + c.amount <= c.limit
  local r = {ok = ok, never = c.amount > c.limit, bucket = cur, stale = stale, stops = stops}
  r.retry = (not ok and r.never) and huge or 0
  if not ok and not r.never then
    local need, freed = used + c.amount - c.limit, 0
    r.retry = huge
    for _, entry in ipairs(live) do
      freed = freed + entry[2]
      if freed >= need then r.retry = stops(entry[1]) - now break end
    end
  end
  r.remaining = math.max(0, floor(c.limit - used - (ok and c.amount or 0)))
  local oldest = live[1] and live[1][1] or ((ok and c.amount > 0) and cur or nil)
  r.reset = oldest and math.max(0, stops(oldest) - now) or 0
  return r
end

local function waiting_others(wait_key, window)
  local total = redis.call("ZCOUNT", wait_key, "(" .. fmt(now - window), "+inf")
  local own = redis.call("ZSCORE", wait_key, member)
  if own and tonumber(own) > now - window then total = total - 1 end
  return total > 0
end

local function charge(c, r)
  if c.amount == 0 then return end
  if c.kind == "t" then
    local after = r.tokens - c.amount
    local tokens = string.format("%.17g", after)
    redis.call("HSET", c.key, "t", tokens, "ts", fmt(now), "l", fmt(c.limit), "c", fmt(c.capacity))
    redis.call("PEXPIRE", c.key, ceil((c.capacity - after) / r.rate) + GRACE)
    return
  end
  redis.call("HINCRBY", c.key, fmt(r.bucket), fmt(c.amount))
  redis.call("HSET", c.key, "l", fmt(c.limit))
  if #r.stale > 0 then redis.call("HDEL", c.key, unpack(r.stale)) end
  redis.call("PEXPIRE", c.key, math.max(1, r.stops(r.bucket) - now) + GRACE)
end

local function settle(c)
  if c.amount == 0 or redis.call("EXISTS", c.key) == 0 then return end
  if c.kind == "t" then
    local rate = c.limit / c.window
    local h = redis.call("HMGET", c.key, "t", "ts")
    local tokens, ts = tonumber(h[1]) or c.capacity, tonumber(h[2]) or now
    tokens = math.min(c.capacity, tokens + math.max(0, now - ts) * rate)
    local after = math.min(c.capacity, tokens - c.amount)
    redis.call("HSET", c.key, "t", string.format("%.17g", after), "ts", fmt(now))
    redis.call("PEXPIRE", c.key, ceil((c.capacity - after) / rate) + GRACE)
    return
  end
  local cur, lowest = window_bounds(c)
  if c.bucket < lowest or c.bucket > cur then return end
  local v = redis.call("HINCRBY", c.key, fmt(c.bucket), fmt(c.amount))
  if v < 0 then redis.call("HSET", c.key, fmt(c.bucket), "0") end
end

-- Adds usage counted elsewhere (the local fallback) to its bucket: unlike settle, creates the counter.
-- A bucket ahead of Redis's clock goes to the current one; one that no longer counts is dropped.
local function add(c)
  if c.amount == 0 or (c.amount < 0 and redis.call("EXISTS", c.key) == 0) then return end
  if c.kind == "t" then
    local rate = c.limit / c.window
    local h = redis.call("HMGET", c.key, "t", "ts")
    local tokens, ts = tonumber(h[1]) or c.capacity, tonumber(h[2]) or now
    tokens = math.min(c.capacity, tokens + math.max(0, now - ts) * rate)
    local after = math.min(c.capacity, tokens - c.amount)
    redis.call("HSET", c.key, "t", string.format("%.17g", after), "ts", fmt(now), "l", fmt(c.limit),
      "c", fmt(c.capacity))
    redis.call("PEXPIRE", c.key, math.max(1, ceil((c.capacity - after) / rate)) + GRACE)
    return
  end
  local cur, lowest, stops = window_bounds(c)
  local b = math.min(c.bucket, cur)
  if b < lowest then return end
  local v = redis.call("HINCRBY", c.key, fmt(b), fmt(c.amount))
  if v < 0 then redis.call("HSET", c.key, fmt(b), "0") end
  redis.call("HSET", c.key, "l", fmt(c.limit))
  local ttl = math.max(1, stops(b) - now) + GRACE
  if redis.call("PTTL", c.key) < ttl then redis.call("PEXPIRE", c.key, ttl) end
end

if op == "s" then
  for i = 1, n do settle(counter(i)) end
  return {n}
end

if op == "a" then
  if not redis.call("SET", KEYS[tonumber(member)], "1", "NX", "PX", 86400000) then return {0} end
  for i = 1, n do add(counter(i)) end
  return {n}
end

local counters, results = {}, {}
local admitted, retry, failing, never = true, 0, 0, false
for i = 1, n do
  local c = counter(i)
  local r = evaluate(c)
  if c.share and not r.ok and not waiting_others(KEYS[c.wait], c.window) then
    r.ok, r.never, r.retry = true, false, 0  -- nobody else waits: the tenant may use the whole global limit
  end
  counters[i], results[i] = c, r
  if not r.ok then
    admitted = false
    if r.never then never = true end
    if failing == 0 or r.retry > retry then retry, failing = r.retry, i end
  end
end

if admitted then
  for i = 1, n do
    charge(counters[i], results[i])
    local c = counters[i]
    if c.wait > 0 and not c.share then redis.call("ZREM", KEYS[c.wait], member) end
  end
else
  for i = 1, n do
    local c = counters[i]
    if c.wait > 0 and not results[i].ok then
      local wait_key = KEYS[c.wait]
      redis.call("ZADD", wait_key, fmt(now), member)
      redis.call("ZREMRANGEBYSCORE", wait_key, "-inf", fmt(now - c.window))
      local size = redis.call("ZCARD", wait_key)
      if size > MAX_WAITING then redis.call("ZREMRANGEBYRANK", wait_key, 0, size - MAX_WAITING - 1) end
      redis.call("PEXPIRE", wait_key, c.window + GRACE)
    end
  end
end

if retry == huge or never then retry = -1 end
local reply = {admitted and 1 or 0, retry, failing, never and 1 or 0}
for i = 1, n do
  local r = results[i]
  reply[#reply + 1] = r.remaining
  reply[#reply + 1] = r.reset
  reply[#reply + 1] = r.bucket
end
return reply
"""

#: The Redis commands the script runs inside Redis (lower case, as INFO commandstats names them): they show
#: in Redis's statistics but cost no round trip. Derived from the source so it cannot drift from it.
SCRIPT_REDIS_COMMANDS = frozenset(
    name.lower() for name in re.findall(r'redis\.p?call\("([A-Za-z]+)"', LIMITER_LUA)
)
