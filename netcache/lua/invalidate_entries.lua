-- Hard-delete or soft-mark (stale=1, stale_at) a batch of entries.
-- KEYS: the six tier keys (see _tiers), then the entry key of each id.
-- ARGV: prelude (1..12), mode ("hard"|"soft"), ids... (in the order of their keys)
-- Returns how many existed.
--#include _tiers
local mode = ARGV[13]
local n = 0
for i = 14, #ARGV do
  local id = ARGV[i]
  if mode == 'hard' then
    n = n + drop(id)
  elseif redis.call('EXISTS', KEYS[i - 7]) == 1 then
    n = n + 1
    if redis.call('HGET', KEYS[i - 7], 'stale') ~= '1' then
      redis.call('HSET', KEYS[i - 7], 'stale', 1, 'stale_at', ARGV[2])
    end
  end
end
return n
