-- Every rate limit that applies to one request, decided in one atomic step on Redis's clock.
--
-- KEYS[i]: the bucket of limit i (its id and subject).
-- ARGV: for each limit, six values: algorithm, operation, limit, period (ms), burst, amount.
--   algorithm 1 = gcra (token bucket), 2 = fixed_window, 3 = sliding_window
--   operation 1 = take   (requests: all or nothing, and nothing is taken unless every take and check passes)
--             2 = check  (tokens: refused when the bucket is already spent; nothing is taken)
--             3 = charge (tokens after the response: always added, never refused)
--             4 = lease  (a replica's slice: up to `amount`, as much as is left; never refused)
--             5 = return (a lease's unused part, given back; gcra only)
-- Returns, for each limit, five integers: allowed (1/0), remaining, reset (ms until the bucket is full
-- again, or the window ends), retry-after (ms, when refused) and granted (what a take or lease took).
if redis.replicate_commands then
  redis.replicate_commands() -- Redis before 5 replicates scripts verbatim; TIME needs effects replication
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- A gcra bucket is a hash (field "tat", the theoretical arrival time), not a string: every gateway replica
-- watches Redis's "set" events for the control plane's records, and a SET per request would be sent to all
-- of them. HSET and PEXPIRE publish events nobody subscribes to.
local function stored_tat(key)
  local v = redis.pcall('HGET', key, 'tat')
  if type(v) == 'table' and v.err then
    redis.call('DEL', key) -- a string bucket of a gateway before 2026-12-03: start it afresh
    return nil
  end
  return tonumber(v)
end

-- A gcra bucket is kept a minute past the moment it is full again. Expiring at that moment, it would expire
-- between the requests of every client below its limit, and each expiry is an "expired" event that every
-- replica's mirror receives (it needs them for the control plane's records); kept longer, a bucket expires
-- once, when its subject goes idle. A full bucket and a missing one mean the same.
local KEEP_FULL_MS = 60000

local n = #KEYS
local results = {}
local writes = {}
local refused = false

local function spend(i, algorithm, op, limit, period, burst, amount)
  local key = KEYS[i]
  if algorithm == 1 then
    local interval = period / limit
    local tolerance = burst * interval
    local stored = stored_tat(key)
    local tat = math.max(stored or now, now)
    local free = math.floor((tolerance - (tat - now)) / interval + 1e-9)
    if op == 5 then
      if stored then
        local back = math.max(now, stored - amount * interval)
        writes[#writes + 1] = {true, key, back, math.ceil(math.max(0, back - now)) + KEEP_FULL_MS}
      end
      return {1, free + amount, math.max(0, math.ceil(tat - now)), 0, 0}
    end
    if op == 2 then
      if free <= 0 then
        return {0, 0, math.ceil(tat - now), math.ceil(tat - now - tolerance + interval), 0}
      end
      return {1, free, math.ceil(tat - now), 0, 0}
    end
    local take = amount
    if op == 4 then
      take = math.max(0, math.min(amount, free))
    end
    if op == 1 and take > free then
      return {0, math.max(free, 0), math.ceil(tat - now), math.ceil(tat + take * interval - tolerance - now), 0}
    end
    local after = tat + take * interval
    writes[#writes + 1] = {op ~= 1, key, after, math.ceil(after - now) + KEEP_FULL_MS}
    return {1, math.max(0, free - take), math.ceil(after - now), 0, take}
  end

  local window = math.floor(now / period)
  local ends = (window + 1) * period - now
  local current_key = key .. ':' .. window
  local current = tonumber(redis.call('GET', current_key)) or 0
  local used = current
  if algorithm == 3 then
    local previous = tonumber(redis.call('GET', key .. ':' .. (window - 1))) or 0
    local weight = (period - (now - window * period)) / period
    used = math.floor(previous * weight + current + 1e-9)
  end
  local free = limit - used
  if op == 5 then
    return {1, free, ends, 0, 0}
  end
  if op == 2 then
    if free <= 0 then
      return {0, 0, ends, ends, 0}
    end
    return {1, free, ends, 0, 0}
  end
  local take = amount
  if op == 4 then
    take = math.max(0, math.min(amount, free))
  end
  if op == 1 and take > free then
    local retry = ends
    if algorithm == 3 and current + take <= limit then
      -- the previous window's share shrinks as this one goes on: wait until it has shrunk enough
      local previous = tonumber(redis.call('GET', key .. ':' .. (window - 1))) or 0
      local weight = (limit - current - take) / previous
      retry = math.max(1, math.ceil((1 - weight) * period - (now - window * period)))
    end
    return {0, math.max(free, 0), ends, retry, 0}
  end
  if take > 0 then
    local ttl = algorithm == 3 and 2 * period + 1000 or period + 1000
    writes[#writes + 1] = {op ~= 1, current_key, 'incr', take, ttl}
  end
  return {1, math.max(0, free - take), ends, 0, take}
end

for i = 1, n do
  local base = (i - 1) * 6
  local r = spend(i, tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]),
    tonumber(ARGV[base + 4]), tonumber(ARGV[base + 5]), tonumber(ARGV[base + 6]))
  if r[1] == 0 then
    refused = true
  end
  for _, v in ipairs(r) do
    results[#results + 1] = v
  end
end

-- A refused request takes nothing from the limits it passed; charges, leases and returns apply regardless.
for _, w in ipairs(writes) do
  if w[1] or not refused then
    if w[3] == 'incr' then
      redis.call('INCRBY', w[2], w[4])
      redis.call('PEXPIRE', w[2], w[5])
    else
      redis.call('HSET', w[2], 'tat', string.format('%.3f', w[3]))
      redis.call('PEXPIRE', w[2], w[4])
    end
  end
end
return results
