-- Shared by the tier-aware cache scripts (hit, put, invalidate_entries); included with `--#include _tiers`.
-- KEYS[1..6]: tier:hot, tier:warm, tier:cold, ix:vec, ix:log, stats (netcache.keys.Keys).
-- ARGV[1..12] (netcache.engine.tiers.TierPolicy.argv): key base, now (epoch s), hot/warm/cold
-- tier times (s), promote cold->warm / warm->hot hit counts, hot/warm/cold/total size limits,
-- approximate MAXLEN of the index change log. Every key known before the call is in KEYS; the
-- keys of entries a script only finds while it runs (eviction victims, an entry's previous tags,
-- the tags of a dropped entry) are built from the key base, which carries the namespace's hash tag
-- ({nc}): they are in the slot of the KEYS, on a Redis Cluster too (netcache.keys).
local P = ARGV[1]
local NOW = tonumber(ARGV[2])
local HOT_TTL, WARM_TTL, COLD_TTL = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local PROMOTE_COLD, PROMOTE_WARM = tonumber(ARGV[6]), tonumber(ARGV[7])
local HOT_MAX, WARM_MAX, COLD_MAX, MAX_ENTRIES = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local LOG_MAX = ARGV[12]
local HOT, WARM, COLD, IX_VEC, IX_LOG, STATS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local function ekey(id) return P .. ':e:' .. id end
local function tkey(tag) return P .. ':t:' .. tag end

local function log_change(op, id)
  redis.call('XADD', IX_LOG, 'MAXLEN', '~', LOG_MAX, '*', 'op', op, 'id', id)
end

-- Remove an entry and everything that points at it (tags, tiers, vector).
local function drop(id)
  local k = ekey(id)
  local tags = redis.call('HGET', k, 'tags')
  if tags then
    local ok, list = pcall(cjson.decode, tags)
    if ok then for _, t in ipairs(list) do redis.call('SREM', tkey(t), id) end end
  end
  local existed = redis.call('DEL', k)
  redis.call('ZREM', HOT, id)
  redis.call('ZREM', WARM, id)
  redis.call('SREM', COLD, id)
  if redis.call('HDEL', IX_VEC, id) == 1 then log_change('del', id) end
  return existed
end

-- Redis life of an entry: its tier time (a hot entry then falls back to warm), never past expires_at.
local function life_until(tier, tier_until, expires_at)
  local t = tier_until
  if tier == 'hot' then t = tier_until + WARM_TTL end
  return math.min(t, expires_at)
end

local function place(id, tier, hits)
  redis.call('ZREM', HOT, id)
  redis.call('ZREM', WARM, id)
  redis.call('SREM', COLD, id)
  if tier == 'hot' then redis.call('ZADD', HOT, NOW, id)
  elseif tier == 'warm' then redis.call('ZADD', WARM, hits, id)
  else redis.call('SADD', COLD, id) end
end

local function set_tier(id, tier, hits, expires_at)
  local ttl = WARM_TTL
  if tier == 'hot' then ttl = HOT_TTL elseif tier == 'cold' then ttl = COLD_TTL end
  local tier_until = math.min(NOW + ttl, expires_at)
  redis.call('HSET', ekey(id), 'tier', tier, 'tier_until', tostring(tier_until))
  redis.call('PEXPIREAT', ekey(id), math.floor(life_until(tier, tier_until, expires_at) * 1000))
  place(id, tier, hits)
end

-- One victim of a tier: hot LRU, warm LFU, cold random.
local function victim(tier)
  if tier == 'cold' then return redis.call('SRANDMEMBER', COLD) end
  local key = HOT
  if tier == 'warm' then key = WARM end
  local r = redis.call('ZRANGE', key, 0, 0)
  return r[1]
end

local function card(tier)
  if tier == 'hot' then return redis.call('ZCARD', HOT)
  elseif tier == 'warm' then return redis.call('ZCARD', WARM) end
  return redis.call('SCARD', COLD)
end

-- Bring every tier back under its size and the total under MAX_ENTRIES.
-- Hot overflow falls back to warm; warm and cold overflow is evicted.
local function enforce()
  local ev = {hot = 0, warm = 0, cold = 0}
  while card('hot') > HOT_MAX do
    local id = victim('hot')
    if redis.call('EXISTS', ekey(id)) == 1 then
      local exp = tonumber(redis.call('HGET', ekey(id), 'expires_at'))
      local hits = tonumber(redis.call('HGET', ekey(id), 'hits') or '0')
      set_tier(id, 'warm', hits, exp)
    else drop(id) end
  end
  for _, tier in ipairs({'warm', 'cold'}) do
    local limit = WARM_MAX
    if tier == 'cold' then limit = COLD_MAX end
    while card(tier) > limit do
      local id = victim(tier)
      ev[tier] = ev[tier] + drop(id)
    end
  end
  while card('hot') + card('warm') + card('cold') > MAX_ENTRIES do
    local tier = 'cold'
    if card('cold') == 0 then tier = 'warm' end
    if card('warm') == 0 and tier == 'warm' then tier = 'hot' end
    local id = victim(tier)
    ev[tier] = ev[tier] + drop(id)
  end
  for tier, n in pairs(ev) do
    if n > 0 then redis.call('HINCRBY', STATS, 'evictions:' .. tier, n) end
  end
  return {ev.hot, ev.warm, ev.cold}
end
