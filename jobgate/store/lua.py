"""Lua scripts run by the store, as named constants.

Each script is one atomic step on an execution record (a JSON string) and the
sorted-set indexes that list it. Index keys are built the same way as
`keys.index`: PREFIX .. tenant:definition:state:origin, `*` meaning any.
"""

#: Shared by the scripts below: add or remove one execution from the four
#: indexes that name its state (the state-agnostic four never change).
_INDEX_HELPERS = """
local function state_keys(prefix, x, state)
  local keys = {}
  for _, d in ipairs({x.definition_id, '*'}) do
    for _, o in ipairs({x.origin, '*'}) do
      table.insert(keys, prefix .. x.tenant .. ':' .. d .. ':' .. state .. ':' .. o)
    end
  end
  return keys
end
local function all_keys(prefix, x)
  local keys = state_keys(prefix, x, x.state)
  for _, k in ipairs(state_keys(prefix, x, '*')) do table.insert(keys, k) end
  return keys
end
"""

#: Shared by TRANSITION: the events a write causes, added to the tenant's stream and the
#: execution's (store.events documents the entries; Events.append writes the same from Python).
_EVENT_HELPERS = """
local function text(v) if v == nil or v == cjson.null then return '' end return tostring(v) end
local function listed(csv, v) return string.find(',' .. csv .. ',', ',' .. text(v) .. ',', 1, true) ~= nil end
local function emit(tenant_prefix, execution_prefix, maxlen, x, kind, data)
  local entry = {'type', kind, 'execution', x.id, 'tenant', x.tenant, 'definition', text(x.definition_id),
                 'origin', text(x.origin), 'state', x.state, 'data', cjson.encode(data)}
  redis.call('XADD', tenant_prefix .. x.tenant, 'MAXLEN', '~', maxlen, '*', unpack(entry))
  redis.call('XADD', execution_prefix .. x.id, 'MAXLEN', '~', maxlen, '*', unpack(entry))
end
--- progress first, then step starts and ends, then the state change: a terminal state is the last event
local function emit_all(argv, x, patch, old, old_steps, terminal)
  local function out(kind, data) emit(argv[10], argv[11], argv[12], x, kind, data) end
  if patch.progress ~= nil and patch.progress ~= cjson.null then out('progress', {progress = x.progress}) end
  if type(patch.steps) == 'table' then
    for i, step in ipairs(patch.steps) do
      local before = type(old_steps) == 'table' and old_steps[i] and old_steps[i].state or nil
      if step.state ~= before then
        if step.state == 'RUNNING' then out('step.started', {step = step, index = i - 1})
        elseif listed(terminal, step.state) and not listed(terminal, before) then
          out('step.ended', {step = step, index = i - 1})
        end
      end
    end
  end
  if old ~= x.state then
    out('state', {from = old, message = text(x.message), version = x.version})
  end
end
"""

#: Move an execution to a new state and/or patch its fields.
#: KEYS: 1 record, 2 heartbeat zset, 3 expiry zset
#: ARGV: 1 allowed current states "A,B" ("" any), 2 new state ("" keep),
#:       3 JSON patch, 4 expected version ("" any), 5 index prefix,
#:       6 now ms, 7 terminal states "A,B", 8 slot key prefix,
#:       9 retention ms (0: none): how long after its end a finished execution without an
#:         expiry of its own stays in the expiry index (its record shows no expiry),
#:       10 tenant event stream prefix, 11 execution event stream prefix, 12 their MAXLEN (~)
#: The change's events go to both streams in the same step (_EVENT_HELPERS).
#: Errors: NOTFOUND, VERSION <v>, CONFLICT <state>. Returns the new record.
TRANSITION = _INDEX_HELPERS + _EVENT_HELPERS + """
local raw = redis.call('GET', KEYS[1])
if not raw then return redis.error_reply('NOTFOUND') end
local x = cjson.decode(raw)
if ARGV[4] ~= '' and tostring(x.version) ~= ARGV[4] then
  return redis.error_reply('VERSION ' .. x.version)
end
if ARGV[1] ~= '' and not string.find(',' .. ARGV[1] .. ',', ',' .. x.state .. ',', 1, true) then
  return redis.error_reply('CONFLICT ' .. x.state)
end
local old, old_steps = x.state, x.steps
local patch = cjson.decode(ARGV[3])
for k, v in pairs(patch) do x[k] = v end
if ARGV[2] ~= '' then x.state = ARGV[2] end
x.version = x.version + 1
x.modified = tonumber(ARGV[6])
if old ~= x.state then
  for _, k in ipairs(state_keys(ARGV[5], x, old)) do redis.call('ZREM', k, x.id) end
  for _, k in ipairs(state_keys(ARGV[5], x, x.state)) do redis.call('ZADD', k, x.seq, x.id) end
  if x.state == 'RUNNING' then redis.call('ZADD', KEYS[2], ARGV[6], x.id)
  else redis.call('ZREM', KEYS[2], x.id) end
  if string.find(',' .. ARGV[7] .. ',', ',' .. x.state .. ',', 1, true) then
    if x.expire_after ~= nil and x.expire_after ~= cjson.null then
      x.expires = tonumber(ARGV[6]) + math.floor(x.expire_after * 1000)
    end
    local slot = ARGV[8] .. x.tenant .. ':' .. x.definition_id
    if redis.call('GET', slot) == x.id then redis.call('DEL', slot) end
  end
end
local ended = string.find(',' .. ARGV[7] .. ',', ',' .. x.state .. ',', 1, true)
if x.expires ~= nil and x.expires ~= cjson.null then redis.call('ZADD', KEYS[3], x.expires, x.id)
elseif ended and tonumber(ARGV[9]) > 0 then
  local at = (x.ended ~= nil and x.ended ~= cjson.null) and x.ended or tonumber(ARGV[6])
  redis.call('ZADD', KEYS[3], at + tonumber(ARGV[9]), x.id)
else redis.call('ZREM', KEYS[3], x.id) end
emit_all(ARGV, x, patch, old, old_steps, ARGV[7])
local out = cjson.encode(x)
redis.call('SET', KEYS[1], out)
return out
"""

#: Record a heartbeat without bumping the version: liveness is not a change a
#: client's conditional update should trip over.
#: KEYS: 1 record, 2 heartbeat zset. ARGV: 1 now ms. Returns 0 when not RUNNING.
HEARTBEAT = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local x = cjson.decode(raw)
if x.state ~= 'RUNNING' then return 0 end
x.heartbeat = tonumber(ARGV[1])
redis.call('SET', KEYS[1], cjson.encode(x))
redis.call('ZADD', KEYS[2], ARGV[1], x.id)
return 1
"""

#: Remove an execution with everything that refers to it.
#: KEYS: 1 record, 2 log, 3 result, 4 plan, 5 seq hash, 6 heartbeat zset,
#:       7 expiry zset, 8 dependents set, 9 process group, 10 its event stream.
#: ARGV: 1 index prefix, 2 id, 3 slot key prefix, 5 expected version ("" any),
#:       4 states it may be in ("" any):
#: an execution that expires while still running stays until it ends (its end
#: puts it back in the expiry index).
#: Returns 1 when removed, 0 when not.
PURGE = _INDEX_HELPERS + """
local raw = redis.call('GET', KEYS[1])
redis.call('ZREM', KEYS[7], ARGV[2])
if not raw then
  redis.call('ZREM', KEYS[6], ARGV[2])
  return 0
end
local x = cjson.decode(raw)
if ARGV[5] ~= '' and tostring(x.version) ~= ARGV[5] then return redis.error_reply('VERSION ' .. x.version) end
if ARGV[4] ~= '' and not string.find(',' .. ARGV[4] .. ',', ',' .. x.state .. ',', 1, true) then return 0 end
redis.call('ZREM', KEYS[6], ARGV[2])
for _, k in ipairs(all_keys(ARGV[1], x)) do redis.call('ZREM', k, x.id) end
local slot = ARGV[3] .. x.tenant .. ':' .. x.definition_id
if redis.call('GET', slot) == x.id then redis.call('DEL', slot) end
redis.call('HDEL', KEYS[5], x.seq)
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[8], KEYS[9], KEYS[10])
return 1
"""

#: Append to an execution's log and tell its event stream, as one step.
#: KEYS: 1 log, 2 the execution's event stream. ARGV: 1 text, 2 the stream's MAXLEN (~), 3 execution id.
#: Returns the log's new length.
APPEND_LOG = """
local size = redis.call('APPEND', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'type', 'log', 'execution', ARGV[3],
           'data', cjson.encode({text = ARGV[1], offset = size - #ARGV[1]}))
return size
"""

#: Claim one firing of a cron schedule: only the caller that still sees the
#: expected due time moves it on, so several workers never fire it twice.
#: KEYS: 1 due zset. ARGV: 1 schedule id, 2 expected due ms, 3 next due ms.
CLAIM_SCHEDULE = """
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""

#: Count one failed login against each subject (user and address, address, user), and make each
#: subject that reached its threshold wait: the backoff, doubled with every further failure, at
#: most the window. A count is forgotten a window after its wait ends (so a guesser that sat
#: out the longest wait is not forgiven with it).
#: KEYS: (count, wait) pairs, one per subject. ARGV: 1 window ms, 2 backoff ms, then one
#: threshold per subject (0: counted, never waits). Returns each subject's count.
LOGIN_FAILED = """
local window, backoff = tonumber(ARGV[1]), tonumber(ARGV[2])
local counts = {}
for i = 1, #KEYS / 2 do
  local n = redis.call('INCR', KEYS[2 * i - 1])
  local threshold = tonumber(ARGV[2 + i])
  local wait = 0
  if threshold > 0 and n >= threshold then
    wait = math.max(1, math.floor(math.min(window, backoff * 2 ^ math.min(n - threshold, 40))))
    redis.call('SET', KEYS[2 * i], n, 'PX', wait)
  end
  redis.call('PEXPIRE', KEYS[2 * i - 1], window + wait)
  counts[i] = n
end
return counts
"""

#: Take the first due webhook delivery and hold it a lease ahead: while it is held no other
#: worker takes it; a worker that died holding it leaves it due again once the lease ends.
#: KEYS: 1 due zset. ARGV: 1 now ms, 2 lease end ms. Returns the delivery id, or false.
TAKE_DELIVERY = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZADD', KEYS[1], ARGV[2], due[1])
return due[1]
"""

#: Add a webhook delivery unless it exists (an event taken again after a worker died): its
#: record, its place in its log (the newest `ARGV[4]` kept) and in the due set.
#: KEYS: 1 record, 2 log zset, 3 due zset. ARGV: 1 delivery id, 2 record JSON, 3 now ms,
#: 4 log length kept, 5 record lifetime ms. Returns 1 if added.
ADD_DELIVERY = """
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[5]) == false then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -1 - tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
"""
