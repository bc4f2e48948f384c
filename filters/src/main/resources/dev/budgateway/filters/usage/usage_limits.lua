-- A user's quota (budapp's usage_limit:<user_id> record) with reservations, in one atomic step.
--
-- KEYS[1]: usage_limit:<user_id>, the record budapp writes (JSON): user_type, allowed, tokens_quota,
--          tokens_used, cost_quota, cost_used, reason, ...
-- KEYS[2]: the user's reservations: a hash of in-flight tokens and cost, expiring when idle
-- ARGV[1]: 1 = reserve, 2 = settle
-- ARGV[2], ARGV[3]: the estimate's tokens and cost (reserved, or released at settle)
-- ARGV[4], ARGV[5]: the real tokens and cost (settle: added to the record's used fields)
-- ARGV[6]: how long reservations live without a new one (ms)
-- Returns {verdict, reason, tokens left, cost left}: verdict 1 = allowed (with a reservation), 2 = allowed
-- without one (no record, an admin), 0 = refused; what is left counts the reservations, -1 when unlimited.
local op = tonumber(ARGV[1])
local raw = redis.call('GET', KEYS[1])
local record = nil
if raw then
  local ok, decoded = pcall(cjson.decode, raw)
  if ok and type(decoded) == 'table' then
    record = decoded
  end
end

local function number(v)
  if type(v) == 'number' then
    return v
  end
  return nil
end

if op == 2 then
  local tokens = tonumber(ARGV[2])
  local cost = tonumber(ARGV[3])
  if tokens > 0 or cost > 0 then
    -- A release after a reserve that timed out may find nothing reserved (the reserve never ran): never below 0.
    local left = redis.call('HINCRBY', KEYS[2], 'tokens', -tokens)
    local left_cost = tonumber(redis.call('HINCRBYFLOAT', KEYS[2], 'cost', -cost))
    if left < 0 then
      redis.call('HSET', KEYS[2], 'tokens', 0)
    end
    if left_cost < 0 then
      redis.call('HSET', KEYS[2], 'cost', 0)
    end
    if left <= 0 and left_cost <= 1e-9 then
      redis.call('DEL', KEYS[2])
    end
  end
  if record then
    record.tokens_used = (number(record.tokens_used) or 0) + tonumber(ARGV[4])
    record.cost_used = (number(record.cost_used) or 0) + tonumber(ARGV[5])
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then
      redis.call('SET', KEYS[1], cjson.encode(record), 'PX', ttl)
    else
      redis.call('SET', KEYS[1], cjson.encode(record))
    end
  end
  return {2, '', -1, -1}
end

if not record then
  return {2, '', -1, -1}
end
if record.user_type == 'admin' then
  return {2, '', -1, -1}
end
if record.allowed == false then
  local reason = type(record.reason) == 'string' and record.reason ~= '' and record.reason or 'usage not allowed'
  return {0, reason, 0, 0}
end
local reserved_tokens = tonumber(redis.call('HGET', KEYS[2], 'tokens')) or 0
local reserved_cost = tonumber(redis.call('HGET', KEYS[2], 'cost')) or 0
local tokens_quota = number(record.tokens_quota)
local cost_quota = number(record.cost_quota)
local tokens_left = -1
local cost_left = -1
if tokens_quota then
  tokens_left = tokens_quota - (number(record.tokens_used) or 0) - reserved_tokens
  if tokens_left <= 0 then
    return {0, 'token quota reached', 0, 0}
  end
end
if cost_quota then
  cost_left = cost_quota - (number(record.cost_used) or 0) - reserved_cost
  if cost_left <= 0 then
    return {0, 'cost quota reached', 0, 0}
  end
end
redis.call('HINCRBY', KEYS[2], 'tokens', tonumber(ARGV[2]))
redis.call('HINCRBYFLOAT', KEYS[2], 'cost', ARGV[3])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]))
return {1, '', math.floor(tokens_left), tostring(cost_left)}
