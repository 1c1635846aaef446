"""The cache's Lua scripts: every multi-key change is one atomic round trip.

Shared by :class:`netcache.engine.sync.AnswerCache` and :class:`netcache.engine.aio.AsyncAnswerCache`
(``redis.register_script`` works on both client kinds). Every script gets the
key base (``nc`` or ``nc:{namespace}``) as ``ARGV[1]`` and builds the keys it
touches from it; see :mod:`netcache.engine.records` for the layout and the Redis Cluster
note (these scripts touch keys they were not handed in ``KEYS``, which a
single Redis allows and a cluster would not).

Times are epoch seconds (floats) in ``ARGV``; Redis expiries use PEXPIREAT
with milliseconds.
"""

from __future__ import annotations

import hashlib

__all__ = ["HIT", "PUT", "BUMP_TAGS", "INVALIDATE_ENTRIES", "RELEASE_LEASE", "RECORD_QUERY", "TICKET",
           "script_source", "sha_of"]

# Functions every script can use. Limits arrive in ARGV[2..11] in this order
# (netcache.engine.tiers.TierPolicy.argv builds them).
_PRELUDE = r"""
local P = ARGV[1]
local NOW = tonumber(ARGV[2])
local HOT_TTL, WARM_TTL, COLD_TTL = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local PROMOTE_COLD, PROMOTE_WARM = tonumber(ARGV[6]), tonumber(ARGV[7])
local HOT_MAX, WARM_MAX, COLD_MAX, MAX_ENTRIES = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local LOG_MAX = ARGV[12]
local HOT, WARM, COLD = P .. ':tier:hot', P .. ':tier:warm', P .. ':tier:cold'

local function ekey(id) return P .. ':e:' .. id end

local function log_change(op, id)
  redis.call('XADD', P .. ':ix:log', 'MAXLEN', '~', LOG_MAX, '*', 'op', op, 'id', id)
end

-- Remove an entry and everything that points at it (tags, tiers, vector).
local function drop(id)
  local k = ekey(id)
  local tags = redis.call('HGET', k, 'tags')
  if tags then
    local ok, list = pcall(cjson.decode, tags)
    if ok then for _, t in ipairs(list) do redis.call('SREM', P .. ':t:' .. t, id) end end
  end
  local existed = redis.call('DEL', k)
  redis.call('ZREM', HOT, id)
  redis.call('ZREM', WARM, id)
  redis.call('SREM', COLD, id)
  if redis.call('HDEL', P .. ':ix:vec', id) == 1 then log_change('del', id) end
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

-- Pop one victim from a tier: hot LRU, warm LFU, cold random.
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
    if n > 0 then redis.call('HINCRBY', P .. ':stats', 'evictions:' .. tier, n) end
  end
  return {ev.hot, ev.warm, ev.cold}
end
"""

#: Read one entry for a hit: check expiry, bump hits, move it between tiers
#: (time in tier ended → hot falls back to warm; access count → promotion),
#: renew its tier time (never past ``expires_at``) and return its fields.
#: KEYS: none. ARGV: prelude (1..12), entry id.
#: Returns nil (missing/expired) or {answer, created_at, expires_at, stale,
#: stale_at, query_type, volatility, cost_usd, tier, tier_until, hits, prompt}.
HIT = _PRELUDE + r"""
local id = ARGV[13]
local k = ekey(id)
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
local ev = enforce()
v[9] = redis.call('HGET', k, 'tier') or tier
v[11] = tostring(hits)
return v
"""

#: Store one entry unless one of its ticket's tags was invalidated since the
#: ticket was taken (no stale sets). KEYS: none.
#: ARGV: prelude (1..12), id, tier, expires_at, tags JSON, ticket JSON
#: ([[tag, gen], ...] or ""), vector blob ("" for none), tag TTL ms, then field/value pairs.
#: Returns {1, evicted_hot, evicted_warm, evicted_cold} or {0} when discarded.
PUT = _PRELUDE + r"""
local id, tier, exp = ARGV[13], ARGV[14], tonumber(ARGV[15])
local tags = cjson.decode(ARGV[16])
if ARGV[17] ~= '' then
  for _, pair in ipairs(cjson.decode(ARGV[17])) do
    local cur = redis.call('GET', P .. ':g:' .. pair[1]) or '0'
    if cur ~= tostring(pair[2]) then
      redis.call('HINCRBY', P .. ':stats', 'discarded_stale_sets', 1)
      return {0}
    end
  end
end
if exp <= NOW then return {0} end
local k = ekey(id)
local old = redis.call('HGET', k, 'tags')
if old then
  for _, t in ipairs(cjson.decode(old)) do redis.call('SREM', P .. ':t:' .. t, id) end
end
redis.call('DEL', k)
local fields = {}
for i = 20, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', k, unpack(fields))
redis.call('HSET', k, 'tags', ARGV[16], 'hits', 0, 'stale', 0, 'expires_at', ARGV[15], 'created_at', ARGV[2])
local exp_ms = math.floor(exp * 1000)
for _, t in ipairs(tags) do
  local tk = P .. ':t:' .. t
  redis.call('SADD', tk, id)
  if redis.call('PTTL', tk) == -1 then redis.call('PEXPIREAT', tk, exp_ms)
  else redis.call('PEXPIREAT', tk, exp_ms, 'GT') end
end
set_tier(id, tier, 0, exp)
if ARGV[18] ~= '' then
  redis.call('HSET', P .. ':ix:vec', id, ARGV[18])
  log_change('add', id)
elseif redis.call('HDEL', P .. ':ix:vec', id) == 1 then
  log_change('del', id)
end
local ev = enforce()
return {1, ev[1], ev[2], ev[3]}
"""

#: Start an invalidation: INCR every tag's generation (so answers being
#: generated now are not stored) and return the union of the tags' members.
#: ARGV: key base, tags...
BUMP_TAGS = r"""
local P = ARGV[1]
local keys = {}
for i = 2, #ARGV do
  redis.call('INCR', P .. ':g:' .. ARGV[i])
  keys[#keys + 1] = P .. ':t:' .. ARGV[i]
end
if #keys == 0 then return {} end
return redis.call('SUNION', unpack(keys))
"""

#: Capture the generation counters of some tags (a GenTicket). ARGV: key base, tags...
TICKET = r"""
local P = ARGV[1]
local out = {}
for i = 2, #ARGV do out[#out + 1] = redis.call('GET', P .. ':g:' .. ARGV[i]) or '0' end
return out
"""

#: Hard-delete or soft-mark (stale=1, stale_at) a batch of entries.
#: ARGV: prelude (1..12), mode ("hard"|"soft"), ids... Returns how many existed.
INVALIDATE_ENTRIES = _PRELUDE + r"""
local mode = ARGV[13]
local n = 0
for i = 14, #ARGV do
  local id = ARGV[i]
  if mode == 'hard' then
    n = n + drop(id)
  elseif redis.call('EXISTS', ekey(id)) == 1 then
    n = n + 1
    if redis.call('HGET', ekey(id), 'stale') ~= '1' then
      redis.call('HSET', ekey(id), 'stale', 1, 'stale_at', ARGV[2])
    end
  end
end
return n
"""

#: Compare-and-delete: release a lease only if we still hold it. KEYS[1] lease, ARGV[1] token.
RELEASE_LEASE = r"""
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

#: Count one ask of a question with forward decay and remember how to re-ask it.
#: score += 2^((now - t0) / halflife); t0 is rebased before the weights overflow.
#: ARGV: key base, now, halflife_s, max_questions, question key, meta JSON.
RECORD_QUERY = r"""
local P = ARGV[1]
local now, halflife, maxn = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local top, meta, t0key = P .. ':q:top', P .. ':q:meta', P .. ':q:t0'
local t0 = tonumber(redis.call('GET', t0key))
if not t0 then t0 = now; redis.call('SET', t0key, ARGV[2]) end
local x = (now - t0) / halflife
if x > 500 then
  redis.call('ZUNIONSTORE', top, 1, top, 'WEIGHTS', tostring(2 ^ (-x)))
  redis.call('SET', t0key, ARGV[2])
  x = 0
end
redis.call('ZINCRBY', top, tostring(2 ^ x), ARGV[5])
redis.call('HSET', meta, ARGV[5], ARGV[6])
local n = redis.call('ZCARD', top)
if n > maxn + math.max(10, math.floor(maxn / 10)) then
  local gone = redis.call('ZRANGE', top, 0, n - maxn - 1)
  redis.call('ZREMRANGEBYRANK', top, 0, n - maxn - 1)
  redis.call('HDEL', meta, unpack(gone))
end
return 1
"""


_BY_NAME = {name: globals()[name] for name in __all__ if name.isupper()}


def script_source(name: str) -> str:
    """The Lua source of a script by name (``"HIT"``, ``"PUT"`` …)."""
    return _BY_NAME[name]


def sha_of(name: str) -> str:
    """SHA1 of a script, as EVALSHA wants it (computed locally, no round trip)."""
    return _SHAS[name]


_SHAS = {name: hashlib.sha1(src.encode()).hexdigest() for name, src in _BY_NAME.items()}
