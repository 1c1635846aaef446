-- Store one entry unless one of its ticket's tags was invalidated since the ticket was
-- taken (no stale sets). KEYS: the six tier keys (see _tiers), entry, the tag set of each tag
-- (in the order of the tags JSON), the generation key of each ticket pair (in ticket order).
-- ARGV: prelude (1..12), id, tier, expires_at, tags JSON, ticket JSON ([[tag, gen], ...]
-- or ""), vector blob ("" for none), 0 (unused), then field/value pairs.
-- Returns {1, evicted_hot, evicted_warm, evicted_cold} or {0} when discarded.
--#include _tiers
local id, tier, exp = ARGV[13], ARGV[14], tonumber(ARGV[15])
local tags = cjson.decode(ARGV[16])
local ntags = #tags
if ARGV[17] ~= '' then
  for i, pair in ipairs(cjson.decode(ARGV[17])) do
    local cur = redis.call('GET', KEYS[7 + ntags + i]) or '0'
    if cur ~= tostring(pair[2]) then
      redis.call('HINCRBY', STATS, 'discarded_stale_sets', 1)
      return {0}
    end
  end
end
if exp <= NOW then return {0} end
local k = KEYS[7]
local old = redis.call('HGET', k, 'tags')
if old then
  for _, t in ipairs(cjson.decode(old)) do redis.call('SREM', tkey(t), id) end
end
redis.call('DEL', k)
local fields = {}
for i = 20, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', k, unpack(fields))
redis.call('HSET', k, 'tags', ARGV[16], 'hits', 0, 'stale', 0, 'expires_at', ARGV[15], 'created_at', ARGV[2])
local exp_ms = math.floor(exp * 1000)
for i = 1, ntags do
  local tk = KEYS[7 + i]
  redis.call('SADD', tk, id)
  if redis.call('PTTL', tk) == -1 then redis.call('PEXPIREAT', tk, exp_ms)
  else redis.call('PEXPIREAT', tk, exp_ms, 'GT') end
end
set_tier(id, tier, 0, exp)
if ARGV[18] ~= '' then
  redis.call('HSET', IX_VEC, id, ARGV[18])
  log_change('add', id)
elseif redis.call('HDEL', IX_VEC, id) == 1 then
  log_change('del', id)
end
local ev = enforce()
return {1, ev[1], ev[2], ev[3]}
