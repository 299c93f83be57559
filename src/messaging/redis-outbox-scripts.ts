// Lua scripts of the Redis outbox. Every script gets the same four keys. They all carry the
// outbox hash tag, so Redis Cluster runs each script on one node:
//   KEYS[1] due ZSET (member id, score due time or lease end)
//   KEYS[2] prefix of message hashes (id appended)
//   KEYS[3] prefix of idempotency keys (idempotency key appended, value id)
//   KEYS[4] prefix of provider id keys (provider message id appended, value id)
// Keys built inside a script from these prefixes hash to the same slot because the hash tag
// comes first. Times are passed in as strings: Lua numbers print with 14 digits at most.

/** Sets a finished message and its index keys to expire after `ttl` milliseconds. */
const expireFinished = `
local function expireFinished(messageKey, ttl)
  local key = redis.call('HGET', messageKey, 'idempotencyKey')
  local providerId = redis.call('HGET', messageKey, 'providerMessageId')
  redis.call('PEXPIRE', messageKey, ttl)
  if key then redis.call('PEXPIRE', KEYS[3] .. key, ttl) end
  if providerId then redis.call('PEXPIRE', KEYS[4] .. providerId, ttl) end
end
`

/**
 * ARGV: id, dueAt, idempotency key, then the message's field/value pairs. Returns {id, 1} when
 * added, or {existing id, 0} when the idempotency key was seen before.
 */
export const enqueueLua = `
local indexKey = KEYS[3] .. ARGV[3]
local existing = redis.call('GET', indexKey)
if existing then return {existing, 0} end
redis.call('SET', indexKey, ARGV[1])
redis.call('HSET', KEYS[2] .. ARGV[1], unpack(ARGV, 4))
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return {ARGV[1], 1}
`

/**
 * ARGV: now, limit, leaseUntil. Claims due messages and returns each one's HGETALL. A due
 * entry whose hash is missing or finished (deleted by hand, say) is removed from the due set.
 */
export const claimLua = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
for _, id in ipairs(ids) do
  local messageKey = KEYS[2] .. id
  local status = redis.call('HGET', messageKey, 'status')
  if status == 'queued' or status == 'sending' then
    redis.call('HINCRBY', messageKey, 'attempts', 1)
    redis.call('HSET', messageKey, 'status', 'sending', 'leaseUntil', ARGV[3],
      'dueAt', ARGV[3], 'updatedAt', ARGV[1])
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    table.insert(claimed, redis.call('HGETALL', messageKey))
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return claimed
`

/**
 * Moves a message to a new status if its current status allows it.
 * ARGV: id, now, allowed current statuses (comma separated), new status,
 *       due score ('' removes it from the due set), provider id ('' for none),
 *       ttl in ms ('' keeps the message without expiry), then field/value pairs to set.
 * Returns 1 when moved, 0 when the message is missing or its status does not allow the move.
 */
export const transitionLua = `${expireFinished}
local messageKey = KEYS[2] .. ARGV[1]
local status = redis.call('HGET', messageKey, 'status')
if not status then return 0 end
local allowed = false
for candidate in string.gmatch(ARGV[3], '[^,]+') do
  if candidate == status then allowed = true end
end
if not allowed then return 0 end

if #ARGV > 7 then redis.call('HSET', messageKey, unpack(ARGV, 8)) end
redis.call('HSET', messageKey, 'status', ARGV[4], 'updatedAt', ARGV[2])
redis.call('HDEL', messageKey, 'leaseUntil')
if ARGV[5] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('HSET', messageKey, 'dueAt', ARGV[5])
  redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
end
if ARGV[6] ~= '' then
  redis.call('HSET', messageKey, 'providerMessageId', ARGV[6])
  redis.call('SET', KEYS[4] .. ARGV[6], ARGV[1])
end
if ARGV[7] ~= '' then expireFinished(messageKey, ARGV[7]) end
return 1
`

/**
 * Applies a delivery report to a sent message if it ranks above the applied one.
 * ARGV: id, now, rank, delivery JSON, final status ('' for an in-flight report), ttl in ms.
 */
export const deliveryLua = `${expireFinished}
local messageKey = KEYS[2] .. ARGV[1]
if redis.call('HGET', messageKey, 'status') ~= 'sent' then return 0 end
local applied = tonumber(redis.call('HGET', messageKey, 'deliveryRank') or '0')
if tonumber(ARGV[3]) <= applied then return 0 end

redis.call('HSET', messageKey, 'delivery', ARGV[4], 'deliveryRank', ARGV[3], 'updatedAt', ARGV[2])
if ARGV[5] ~= '' then redis.call('HSET', messageKey, 'status', ARGV[5]) end
expireFinished(messageKey, ARGV[6])
return 1
`
