"""Lua scripts of the Redis checkpointer's maintenance: delete by run or prune, copy a thread.

Same key order and field layout as the hot path's scripts (`_scripts`), whose helpers they
share. Copies are rare, so their scripts check every key's type on every call.
"""

from __future__ import annotations

from shopcrew.memory.saver._scripts import COMMON

__all__ = ["DROP", "RESTORE", "SNAPSHOT"]

DROP = (
    COMMON
    + r"""
-- ARGV: mode ('runs' | 'keep_latest' | 'all'), ttl_ms, run ids...
-- Deletes checkpoints with their writes, then blobs no remaining checkpoint reaches.
-- Returns the number of checkpoints left in the thread.
local mode = ARGV[1]
if mode == 'all' then
  for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
  return 0
end
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local doomed = {}
if mode == 'runs' then
  local runs = {}
  for i = 3, #ARGV do runs[ARGV[i]] = true end
  for _, m in ipairs(members) do
    local r = redis.call('HGET', KEYS[6], m)
    if r and runs[r] then doomed[m] = true end
  end
else
  for i, m in ipairs(members) do
    local nxt = members[i + 1]
    if nxt and ns_of(nxt) == ns_of(m) then doomed[m] = true end
  end
end
local any = false
for m, _ in pairs(doomed) do
  any = true
  redis.call('ZREM', KEYS[1], m)
  redis.call('HDEL', KEYS[2], m)
  redis.call('HDEL', KEYS[3], m)
  redis.call('HDEL', KEYS[6], m)
  local wf = writes_of(m)
  for i = 1, #wf do
    redis.call('HDEL', KEYS[8], wf[i])
    redis.call('ZREM', KEYS[7], wf[i])
  end
end
if any then
  local live = {}
  for _, m in ipairs(members) do
    if not doomed[m] then
      local cns = ns_of(m)
      local cv = split(redis.call('HGET', KEYS[3], m) or '')
      for i = 1, #cv, 2 do
        local f = cns .. NUL .. cv[i] .. NUL .. cv[i + 1]
        while f and not live[f] do
          live[f] = true
          local ln = redis.call('HGET', KEYS[5], f)
          local base = ln and base_of(ln) or ''
          if base == '' then f = nil else f = cns .. NUL .. cv[i] .. NUL .. base end
        end
      end
    end
  end
  for _, f in ipairs(redis.call('HKEYS', KEYS[4])) do
    if not live[f] then
      redis.call('HDEL', KEYS[4], f)
      redis.call('HDEL', KEYS[5], f)
    end
  end
end
touch(tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])
"""
)

SNAPSHOT = (
    COMMON
    + r"""
-- Returns the DUMP of every key of the thread (nil where a key is missing): one atomic
-- read, so a copy never mixes two states of a thread that is being written meanwhile.
local err = check_all()
if err then return err end
local out = {}
for i = 1, 8 do out[i] = redis.call('DUMP', KEYS[i]) or false end
return out
"""
)

RESTORE = (
    COMMON
    + r"""
-- ARGV: ttl_ms, thread_id, score, then one DUMP per key ('' = missing).
-- Replaces the thread with the dumped one in one atomic step: readers see the old thread
-- or the whole copy, never a part of it. Keys of a foreign type abort before any write.
local err = check_all()
if err then return err end
local ttl = tonumber(ARGV[1])
for i = 1, 8 do
  redis.call('DEL', KEYS[i])
  local dumped = ARGV[3 + i]
  if dumped ~= '' then redis.call('RESTORE', KEYS[i], ttl, dumped, 'REPLACE') end
end
if #KEYS >= 9 then
  redis.call('ZADD', KEYS[9], 'NX', ARGV[3], ARGV[2])
  touch(ttl)
end
return 'OK'
"""
)
