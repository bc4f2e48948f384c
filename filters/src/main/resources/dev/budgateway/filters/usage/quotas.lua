-- The file's quotas (tokens and cost per key, user or project, per day or month) with reservations, atomically.
--
-- KEYS[i]: quota i's hash for this subject and period: used_tokens, used_cost, reserved_tokens, reserved_cost.
-- ARGV[1]: 1 = reserve, 2 = settle; ARGV[2]: the hashes' time to live (ms, past the period's end).
-- Then per quota, six values: tokens quota (-1: none), cost quota (-1: none), the estimate's tokens and cost
-- (reserved, or released at settle), the real tokens and cost (added at settle).
-- Returns {0 or the 1-based index of the first quota reached, and for each quota its tokens left (-1: unlimited)}.
local op = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local n = #KEYS

local function arg(i, k)
  return tonumber(ARGV[2 + (i - 1) * 6 + k])
end

if op == 2 then
  for i = 1, n do
    local key = KEYS[i]
    -- never below 0: a release after a reserve that timed out may find nothing reserved
    if redis.call('HINCRBY', key, 'reserved_tokens', -arg(i, 3)) < 0 then
      redis.call('HSET', key, 'reserved_tokens', 0)
    end
    if tonumber(redis.call('HINCRBYFLOAT', key, 'reserved_cost', -arg(i, 4))) < 0 then
      redis.call('HSET', key, 'reserved_cost', 0)
    end
    redis.call('HINCRBY', key, 'used_tokens', arg(i, 5))
    redis.call('HINCRBYFLOAT', key, 'used_cost', arg(i, 6))
    redis.call('PEXPIRE', key, ttl)
  end
  return {0}
end

local left = {}
for i = 1, n do
  local h = redis.call('HMGET', KEYS[i], 'used_tokens', 'used_cost', 'reserved_tokens', 'reserved_cost')
  local used_tokens = (tonumber(h[1]) or 0) + (tonumber(h[3]) or 0)
  local used_cost = (tonumber(h[2]) or 0) + (tonumber(h[4]) or 0)
  local tokens_quota = arg(i, 1)
  local cost_quota = arg(i, 2)
  if tokens_quota >= 0 and used_tokens >= tokens_quota then
    return {i}
  end
  if cost_quota >= 0 and used_cost >= cost_quota then
    return {i}
  end
  left[i] = tokens_quota >= 0 and (tokens_quota - used_tokens) or -1
end
for i = 1, n do
  redis.call('HINCRBY', KEYS[i], 'reserved_tokens', arg(i, 3))
  redis.call('HINCRBYFLOAT', KEYS[i], 'reserved_cost', arg(i, 4))
  redis.call('PEXPIRE', KEYS[i], ttl)
end
local out = {0}
for i = 1, n do
  out[#out + 1] = left[i]
end
return out
