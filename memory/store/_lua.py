"""The Lua scripts of `RedisStore`: a batch's reads, its writes, and a write plus a stream entry.

All declare the store's fixed keys (idx, order, exp, seq) and build the per-namespace keys
from `ARGV[1]`, the store's key prefix; every key carries the same hash tag, so a script
stays within one cluster slot. All first drop expired items (bounded per call), so no read
returns an item past its TTL. Scripts check key types before writing: a key of a type we did
not write aborts the script with `SHOPCREW_WRONGTYPE` and nothing is overwritten.

Read ops (`ARGV[2:]`, flat): `g ns key refresh` -> the item field or nil;
`s prefix want_vectors` -> `[ns, order, {items}, {vectors}]...`; `l lexprefix` -> namespaces.
Write ops: `p ns key json ttl_ms vmode vblob` (vmode `k`eep, `s`et, `d`elete vectors),
`d ns key` (delete), `t ns key` (refresh the TTL).
"""

from __future__ import annotations

import hashlib

from shopcrew.memory._redis import LUA_CHECK_TYPE

__all__ = ["POST_SCRIPT", "READ_SCRIPT", "WRITE_SCRIPT", "sha1"]

_PRELUDE = (
    LUA_CHECK_TYPE
    + r"""
local base = ARGV[1]
local function must(key, expected)
  local err = shopcrew_check_type(key, expected)
  if err then error(err['err']) end
end
must(KEYS[1], 'zset'); must(KEYS[2], 'zset'); must(KEYS[3], 'zset'); must(KEYS[4], 'string')
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local now_us = t[1] .. string.format('%06d', tonumber(t[2]))

local function ikey(ns) return base .. 'i:' .. ns end
local function vkey(ns) return base .. 'v:' .. ns end

local function remove(ns, key)
  redis.call('ZREM', KEYS[3], ns .. '\0' .. key)
  if redis.call('HDEL', ikey(ns), key) == 1 then
    redis.call('HDEL', vkey(ns), key)
    if redis.call('HLEN', ikey(ns)) == 0 then
      redis.call('ZREM', KEYS[1], ns)
      redis.call('ZREM', KEYS[2], ns)
      redis.call('DEL', vkey(ns))
    end
  end
end

local function touch(ns, key, field)
  local ttl = tonumber(string.match(field, '^%d+|%d+|%d+|(%d*)|'))
  if ttl and ttl > 0 then
    redis.call('ZADD', KEYS[3], 'XX', now_ms + ttl, ns .. '\0' .. key)
  end
end

local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now_ms, 'LIMIT', 0, 1000)
for _, member in ipairs(expired) do
  local at = string.find(member, '\0', 1, true)
  local ns = string.sub(member, 1, at - 1)
  must(ikey(ns), 'hash'); must(vkey(ns), 'hash')
  remove(ns, string.sub(member, at + 1))
end
"""
)

READ_SCRIPT = (
    _PRELUDE
    + r"""
local out = {}
local i = 2
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'g' then
    local ns, key = ARGV[i + 1], ARGV[i + 2]
    must(ikey(ns), 'hash')
    local field = redis.call('HGET', ikey(ns), key)
    if field and ARGV[i + 3] == '1' then touch(ns, key, field) end
    out[#out + 1] = field
    i = i + 4
  elseif op == 's' or op == 'l' then
    local prefix = ARGV[i + 1]
    local members
    if prefix == '' then
      members = redis.call('ZRANGE', KEYS[1], 0, -1)
    else
      members = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. prefix, '[' .. prefix .. '\255')
    end
    if op == 'l' then
      out[#out + 1] = members
      i = i + 2
    else
      local found = {}
      for _, ns in ipairs(members) do
        if prefix == '' or ns == prefix or string.sub(ns, 1, #prefix + 1) == prefix .. '.' then
          must(ikey(ns), 'hash')
          found[#found + 1] = ns
          found[#found + 1] = redis.call('ZSCORE', KEYS[2], ns)
          found[#found + 1] = redis.call('HGETALL', ikey(ns))
          if ARGV[i + 2] == '1' then
            must(vkey(ns), 'hash')
            found[#found + 1] = redis.call('HGETALL', vkey(ns))
          else
            found[#found + 1] = {}
          end
        end
      end
      out[#out + 1] = found
      i = i + 3
    end
  else
    error('unknown read op ' .. tostring(op))
  end
end
return out
"""
)

_WRITE_OPS = r"""
local function write_ops(first)
  local i = first
  while i <= #ARGV do
    must(ikey(ARGV[i + 1]), 'hash'); must(vkey(ARGV[i + 1]), 'hash')
    if ARGV[i] == 'p' then i = i + 7 else i = i + 3 end
  end
  i = first
  local written = 0
  while i <= #ARGV do
    local op, ns, key = ARGV[i], ARGV[i + 1], ARGV[i + 2]
    if op == 'p' then
      local value, ttl, vmode, vblob = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
      local old = redis.call('HGET', ikey(ns), key)
      local seq, created
      if old then
        seq, created = string.match(old, '^(%d+)|(%d+)|')
      else
        seq = tostring(redis.call('INCR', KEYS[4]))
        created = now_us
        if redis.call('HLEN', ikey(ns)) == 0 then
          redis.call('ZADD', KEYS[1], 0, ns)
          redis.call('ZADD', KEYS[2], seq, ns)
        end
      end
      local field = seq .. '|' .. created .. '|' .. now_us .. '|' .. ttl .. '|' .. value
      redis.call('HSET', ikey(ns), key, field)
      if ttl ~= '' then
        redis.call('ZADD', KEYS[3], now_ms + tonumber(ttl), ns .. '\0' .. key)
      else
        redis.call('ZREM', KEYS[3], ns .. '\0' .. key)
      end
      if vmode == 's' then
        redis.call('HSET', vkey(ns), key, vblob)
      elseif vmode == 'd' then
        redis.call('HDEL', vkey(ns), key)
      end
      i = i + 7
    elseif op == 'd' then
      remove(ns, key)
      i = i + 3
    elseif op == 't' then
      local field = redis.call('HGET', ikey(ns), key)
      if field then touch(ns, key, field) end
      i = i + 3
    else
      error('unknown write op ' .. tostring(op))
    end
    written = written + 1
  end
  return written
end
"""

WRITE_SCRIPT = _PRELUDE + _WRITE_OPS + "return write_ops(2)\n"

POST_SCRIPT = (
    _PRELUDE
    + _WRITE_OPS
    + r"""
must(KEYS[5], 'stream')
write_ops(5)
return redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[2], '*', ARGV[3], ARGV[4])
"""
)
"""The write script's ops (from `ARGV[5]`) plus one stream entry, in one step.

`KEYS[5]` is the stream (same hash tag as the store); `ARGV[2]` its approximate maxlen,
`ARGV[3]` and `ARGV[4]` the entry's field and value. Every key type is checked before the
first write, so a foreign key aborts the script with nothing written.
"""


def sha1(script: str) -> str:
    """The SHA1 digest `EVALSHA` names a script by."""
    return hashlib.sha1(script.encode()).hexdigest()
