-- Publish a batch of events on the stream, once each (events/publisher.py).
-- One call publishes a batch. KEYS[1] stream, KEYS[2..] one seen marker per event;
-- ARGV[1] dedup window s (0 = off), ARGV[2] MAXLEN, ARGV[3] field pairs per event, then the fields.
-- Returns one stream id per event, nil for an event already seen inside the window.
local ttl = tonumber(ARGV[1])
local maxlen = ARGV[2]
local width = tonumber(ARGV[3]) * 2
local out = {}
local pos = 4
for i = 2, #KEYS do
  local id = false
  if ttl <= 0 or redis.call('EXISTS', KEYS[i]) == 0 then
    id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(ARGV, pos, pos + width - 1))
    if ttl > 0 then
      redis.call('SET', KEYS[i], id, 'EX', ttl)
    end
  end
  out[#out + 1] = id
  pos = pos + width
end
return out
