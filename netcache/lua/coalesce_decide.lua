-- Coalescing, leading edge: decide lead/fold/done for a batch of events of one action (worker/coalesce.py).
-- One action key, all of a batch's events for it, in stream order.
-- KEYS: open-window key, due zset, action hash, then the leading-action marker of each stream id
-- (worker.coalesce.lead_action_id). All carry the stream's hash tag (netcache.keys.WorkerKeys);
-- the fold set, named by the window start Redis's clock gives, is built from its prefix (same tag).
-- ARGV: window_ms, akey, action json, marker ttl s, fold-set key prefix (ends with ':'),
-- (unused), stream id 1, stream id 2, ...
local window = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('GET', KEYS[1])
local anchor = nil
if v then anchor = tonumber(string.sub(v, 1, string.find(v, '|', 1, true) - 1)) end
local out = {}
local folds = {}
for i = 7, #ARGV do
  local id = ARGV[i]
  local marker = KEYS[i - 3]
  local m = redis.call('GET', marker)
  if m == 'sent' then
    out[#out + 1] = 'done'
  elseif m == 'pending' then
    out[#out + 1] = 'lead'
  elseif not anchor then
    redis.call('SET', KEYS[1], string.format('%d', now) .. '|' .. id, 'PX', window)
    redis.call('SET', marker, 'pending', 'EX', ARGV[4])
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
  local member = ARGV[2] .. ':' .. s
  local fold = ARGV[5] .. s
  for j = 1, #folds, 500 do
    redis.call('SADD', fold, unpack(folds, j, math.min(j + 499, #folds)))
  end
  redis.call('PEXPIRE', fold, window + 86400000)
  redis.call('ZADD', KEYS[2], 'NX', start + window, member)
  redis.call('HSETNX', KEYS[3], member, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.max(1, start + 2 * window - now))
end
return out
