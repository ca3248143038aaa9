"""Lua scripts of the Redis checkpointer's hot path: each call is one atomic round trip.

Every script receives the keys of one thread (see `_keys.ThreadKeys`, in that order), which
share a hash tag, so the scripts run unchanged on a Redis Cluster. Members of the checkpoint
index are `checkpoint_ns NUL checkpoint_id`; blob fields are `checkpoint_ns NUL channel NUL
version`; write fields are `member NUL task_id NUL idx`. A list blob may be a delta: its
`ln` entry reads `count NUL hash NUL base_version` and its value holds only the items
appended since `base_version` (an empty base marks a full value).

Key types are checked once per thread and saver, not on every call: the writing scripts
check every key of the thread (`TYPE`) only when the client says it has not yet seen the
thread (a `check` argument of `'1'`). A key turned into another type behind the saver's back
later still fails the next write with a typed error; such a write stores its checkpoint in
the index last, so it never lists a checkpoint it did not store whole.
"""

from __future__ import annotations

from shopcrew.memory._redis import LUA_CHECK_TYPE

__all__ = ["COMMON", "HISTORY", "LOAD", "PUT", "PUT_WRITES"]

_TYPES = "local TYPES = {'zset','hash','hash','hash','hash','hash','zset','hash','zset'}\n"

COMMON = (
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
local function hash_of(ln)
  local p = split(ln)
  return p[2] or ''
end
local function touch(ttl)
  if ttl > 0 then
    for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end
-- One command per 1000 arguments: Lua's unpack has a bounded stack.
local function many(cmd, key, args)
  local out = {}
  for i = 1, #args, 1000 do
    local part = redis.call(cmd, key, unpack(args, i, math.min(i + 999, #args)))
    if type(part) == 'table' then
      for j = 1, #part do out[#out + 1] = part[j] end
    end
  end
  return out
end
local function writes_of(member)
  return redis.call('ZRANGEBYLEX', KEYS[7], '[' .. member .. NUL, '[' .. member .. NUL .. '\255')
end
-- The writes of one checkpoint as {field, value, ...}, one HMGET for all of them.
local function writes_with_values(member)
  local wf = writes_of(member)
  local out = {}
  if #wf == 0 then return out end
  local values = many('HMGET', KEYS[8], wf)
  for i = 1, #wf do
    out[#out + 1] = wf[i]
    out[#out + 1] = values[i] or ''
  end
  return out
end
-- The segments of one channel value, newest first: {channel, ln or '', segment...}; a last
-- segment 'C' when the walk reached `hint` ({version, hash}): the client holds the rest.
-- nil when the channel has no blob at that version.
local function segments(cns, ch, ver, ln, hint)
  local f = cns .. NUL .. ch .. NUL .. ver
  local segs = {ch, ln or ''}
  while true do
    if hint and ln and ver == hint[1] and hash_of(ln) == hint[2] then
      segs[#segs + 1] = 'C'
      return segs
    end
    local s = redis.call('HGET', KEYS[4], f)
    if not s then
      if #segs == 2 then return nil end
      return redis.error_reply('SHOPCREW_BROKEN_CHAIN ' .. f)
    end
    segs[#segs + 1] = s
    local base = ln and base_of(ln) or ''
    if base == '' then return segs end
    ver = base
    f = cns .. NUL .. ch .. NUL .. base
    ln = redis.call('HGET', KEYS[5], f)
  end
end
"""
)

PUT = (
    COMMON
    + r"""
-- ARGV: cns, cid, record, cv, run_id, ttl_ms, thread_id, score, n, check, then 8 per blob:
-- channel, version, payload, base, count, hash, base_count, base_hash
if ARGV[10] == '1' then
  local err = check_all()
  if err then return err end
end
local cns, cid = ARGV[1], ARGV[2]
local n = tonumber(ARGV[9])
local deltas, wants = {}, {}
for i = 0, n - 1 do
  local b = 11 + i * 8
  if ARGV[b + 3] ~= '' then
    deltas[#deltas + 1] = cns .. NUL .. ARGV[b] .. NUL .. ARGV[b + 3]
    wants[#wants + 1] = {ARGV[b], ARGV[b + 6] .. NUL .. ARGV[b + 7] .. NUL}
  end
end
if #deltas > 0 then
  local lns = many('HMGET', KEYS[5], deltas)
  local resend = {}
  for i = 1, #deltas do
    local want = wants[i][2]
    if (not lns[i]) or string.sub(lns[i], 1, #want) ~= want then
      resend[#resend + 1] = wants[i][1]
    end
  end
  if #resend > 0 then return {'RESEND', resend} end
end
local blobs, links, unlinked = {}, {}, {}
for i = 0, n - 1 do
  local b = 11 + i * 8
  local f = cns .. NUL .. ARGV[b] .. NUL .. ARGV[b + 1]
  blobs[#blobs + 1] = f
  blobs[#blobs + 1] = ARGV[b + 2]
  if ARGV[b + 4] ~= '' then
    links[#links + 1] = f
    links[#links + 1] = ARGV[b + 4] .. NUL .. ARGV[b + 5] .. NUL .. ARGV[b + 3]
  else
    unlinked[#unlinked + 1] = f
  end
end
if #blobs > 0 then many('HSET', KEYS[4], blobs) end
if #links > 0 then many('HSET', KEYS[5], links) end
if #unlinked > 0 then many('HDEL', KEYS[5], unlinked) end
local member = cns .. NUL .. cid
redis.call('HSET', KEYS[2], member, ARGV[3])
redis.call('HSET', KEYS[3], member, ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[6], member, ARGV[5]) end
redis.call('ZADD', KEYS[1], 0, member)
if #KEYS >= 9 then redis.call('ZADD', KEYS[9], 'NX', ARGV[8], ARGV[7]) end
touch(tonumber(ARGV[6]))
return 'OK'
"""
)

PUT_WRITES = (
    COMMON
    + r"""
-- ARGV: ttl_ms, n, check, then 3 per write: field, value, overwrite ('1' for special writes)
if ARGV[3] == '1' then
  local err = check_all()
  if err then return err end
end
local n = tonumber(ARGV[2])
local forced, members = {}, {}
for i = 0, n - 1 do
  local b = 4 + i * 3
  if ARGV[b + 2] == '1' then
    forced[#forced + 1] = ARGV[b]
    forced[#forced + 1] = ARGV[b + 1]
  else
    redis.call('HSETNX', KEYS[8], ARGV[b], ARGV[b + 1])
  end
  members[#members + 1] = 0
  members[#members + 1] = ARGV[b]
end
if #forced > 0 then many('HSET', KEYS[8], forced) end
if #members > 0 then many('ZADD', KEYS[7], members) end
touch(tonumber(ARGV[1]))
return 'OK'
"""
)

LOAD = (
    COMMON
    + r"""
-- ARGV: cns, cid ('' = any), before ('' = none), offset, count,
-- all_ns ('1' = every checkpoint namespace), single ('1' = just the checkpoint cns/cid),
-- then (get_tuple only) the number of hints and 3 per hint: channel, version, hash.
-- Returns {scanned, entry...}; entry = {member, record, {field, write...}, blobs};
-- blobs = {{channel, ln or '', segment (newest first)...}...} (see `segments`).
local hints = {}
for i = 0, tonumber(ARGV[8] or '0') - 1 do
  local b = 9 + i * 3
  hints[ARGV[b]] = {ARGV[b + 1], ARGV[b + 2]}
end
local function load(member)
  local rec = redis.call('HGET', KEYS[2], member)
  if not rec then return nil end
  local cns = ns_of(member)
  local cv = split(redis.call('HGET', KEYS[3], member) or '')
  local blobs = {}
  if #cv > 0 then
    local fields = {}
    for i = 1, #cv, 2 do fields[#fields + 1] = cns .. NUL .. cv[i] .. NUL .. cv[i + 1] end
    local lns = many('HMGET', KEYS[5], fields)
    for i = 1, #cv, 2 do
      local segs = segments(cns, cv[i], cv[i + 1], lns[(i + 1) / 2], hints[cv[i]])
      if type(segs) == 'table' and segs.err then return segs end
      if segs then blobs[#blobs + 1] = segs end
    end
  end
  return {member, rec, writes_with_values(member), blobs}
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

HISTORY = (
    COMMON
    + r"""
-- ARGV: cns, cid ('' = the latest), then the channel names.
-- Walks the parent chain of the target checkpoint (its own writes excluded), nearest
-- ancestor first, and returns per ancestor {checkpoint_id, {field, write...}, seeds}: the
-- writes of the channels still walked, and seeds = {{channel, ln, segment...}...}, the
-- channels whose value is stored there (not the empty marker). A channel's walk ends at its
-- seed, whose own writes are still returned; the walk ends when no channel is left.
local function u32(s, p)
  local a, b, c, d = string.byte(s, p, p + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end
local function parent_of(member, rec)
  if string.sub(rec, 1, 4) ~= 'SCP1' then
    return nil, redis.error_reply('SHOPCREW_FORMAT checkpoint ' .. member)
  end
  local p = 5
  for _ = 1, 4 do p = p + 4 + u32(rec, p) end
  return string.sub(rec, p + 4, p + 3 + u32(rec, p))
end
local function channel_of(write)
  local p = 9 + u32(write, 5)
  return string.sub(write, p + 4, p + 3 + u32(write, p))
end
local cns, cid = ARGV[1], ARGV[2]
local walking, left = {}, 0
for i = 3, #ARGV do
  if not walking[ARGV[i]] then walking[ARGV[i]] = true; left = left + 1 end
end
local member = cns .. NUL .. cid
if cid == '' then
  local m = redis.call('ZREVRANGEBYLEX', KEYS[1], '[' .. cns .. NUL .. '\255', '[' .. cns .. NUL,
    'LIMIT', 0, 1)
  if #m == 0 then return {} end
  member = m[1]
end
local rec = redis.call('HGET', KEYS[2], member)
if not rec then return {} end
local out, seen = {}, {[member] = true}
local parent, err = parent_of(member, rec)
if err then return err end
while parent ~= '' and left > 0 do
  member = cns .. NUL .. parent
  if seen[member] then break end
  seen[member] = true
  rec = redis.call('HGET', KEYS[2], member)
  if not rec then break end
  local cv = split(redis.call('HGET', KEYS[3], member) or '')
  local fields, chans, vers = {}, {}, {}
  for i = 1, #cv, 2 do
    if walking[cv[i]] then
      chans[#chans + 1], vers[#vers + 1] = cv[i], cv[i + 1]
      fields[#fields + 1] = cns .. NUL .. cv[i] .. NUL .. cv[i + 1]
    end
  end
  local seeds, found = {}, {}
  if #fields > 0 then
    local stored = many('HMGET', KEYS[4], fields)
    for j = 1, #fields do
      if stored[j] and stored[j] ~= 'E' then
        local segs = segments(cns, chans[j], vers[j], redis.call('HGET', KEYS[5], fields[j]), nil)
        if type(segs) == 'table' and segs.err then return segs end
        seeds[#seeds + 1] = segs
        found[#found + 1] = chans[j]
      end
    end
  end
  local all, writes = writes_with_values(member), {}
  for i = 1, #all, 2 do
    if all[i + 1] ~= '' and walking[channel_of(all[i + 1])] then
      writes[#writes + 1] = all[i]
      writes[#writes + 1] = all[i + 1]
    end
  end
  out[#out + 1] = {parent, writes, seeds}
  for _, ch in ipairs(found) do walking[ch] = nil; left = left - 1 end
  parent, err = parent_of(member, rec)
  if err then return err end
end
return out
"""
)
