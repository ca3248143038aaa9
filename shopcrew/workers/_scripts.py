"""Lua scripts of the workers: each touches one merchant's keys (one hash tag) atomically."""

from __future__ import annotations

__all__ = [
    "BEGIN",
    "COMMIT",
    "DEAD_LETTER",
    "ENQUEUE",
    "FINISH",
    "NOT_HEAD",
    "RELEASE",
    "RENEW",
    "TOUCH",
]

DONE_MAXLEN = 1_000_000
"""Entries the processed log and the dead-letter stream keep (approximately)."""

# KEYS: stream, queue. ARGV: event JSON, thread id, trace context JSON ('' when not tracing).
# XADD and RPUSH in one script: the thread's queue holds its ids in stream order, even with
# several producers writing to one thread at once.
ENQUEUE = """
local id
if ARGV[3] ~= '' then
  id = redis.call('XADD', KEYS[1], '*', 'event', ARGV[1], 'thread', ARGV[2], 'trace', ARGV[3])
else
  id = redis.call('XADD', KEYS[1], '*', 'event', ARGV[1], 'thread', ARGV[2])
end
redis.call('RPUSH', KEYS[2], id)
return id
"""

NOT_HEAD = -1
"""`BEGIN`'s reply when the entry does not head its thread's queue."""

# KEYS: queue, lease, attempts. ARGV: stream id, lease token, lease ms.
# Starts an attempt in one round trip: only when the entry heads its thread's queue, takes the
# thread's lease (or keeps it if this worker holds it already, a retry after a lost connection:
# a lease is the worker's token, so only another worker is kept out) and counts the attempt.
# Returns NOT_HEAD, 0 when another worker holds the lease, else the attempts started.
BEGIN = f"""
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return {NOT_HEAD} end
local held = redis.call('GET', KEYS[2])
if held and held ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
"""

# KEYS: stream, queue, done, attempts, errors, lease.
# ARGV: group, stream id, event id, consumer, lease token, attempt start (ms).
# Returns -1 without acknowledging when another worker holds the thread's lease now.
FINISH = f"""
local holder = redis.call('GET', KEYS[6])
if holder and holder ~= ARGV[5] then return -1 end
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if redis.call('LINDEX', KEYS[2], 0) == ARGV[2] then
  redis.call('LPOP', KEYS[2])
else
  redis.call('LREM', KEYS[2], 1, ARGV[2])
end
redis.call('HDEL', KEYS[4], ARGV[2])
redis.call('HDEL', KEYS[5], ARGV[2])
if acked == 1 then
  local t = redis.call('TIME')
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', {DONE_MAXLEN}, '*', 'event', ARGV[3], 'id', ARGV[2],
    'consumer', ARGV[4], 'at_ms', tostring(t[1] * 1000 + math.floor(t[2] / 1000)),
    'started_ms', ARGV[6])
end
if ARGV[5] ~= '' and redis.call('GET', KEYS[6]) == ARGV[5] then redis.call('DEL', KEYS[6]) end
return acked
"""

# KEYS: stream, queue, dead, attempts, errors, lease.
# ARGV: group, stream id, raw event, error, attempts, deliveries, consumer, lease token.
DEAD_LETTER = f"""
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if acked == 1 then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', {DONE_MAXLEN}, '*', 'id', ARGV[2],
    'event', ARGV[3], 'error', ARGV[4], 'attempts', ARGV[5], 'deliveries', ARGV[6],
    'consumer', ARGV[7])
end
redis.call('LREM', KEYS[2], 1, ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[2])
redis.call('HDEL', KEYS[5], ARGV[2])
if ARGV[8] ~= '' and redis.call('GET', KEYS[6]) == ARGV[8] then redis.call('DEL', KEYS[6]) end
return acked
"""

# KEYS: lease. ARGV: token, ttl ms.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS: lease. ARGV: token.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: stream. ARGV: group, consumer, count.
# Resets the idle time of the consumer's own pending entries (XCLAIM JUSTID does not count a
# delivery), in one script so that an entry another consumer took meanwhile is not stolen back.
TOUCH = """
local mine = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', tonumber(ARGV[3]), ARGV[2])
if #mine == 0 then return {} end
local ids = {}
for i, entry in ipairs(mine) do ids[i] = entry[1] end
return redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(ids), 'JUSTID')
"""

# KEYS: version, effect, effects log, lease, then the hashes written (one or more).
# ARGV: expected version, lease token, effect record, effect ttl ms, operation, event id,
#       targets, then for each hash of KEYS: n, then n (field, json) pairs.
# One commit of shared state (retail records, listings, campaigns): the records, the effect's
# idempotency record and its log entry together, only if nobody committed since the change
# read the state (version) and this worker still holds the thread's lease (fencing). Returns
# 'ok', 'version', 'fenced' or the recorded effect ('done' first) when the effect was applied
# meanwhile.
COMMIT = """
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return {'version'} end
if ARGV[2] ~= '' and redis.call('GET', KEYS[4]) ~= ARGV[2] then return {'fenced'} end
if ARGV[3] ~= '' then
  local found = redis.call('GET', KEYS[2])
  if found then return {'done', found} end
end
local at = 8
for k = 5, #KEYS do
  local n = tonumber(ARGV[at])
  for i = 1, n do
    redis.call('HSET', KEYS[k], ARGV[at + 2 * i - 1], ARGV[at + 2 * i])
  end
  at = at + 2 * n + 1
end
redis.call('INCR', KEYS[1])
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', 1000000, '*', 'key', KEYS[2], 'op', ARGV[5],
    'event', ARGV[6], 'targets', ARGV[7])
end
return {'ok'}
"""
