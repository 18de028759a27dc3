"""Lua scripts of the Redis store: each change is one script, one round trip, atomic.

Conventions: a missing value is the empty string; ``base`` is the key
prefix (``{prefix}:``) for keys a script derives from a stored value (the
queue of a call), which stays in the same cluster slot thanks to the hash
tag; the last two arguments of a mutating script are the event's JSON (empty
for none) and the event log's approximate length cap.
"""

from __future__ import annotations

_EMIT = """
local function emit(stream, body, maxlen)
  if body ~= '' then
    redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'e', body)
  end
end
"""

# KEYS: agent hash, agents set, events
# ARGV: id, state, reason, since, skills json, call, node, expected version ('' = any), event, maxlen
# -> {1, version} or {-2, current version}
PUT_AGENT = _EMIT + """
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if ARGV[8] ~= '' and tonumber(ARGV[8]) ~= v then return {-2, v} end
v = v + 1
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'reason', ARGV[3], 'since', ARGV[4], 'skills', ARGV[5],
  'call', ARGV[6], 'node', ARGV[7], 'version', v)
redis.call('SADD', KEYS[2], ARGV[1])
emit(KEYS[3], ARGV[9], ARGV[10])
return {1, v}
"""

# KEYS: agent hash, agents set, events; ARGV: id, event, maxlen -> 1 removed, 0 unknown
REMOVE_AGENT = _EMIT + """
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
emit(KEYS[3], ARGV[2], ARGV[3])
return 1
"""

# KEYS: agent hash, events
# ARGV: state, reason, at, call ('' = keep or clear), keeps call ('1'/'0'), node ('' = keep),
#       expected version ('' = any), event, maxlen
# -> {1, fields} or {-1} unknown or {-2, current version}
SET_STATE = _EMIT + """
local cur = redis.call('HMGET', KEYS[1], 'version', 'call')
if not cur[1] then return {-1} end
if ARGV[7] ~= '' and tonumber(ARGV[7]) ~= tonumber(cur[1]) then return {-2, tonumber(cur[1])} end
local call = ARGV[4]
if call == '' and ARGV[5] == '1' then call = cur[2] end
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'reason', ARGV[2], 'since', ARGV[3], 'call', call)
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'node', ARGV[6]) end
emit(KEYS[2], ARGV[8], ARGV[9])
return {1, redis.call('HGETALL', KEYS[1])}
"""

# KEYS: agent hash, events; ARGV: call, node, at, expected state, event, maxlen -> 1 reserved, 0 not
# A replay (same call, same node, still reserved) answers 1 without a second change.
RESERVE = _EMIT + """
local cur = redis.call('HMGET', KEYS[1], 'state', 'call', 'node')
if not cur[1] then return 0 end
if cur[1] == 'reserved' and cur[2] == ARGV[1] and cur[3] == ARGV[2] then return 1 end
if cur[1] ~= ARGV[4] or cur[2] ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'reserved', 'reason', '', 'since', ARGV[3], 'call', ARGV[1], 'node', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'version', 1)
emit(KEYS[2], ARGV[5], ARGV[6])
return 1
"""

# KEYS: agent hash, events; ARGV: call, at, new state, reason, event, maxlen -> 1 released, 0 not tied
RELEASE = _EMIT + """
if redis.call('HGET', KEYS[1], 'call') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'reason', ARGV[4], 'since', ARGV[2], 'call', '')
redis.call('HINCRBY', KEYS[1], 'version', 1)
emit(KEYS[2], ARGV[5], ARGV[6])
return 1
"""

# KEYS: call hash, queues set, seq counter, events
# ARGV: id, queue, key, at, node, base, event, maxlen -> the call's fields
ENQUEUE = _EMIT + """
local cur = redis.call('HMGET', KEYS[1], 'queue', 'claimed')
if cur[1] then
  if cur[2] == '' then redis.call('ZREM', ARGV[6] .. 'waiting:' .. cur[1], ARGV[1]) end
  redis.call('HSET', KEYS[1], 'queue', ARGV[2], 'key', ARGV[3], 'claimed', '', 'agent', '')
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'node', ARGV[5]) end
else
  local seq = redis.call('INCR', KEYS[3])
  redis.call('HSET', KEYS[1], 'queue', ARGV[2], 'key', ARGV[3], 'at', ARGV[4], 'node', ARGV[5],
    'seq', seq, 'claimed', '', 'agent', '')
end
redis.call('ZADD', ARGV[6] .. 'waiting:' .. ARGV[2], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
emit(KEYS[4], ARGV[7], ARGV[8])
return redis.call('HGETALL', KEYS[1])
"""

# KEYS: call hash, events; ARGV: id, node, base, event, maxlen -> the call's fields, or nil
CLAIM = _EMIT + """
local cur = redis.call('HMGET', KEYS[1], 'queue', 'claimed', 'agent')
if not cur[1] then return false end
if cur[2] ~= '' then
  if cur[2] == ARGV[2] and cur[3] == '' then return redis.call('HGETALL', KEYS[1]) end
  return false
end
redis.call('ZREM', ARGV[3] .. 'waiting:' .. cur[1], ARGV[1])
redis.call('HSET', KEYS[1], 'claimed', ARGV[2])
emit(KEYS[2], ARGV[4], ARGV[5])
return redis.call('HGETALL', KEYS[1])
"""

# KEYS: agent hash, call hash, events
# ARGV: call, agent, node, at, expected state, base, event, maxlen
# -> 'assigned' | 'agent_unavailable' | 'call_unavailable'
ASSIGN = _EMIT + """
local c = redis.call('HMGET', KEYS[2], 'queue', 'claimed', 'agent')
if not c[1] then return 'call_unavailable' end
local replay = false
if c[2] ~= '' then
  if c[2] ~= ARGV[3] or c[3] ~= ARGV[2] then return 'call_unavailable' end
  replay = true
end
local a = redis.call('HMGET', KEYS[1], 'state', 'call', 'node')
if not a[1] then return 'agent_unavailable' end
if a[1] == 'reserved' and a[2] == ARGV[1] and a[3] == ARGV[3] then
  if replay then return 'assigned' end
elseif a[1] ~= ARGV[5] or a[2] ~= '' then
  return 'agent_unavailable'
end
redis.call('ZREM', ARGV[6] .. 'waiting:' .. c[1], ARGV[1])
redis.call('HSET', KEYS[2], 'claimed', ARGV[3], 'agent', ARGV[2])
redis.call('HSET', KEYS[1], 'state', 'reserved', 'reason', '', 'since', ARGV[4], 'call', ARGV[1], 'node', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'version', 1)
emit(KEYS[3], ARGV[7], ARGV[8])
return 'assigned'
"""

# KEYS: call hash, events; ARGV: id, base, event, maxlen -> 1 removed, 0 unknown
REMOVE_CALL = _EMIT + """
local q = redis.call('HGET', KEYS[1], 'queue')
if not q then return 0 end
redis.call('ZREM', ARGV[2] .. 'waiting:' .. q, ARGV[1])
redis.call('DEL', KEYS[1])
emit(KEYS[2], ARGV[3], ARGV[4])
return 1
"""

# KEYS: counters hash, queues set, events; ARGV: queue, counter, by, event, maxlen -> new value
INCR = _EMIT + """
local v = redis.call('HINCRBY', KEYS[1], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
emit(KEYS[3], ARGV[4], ARGV[5])
return v
"""

# KEYS: waiting zset; ARGV: base -> {{id, fields}, ...} in score order
WAITING = """
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  table.insert(out, {id, redis.call('HGETALL', ARGV[1] .. 'call:' .. id)})
end
return out
"""

# KEYS: agents set, queues set; ARGV: base, with queues ('1'/'0')
# -> {{{id, fields}, ...}, {{queue, {{call id, fields}, ...}, counter fields}, ...}}
# One script, so a supervisor sees one consistent moment.
SNAPSHOT = """
local agents = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  table.insert(agents, {id, redis.call('HGETALL', ARGV[1] .. 'agent:' .. id)})
end
local queues = {}
if ARGV[2] == '1' then
  for _, q in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    local calls = {}
    for _, id in ipairs(redis.call('ZRANGE', ARGV[1] .. 'waiting:' .. q, 0, -1)) do
      table.insert(calls, {id, redis.call('HGETALL', ARGV[1] .. 'call:' .. id)})
    end
    table.insert(queues, {q, calls, redis.call('HGETALL', ARGV[1] .. 'counters:' .. q)})
  end
end
return {agents, queues}
"""
