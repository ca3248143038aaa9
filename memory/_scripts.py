"""Lua scripts of the Redis checkpointer: each call is one atomic round trip.

Every script receives the keys of one thread (see `_keys.ThreadKeys`, in that order), which
share a hash tag, so the scripts run unchanged on a Redis Cluster. Members of the checkpoint
index are `checkpoint_ns NUL checkpoint_id`; blob fields are `checkpoint_ns NUL channel NUL
version`; write fields are `member NUL task_id NUL idx`. A list blob may be a delta: its
`ln` entry reads `count NUL hash NUL base_version` and its value holds only the items
appended since `base_version` (an empty base marks a full value).
"""

from __future__ import annotations

from ._redis import LUA_CHECK_TYPE

__all__ = ["DROP", "LOAD", "PUT", "PUT_WRITES", "RESTORE", "SNAPSHOT"]

_TYPES = "local TYPES = {'zset','hash','hash','hash','hash','hash','zset','hash','zset'}\n"

_COMMON = (
    LUA_CHECK_TYPE
    + _TYPES
    + r"""
local NUL = string.char(0)
local function check_all()
  for i = 1, #KEYS do
    local err = shopcrew_check_type(KEYS[i], TYPES[i])
    if err then return err end
  end
  return nil
end
local function split(s)
  local out, pos = {}, 1
  if s == nil or s == '' then return out end
  while true do
    local at = string.find(s, NUL, pos, true)
    if not at then out[#out + 1] = string.sub(s, pos); return out end
    out[#out + 1] = string.sub(s, pos, at - 1)
    pos = at + 1
  end
end
local function ns_of(member)
  local at = string.find(member, NUL, 1, true)
  return string.sub(member, 1, at - 1)
end
local function base_of(ln)
  local p = split(ln)
  return p[3] or ''
end
local function touch(ttl)
  if ttl > 0 then
    for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end
local function writes_of(member)
  return redis.call('ZRANGEBYLEX', KEYS[7], '[' .. member .. NUL, '[' .. member .. NUL .. '\255')
end
"""
)

PUT = (
    _COMMON
    + r"""
-- ARGV: cns, cid, record, cv, run_id, ttl_ms, thread_id, score, n, then 8 per blob:
-- channel, version, payload, base, count, hash, base_count, base_hash
local err = check_all()
if err then return err end
local cns, cid = ARGV[1], ARGV[2]
local n = tonumber(ARGV[9])
local resend = {}
for i = 0, n - 1 do
  local b = 10 + i * 8
  local base = ARGV[b + 3]
  if base ~= '' then
    local ln = redis.call('HGET', KEYS[5], cns .. NUL .. ARGV[b] .. NUL .. base)
    local want = ARGV[b + 6] .. NUL .. ARGV[b + 7] .. NUL
    if (not ln) or string.sub(ln, 1, #want) ~= want then resend[#resend + 1] = ARGV[b] end
  end
end
if #resend > 0 then return {'RESEND', resend} end
for i = 0, n - 1 do
  local b = 10 + i * 8
  local f = cns .. NUL .. ARGV[b] .. NUL .. ARGV[b + 1]
  redis.call('HSET', KEYS[4], f, ARGV[b + 2])
  if ARGV[b + 4] ~= '' then
    redis.call('HSET', KEYS[5], f, ARGV[b + 4] .. NUL .. ARGV[b + 5] .. NUL .. ARGV[b + 3])
  else
    redis.call('HDEL', KEYS[5], f)
  end
end
local member = cns .. NUL .. cid
redis.call('ZADD', KEYS[1], 0, member)
redis.call('HSET', KEYS[2], member, ARGV[3])
redis.call('HSET', KEYS[3], member, ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[6], member, ARGV[5]) end
if #KEYS >= 9 then redis.call('ZADD', KEYS[9], 'NX', ARGV[8], ARGV[7]) end
touch(tonumber(ARGV[6]))
return 'OK'
"""
)

PUT_WRITES = (
    _COMMON
    + r"""
-- ARGV: ttl_ms, n, then 3 per write: field, value, overwrite ('1' for special writes)
local err = check_all()
if err then return err end
local n = tonumber(ARGV[2])
for i = 0, n - 1 do
  local b = 3 + i * 3
  if ARGV[b + 2] == '1' then
    redis.call('HSET', KEYS[8], ARGV[b], ARGV[b + 1])
  else
    redis.call('HSETNX', KEYS[8], ARGV[b], ARGV[b + 1])
  end
  redis.call('ZADD', KEYS[7], 0, ARGV[b])
end
touch(tonumber(ARGV[1]))
return 'OK'
"""
)

LOAD = (
    _COMMON
    + r"""
-- ARGV: cns, cid ('' = any), before ('' = none), offset, count,
-- all_ns ('1' = every checkpoint namespace), single ('1' = just the checkpoint cns/cid),
-- then (get_tuple only) the number of hints and 3 per hint: channel, version, hash.
-- Returns {scanned, entry...}; entry = {member, record, {field, write...}, blobs};
-- blobs = {{channel, ln or '', segment (newest first)...}...}; a last segment 'C' says
-- the walk reached the hinted version with the hinted hash: the client holds the rest.
local hints = {}
for i = 0, tonumber(ARGV[8] or '0') - 1 do
  local b = 9 + i * 3
  hints[ARGV[b]] = {ARGV[b + 1], ARGV[b + 2]}
end
local function hash_of(ln)
  local p = split(ln)
  return p[2] or ''
end
local function load(member)
  local rec = redis.call('HGET', KEYS[2], member)
  if not rec then return nil end
  local cns = ns_of(member)
  local cv = split(redis.call('HGET', KEYS[3], member) or '')
  local blobs = {}
  for i = 1, #cv, 2 do
    local ch, ver = cv[i], cv[i + 1]
    local hint = hints[ch]
    local f = cns .. NUL .. ch .. NUL .. ver
    local ln = redis.call('HGET', KEYS[5], f)
    local segs = {ch, ln or ''}
    while true do
      if hint and ln and ver == hint[1] and hash_of(ln) == hint[2] then
        segs[#segs + 1] = 'C'
        break
      end
      local s = redis.call('HGET', KEYS[4], f)
      if not s then
        if #segs == 2 then segs = nil; break end
        return redis.error_reply('SHOPCREW_BROKEN_CHAIN ' .. f)
      end
      segs[#segs + 1] = s
      local base = ln and base_of(ln) or ''
      if base == '' then break end
      ver = base
      f = cns .. NUL .. ch .. NUL .. base
      ln = redis.call('HGET', KEYS[5], f)
    end
    if segs then blobs[#blobs + 1] = segs end
  end
  local wf = writes_of(member)
  local writes = {}
  for i = 1, #wf do
    writes[#writes + 1] = wf[i]
    writes[#writes + 1] = redis.call('HGET', KEYS[8], wf[i]) or ''
  end
  return {member, rec, writes, blobs}
end

local cns, cid, before = ARGV[1], ARGV[2], ARGV[3]
local offset, count = tonumber(ARGV[4]), tonumber(ARGV[5])
local all_ns, single = ARGV[6] == '1', ARGV[7] == '1'
local out = {0}
if single then
  local e = load(cns .. NUL .. cid)
  if type(e) == 'table' and e.err then return e end
  if e then out[#out + 1] = e end
  return out
end
local members
if all_ns then
  members = redis.call('ZREVRANGE', KEYS[1], offset, offset + count - 1)
else
  local hi = '[' .. cns .. NUL .. '\255'
  if before ~= '' then hi = '(' .. cns .. NUL .. before end
  members = redis.call('ZREVRANGEBYLEX', KEYS[1], hi, '[' .. cns .. NUL, 'LIMIT', offset, count)
end
out[1] = #members
for _, m in ipairs(members) do
  local id = string.sub(m, #ns_of(m) + 2)
  if (before == '' or id < before) and (cid == '' or id == cid) then
    local e = load(m)
    if type(e) == 'table' and e.err then return e end
    if e then out[#out + 1] = e end
  end
end
return out
"""
)

DROP = (
    _COMMON
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
    _COMMON
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
    _COMMON
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
