-- Capture the generation counters of some tags (a GenTicket). KEYS: generation keys g:{tag}...
local out = {}
for i = 1, #KEYS do out[#out + 1] = redis.call('GET', KEYS[i]) or '0' end
return out
