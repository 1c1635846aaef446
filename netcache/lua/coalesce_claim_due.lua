-- Coalescing, trailing edge: lease the windows whose time is up (worker/coalesce.py).
-- KEYS: due zset, action hash.  ARGV: lease_ms, limit, fold-set key base (ends with ':')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, m in ipairs(members) do
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), m)
  table.insert(out, m)
  table.insert(out, redis.call('HGET', KEYS[2], m) or '')
  table.insert(out, redis.call('SCARD', ARGV[3] .. m))
end
return out
