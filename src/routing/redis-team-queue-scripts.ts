// Lua scripts of the Redis team queues. Both get the keys of one item in one team, all under the
// team's hash tag, so Redis Cluster runs each script on one node:
//   KEYS[1] item hash (version, status, data)
//   KEYS[2] item log list (JSON events)
//   KEYS[3] queue ZSET (member reference, score priority rank * 1e13 + queued time)
//   KEYS[4] leases ZSET (member reference, score lease end)
//   KEYS[5] message index (message id -> reference)
// Numbers travel as strings, because Lua prints large numbers in exponent form.

/**
 * KEYS[6] is the prefix of item hashes. ARGV: reference, status, data, queue score or '',
 * lease score or '', first event. Returns {1, reference} when added, {0, reference} when the
 * message already has an item, {2, ''} when the reference belongs to another item.
 */
export const insertLua = `
local existing = redis.call('GET', KEYS[5])
if existing then
  if redis.call('EXISTS', KEYS[6] .. existing) == 1 then return {0, existing} end
  redis.call('DEL', KEYS[5])
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {2, ''} end

redis.call('HSET', KEYS[1], 'version', '1', 'status', ARGV[2], 'data', ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('SET', KEYS[5], ARGV[1])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1]) end
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1]) end
return {1, ARGV[1]}
`

/**
 * ARGV: expected version, new version, status, data, reference, queue score or '', lease score
 * or '', time to live in milliseconds or '', then events to append. Returns 1 when saved, 0 on a
 * version conflict.
 */
export const commitLua = `
local stored = redis.call('HGET', KEYS[1], 'version')
if (stored or '0') ~= ARGV[1] then return 0 end

redis.call('HSET', KEYS[1], 'version', ARGV[2], 'status', ARGV[3], 'data', ARGV[4])
if ARGV[6] == '' then
  redis.call('ZREM', KEYS[3], ARGV[5])
else
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
end
if ARGV[7] == '' then
  redis.call('ZREM', KEYS[4], ARGV[5])
else
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[5])
end
for index = 9, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[index]) end

if ARGV[8] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
  redis.call('PEXPIRE', KEYS[2], ARGV[8])
  if redis.call('GET', KEYS[5]) == ARGV[5] then redis.call('PEXPIRE', KEYS[5], ARGV[8]) end
end
return 1
`
