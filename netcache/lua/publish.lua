-- Publish a batch of events on the stream, once each, never trimming what a consumer still needs
-- (events/publisher.py).
-- KEYS[1] stream, KEYS[2] seen zset (event id -> publish time ms, no TTL: eviction cannot reach it),
-- KEYS[3] the events stats hash.
-- ARGV[1] dedup window s (0 = off), ARGV[2] length limit, ARGV[3] field pairs per event,
-- ARGV[4] most ids the seen zset keeps, then per event: its id and its fields.
-- Returns per event: its stream id, false (nil) for an event already seen inside the window, or 0 when
-- the stream is at its limit with entries a consumer group has not read or acknowledged (refused,
-- nothing written: the caller answers 503 / holds the event).
-- Trimming: only when the batch would pass the limit, with XTRIM MINID at the oldest entry any group
-- still needs (its oldest pending entry, else the one after its last-delivered id); a stream without a
-- group is never trimmed (nobody has read it).
local stream, seen, stats = KEYS[1], KEYS[2], KEYS[3]
local window_ms = tonumber(ARGV[1]) * 1000
local limit = tonumber(ARGV[2])
local width = tonumber(ARGV[3]) * 2
local seen_max = tonumber(ARGV[4])
local n_events = (#ARGV - 4) / (width + 1)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local function older(a, b)  -- stream id a < b
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
-- the oldest id some consumer group still needs; nil = keep everything
local function floor_id()
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
  if not ok or #groups == 0 then return nil end
  local floor = nil
  for _, g in ipairs(groups) do
    local name, last = nil, nil
    for i = 1, #g, 2 do
      if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
    end
    local ms, sq = parse(last)
    local bound = string.format('%d-%d', ms, sq + 1)
    local p = redis.call('XPENDING', stream, name)
    if tonumber(p[1]) > 0 and older(p[2], bound) then bound = p[2] end
    if floor == nil or older(bound, floor) then floor = bound end
  end
  return floor
end

if window_ms > 0 then
  redis.call('ZREMRANGEBYSCORE', seen, '-inf', '(' .. string.format('%d', now - window_ms))
end
local length = redis.call('XLEN', stream)
if length + n_events > limit then
  local floor = floor_id()
  if floor then
    redis.call('XTRIM', stream, 'MINID', floor)
    length = redis.call('XLEN', stream)
  end
end

local out = {}
local refused = 0
local pos = 5
for _ = 1, n_events do
  local event_id = ARGV[pos]
  local id = false
  if window_ms <= 0 or not redis.call('ZSCORE', seen, event_id) then
    if length >= limit then
      id = 0
      refused = refused + 1
    else
      id = redis.call('XADD', stream, '*', unpack(ARGV, pos + 1, pos + width))
      length = length + 1
      if window_ms > 0 then redis.call('ZADD', seen, now, event_id) end
    end
  end
  out[#out + 1] = id
  pos = pos + width + 1
end
if window_ms > 0 then
  local size = redis.call('ZCARD', seen)
  if size > seen_max then redis.call('ZREMRANGEBYRANK', seen, 0, size - seen_max - 1) end
end
if refused > 0 then redis.call('HINCRBY', stats, 'refused_stream_full', refused) end
return out
