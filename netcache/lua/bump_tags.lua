-- Start an invalidation: INCR every tag's generation (so answers being generated now are not
-- stored) and return the union of the tags' members.
-- KEYS: generation keys g:{tag}..., then the tag sets t:{tag}... (as many of each).
local n = #KEYS / 2
for i = 1, n do redis.call('INCR', KEYS[i]) end
if n == 0 then return {} end
return redis.call('SUNION', unpack(KEYS, n + 1, 2 * n))
