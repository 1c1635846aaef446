-- Remove dead consumers from a stream's group (worker/consumer.py): those idle longer than the grace
-- with nothing pending, checked and removed in one step, so a consumer that reads meanwhile keeps
-- its entries. KEYS[1] stream; ARGV[1] group, ARGV[2] grace ms, ARGV[3] the caller (never removed).
-- Returns the names removed.
local out = {}
local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then return out end
local grace = tonumber(ARGV[2])
for _, c in ipairs(consumers) do
  local name, pending, idle = nil, 0, 0
  for i = 1, #c, 2 do
    if c[i] == 'name' then name = c[i + 1]
    elseif c[i] == 'pending' then pending = tonumber(c[i + 1])
    elseif c[i] == 'idle' then idle = tonumber(c[i + 1]) end
  end
  if name ~= ARGV[3] and pending == 0 and idle > grace then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    out[#out + 1] = name
  end
end
return out
