-- Reserve one warm-up LLM call if both day caps allow it (tasks/budget.py), and, for a run on
-- behalf of an origin with a share (syslog), if that origin's own cap allows it too.
-- KEYS[1] = day hash; ARGV = max_calls, max_usd, ttl_s[, origin field, origin max_calls].
-- Returns {1, calls} when a call was taken, {0, reason} when a cap is reached.
local calls = tonumber(redis.call('HGET', KEYS[1], 'calls') or '0')
local usd = tonumber(redis.call('HGET', KEYS[1], 'usd') or '0')
if calls >= tonumber(ARGV[1]) then return {0, 'calls'} end
if usd >= tonumber(ARGV[2]) then return {0, 'usd'} end
if ARGV[4] then
  local mine = tonumber(redis.call('HGET', KEYS[1], ARGV[4]) or '0')
  if mine >= tonumber(ARGV[5]) then return {0, 'share'} end
  redis.call('HINCRBY', KEYS[1], ARGV[4], 1)
end
calls = redis.call('HINCRBY', KEYS[1], 'calls', 1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1, calls}
