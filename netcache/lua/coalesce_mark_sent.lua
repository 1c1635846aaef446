-- Coalescing: the leading actions of a read batch are enqueued (worker/coalesce.py mark_sent).
-- KEYS: the due zset (unused: it routes the call to the markers' slot on a cluster)
-- ARGV: marker ttl s, marker key prefix, action id 1, action id 2, ...
for i = 3, #ARGV do
  redis.call('SET', ARGV[2] .. ARGV[i], 'sent', 'EX', ARGV[1])
end
return #ARGV - 2
