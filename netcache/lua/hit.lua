-- Read one entry for a hit: check expiry, bump hits, move it between tiers (time in tier
-- ended -> hot falls back to warm; access count -> promotion), renew its tier time (never
-- past expires_at) and return its fields; optionally count the ask in the query log.
-- KEYS: the six tier keys (see _tiers), entry, [q:top, q:meta, q:t0 when recording].
-- ARGV: prelude (1..12), entry id, [halflife_s, max_questions, question key, meta JSON].
-- Returns nil (missing/expired) or {answer, created_at, expires_at, stale, stale_at,
-- query_type, volatility, cost_usd, tier, tier_until, hits, prompt}.
--#include _tiers
--#include _querylog
if KEYS[8] then
  record_query(KEYS[8], KEYS[9], KEYS[10], ARGV[2], ARGV[14], ARGV[15], ARGV[16], ARGV[17])
end
local id = ARGV[13]
local k = KEYS[7]
local v = redis.call('HMGET', k, 'answer', 'created_at', 'expires_at', 'stale', 'stale_at',
                     'query_type', 'volatility', 'cost_usd', 'tier', 'tier_until', 'hits', 'prompt')
if not v[1] then return false end
local exp = tonumber(v[3])
if exp <= NOW then drop(id); return false end
local tier, tier_until = v[9], tonumber(v[10])
if tier_until <= NOW then
  if tier == 'hot' then tier = 'warm' else drop(id); return false end
end
local hits = redis.call('HINCRBY', k, 'hits', 1)
redis.call('HSET', k, 'last_hit', ARGV[2])
if tier == 'cold' and hits >= PROMOTE_COLD then tier = 'warm'
elseif tier == 'warm' and hits >= PROMOTE_WARM then tier = 'hot' end
set_tier(id, tier, hits, exp)
enforce()
v[9] = redis.call('HGET', k, 'tier') or tier
v[11] = tostring(hits)
return v
