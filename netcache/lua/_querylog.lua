-- Count one ask of a question with forward decay and remember how to re-ask it (netcache.engine.querylog).
-- score += 2^((now - t0) / halflife); t0 is rebased before the weights overflow; trimmed to the top max_questions.
local function record_query(top, meta, t0key, now_s, halflife_s, max_questions, question_key, meta_json)
  local now, halflife, maxn = tonumber(now_s), tonumber(halflife_s), tonumber(max_questions)
  local t0 = tonumber(redis.call('GET', t0key))
  if not t0 then t0 = now; redis.call('SET', t0key, now_s) end
  local x = (now - t0) / halflife
  if x > 500 then
    redis.call('ZUNIONSTORE', top, 1, top, 'WEIGHTS', tostring(2 ^ (-x)))
    redis.call('SET', t0key, now_s)
    x = 0
  end
  redis.call('ZINCRBY', top, tostring(2 ^ x), question_key)
  redis.call('HSET', meta, question_key, meta_json)
  local n = redis.call('ZCARD', top)
  if n > maxn + math.max(10, math.floor(maxn / 10)) then
    local gone = redis.call('ZRANGE', top, 0, n - maxn - 1)
    redis.call('ZREMRANGEBYRANK', top, 0, n - maxn - 1)
    redis.call('HDEL', meta, unpack(gone))
  end
end
