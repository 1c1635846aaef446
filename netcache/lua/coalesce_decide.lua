-- Coalescing, leading edge: decide lead/fold/done for a read batch's events (worker/coalesce.py).
-- All of a batch's actions in one call: per action key, its events in stream order.
-- KEYS: due zset, action hash, then the open-window key of each action key, in ARGV's order
-- ARGV: window_ms, marker ttl s, fold-set key base (the set is base .. akey .. ':' .. start),
-- marker key prefix, then per action key: akey, action json, n, stream id 1 .. stream id n
-- Returns the outcomes ('lead' | 'fold' | 'done') of every stream id, in ARGV's order.
local window = tonumber(ARGV[1])
local ttl = ARGV[2]
local fold_base = ARGV[3]
local marker_base = ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}

local function decide(wkey, akey, action, first, last)
  local v = redis.call('GET', wkey)
  local anchor = nil
  if v then anchor = tonumber(string.sub(v, 1, string.find(v, '|', 1, true) - 1)) end
  local folds = {}
  for i = first, last do
    local id = ARGV[i]
    local marker = marker_base .. string.sub(redis.sha1hex('lead|' .. id .. '|' .. akey), 1, 24)
    local m = redis.call('GET', marker)
    if m == 'sent' then
      out[#out + 1] = 'done'
    elseif m == 'pending' then
      out[#out + 1] = 'lead'
    elseif not anchor then
      redis.call('SET', wkey, string.format('%d', now) .. '|' .. id, 'PX', window)
      redis.call('SET', marker, 'pending', 'EX', ttl)
      anchor = now
      out[#out + 1] = 'lead'
    else
      folds[#folds + 1] = id
      out[#out + 1] = 'fold'
    end
  end
  if #folds > 0 then
    local k = math.floor((now - anchor) / window)
    if k < 0 then k = 0 end
    local start = anchor + k * window
    local s = string.format('%d', start)
    local member = akey .. ':' .. s
    local fold = fold_base .. akey .. ':' .. s
    for j = 1, #folds, 500 do
      redis.call('SADD', fold, unpack(folds, j, math.min(j + 499, #folds)))
    end
    redis.call('PEXPIRE', fold, window + 86400000)
    redis.call('ZADD', KEYS[1], 'NX', start + window, member)
    redis.call('HSETNX', KEYS[2], member, action)
    redis.call('PEXPIRE', wkey, math.max(1, start + 2 * window - now))
  end
end

local pos = 5
local g = 0
while pos <= #ARGV do
  g = g + 1
  local n = tonumber(ARGV[pos + 2])
  decide(KEYS[2 + g], ARGV[pos], ARGV[pos + 1], pos + 3, pos + 2 + n)
  pos = pos + 3 + n
end
return out
