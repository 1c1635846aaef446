-- Coalescing: drop a window once its trailing action is enqueued (worker/coalesce.py).
-- KEYS: due zset, action hash, fold set.  ARGV: member
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return 1
