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

#: Marks (keys.mark) refine a state the way dialects' state maps do: `stopping`, a RUNNING
#: execution whose cancel was asked; `exited`, a FAILED one whose last failed step ran a
#: process that exited non-zero (model.Execution.exited_non_zero says the same in Python).
#: Each is a sorted set by seq per (tenant, definition|*), a subset of that state's index.
_MARK_HELPERS = """
local MARKS = {'stopping', 'exited'}
local function marks_of(x)
  local out = {}
  if x.state == 'RUNNING' and x.cancel_requested == true then out.stopping = true end
  if x.state == 'FAILED' and type(x.steps) == 'table' then
    local last = nil
    for _, s in ipairs(x.steps) do if s.state == 'FAILED' then last = s end end
    if last and last.process_exit ~= nil and last.process_exit ~= cjson.null and last.process_exit ~= 0 then
      out.exited = true
    end
  end
  return out
end
local function mark_keys(prefix, x, name)
  return {prefix .. x.tenant .. ':' .. x.definition_id .. ':~' .. name, prefix .. x.tenant .. ':*:~' .. name}
end
local function move_marks(prefix, x, before, after)
  for _, name in ipairs(MARKS) do
    if after[name] and not before[name] then
      for _, k in ipairs(mark_keys(prefix, x, name)) do redis.call('ZADD', k, x.seq, x.id) end
    elseif before[name] and not after[name] then
      for _, k in ipairs(mark_keys(prefix, x, name)) do redis.call('ZREM', k, x.id) end
    end
  end
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
#:       10 tenant event stream prefix, 11 execution event stream prefix, 12 their MAXLEN (~),
#:       13 seconds the execution's own stream is kept once it has ended
#: The change's events go to both streams in the same step (_EVENT_HELPERS).
#: Errors: NOTFOUND, VERSION <v>, CONFLICT <state>. Returns the new record.
TRANSITION = _INDEX_HELPERS + _MARK_HELPERS + _EVENT_HELPERS + """
local raw = redis.call('GET', KEYS[1])
if not raw then return redis.error_reply('NOTFOUND') end
local x = cjson.decode(raw)
if ARGV[4] ~= '' and tostring(x.version) ~= ARGV[4] then
  return redis.error_reply('VERSION ' .. x.version)
end
if ARGV[1] ~= '' and not string.find(',' .. ARGV[1] .. ',', ',' .. x.state .. ',', 1, true) then
  return redis.error_reply('CONFLICT ' .. x.state)
end
local old, old_steps, marked = x.state, x.steps, marks_of(x)
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
move_marks(ARGV[5], x, marked, marks_of(x))
local ended = string.find(',' .. ARGV[7] .. ',', ',' .. x.state .. ',', 1, true)
if x.expires ~= nil and x.expires ~= cjson.null then redis.call('ZADD', KEYS[3], x.expires, x.id)
elseif ended and tonumber(ARGV[9]) > 0 then
  local at = (x.ended ~= nil and x.ended ~= cjson.null) and x.ended or tonumber(ARGV[6])
  redis.call('ZADD', KEYS[3], at + tonumber(ARGV[9]), x.id)
else redis.call('ZREM', KEYS[3], x.id) end
emit_all(ARGV, x, patch, old, old_steps, ARGV[7])
if ended then redis.call('EXPIRE', ARGV[11] .. x.id, ARGV[13]) end
local out = cjson.encode(x)
redis.call('SET', KEYS[1], out)
return out
"""

#: Create an execution: check, then write everything in one atomic step, so racing submits
#: never retry (as WATCH made them) and exactly as many commit as the slot and quota allow.
#: KEYS: 1 record, 2 plan, 3 seq hash, 4 tenants set, 5 expiry zset, 6 slot,
#:       7 record of the execution it restarts (any key when none), 8 the seq counter,
#:       9 its idempotency key's hash (store.idempotency; any key when none),
#:       then ARGV[9] index keys (each scored by the seq),
#:       then ARGV[10] unfinished-state index keys (counted against the quota),
#:       then the dependents sets of its prerequisites (the rest of KEYS).
#: ARGV: 1 id, 2 seq ("": the counter's next), 3 tenant, 4 the record's JSON up to its seq
#:       (the record is ARGV[4] .. seq .. '}'), 5 plan JSON, 6 "1" if exclusive,
#:       7 unfinished executions the tenant may have ("" no limit), 8 id it restarts (""),
#:       9 number of index keys, 10 number of unfinished keys, 11 expires ms (""),
#:       12 now ms, 13 terminal states "A,B", 14 the idempotency fingerprint ("": no key),
#:       15 its place, 16 its lifetime (s); then RQ's enqueue as store.captured.flat made it
#:       (a count, then per command its number of words and its words).
#: Record keys of other executions (the slot's holder, an earlier restart) are built
#: from KEYS[1]'s prefix. Errors: NOTFOUND (the restarted one), ACTIVE <n>, RUNNING,
#: REUSED (the key was used for another request).
#: Returns {the id that stands for the submit, its seq}: its own, or the earlier one's
#: (made at its key's place, or the restart made already; seq "").
CREATE = """
local id, prefix = ARGV[1], string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1])
local n_index, n_unfinished = tonumber(ARGV[9]), tonumber(ARGV[10])
if ARGV[14] ~= '' then
  local seen = redis.call('HMGET', KEYS[9], 'fingerprint', ARGV[15])
  if seen[1] then
    if seen[1] ~= ARGV[14] then return redis.error_reply('REUSED') end
    if seen[2] and redis.call('EXISTS', prefix .. seen[2]) == 1 then return {seen[2], ''} end
  end
end
local restarted
if ARGV[8] ~= '' then
  local raw = redis.call('GET', KEYS[7])
  if not raw then return redis.error_reply('NOTFOUND') end
  restarted = cjson.decode(raw)
  local earlier = restarted.restarted_as
  if type(earlier) == 'string' and redis.call('EXISTS', prefix .. earlier) == 1 then return {earlier, ''} end
end
if ARGV[7] ~= '' then
  local active = 0
  for i = 10 + n_index, 9 + n_index + n_unfinished do active = active + redis.call('ZCARD', KEYS[i]) end
  if active >= tonumber(ARGV[7]) then return redis.error_reply('ACTIVE ' .. active) end
end
if ARGV[6] == '1' then
  local holder = redis.call('GET', KEYS[6])
  if holder then
    local raw = redis.call('GET', prefix .. holder)
    if raw and not string.find(',' .. ARGV[13] .. ',', ',' .. cjson.decode(raw).state .. ',', 1, true) then
      return redis.error_reply('RUNNING')
    end
  end
  redis.call('SET', KEYS[6], id)
end
local seq = ARGV[2]
if seq == '' then seq = tostring(redis.call('INCR', KEYS[8])) end
redis.call('SET', KEYS[1], ARGV[4] .. seq .. '}')
redis.call('SET', KEYS[2], ARGV[5])
redis.call('HSET', KEYS[3], seq, id)
redis.call('SADD', KEYS[4], ARGV[3])
for i = 10, 9 + n_index do redis.call('ZADD', KEYS[i], seq, id) end
if ARGV[11] ~= '' then redis.call('ZADD', KEYS[5], ARGV[11], id) end
for i = 10 + n_index + n_unfinished, #KEYS do redis.call('SADD', KEYS[i], id) end
if restarted then
  restarted.restarted_as = id
  restarted.version = restarted.version + 1
  restarted.modified = tonumber(ARGV[12])
  redis.call('SET', KEYS[7], cjson.encode(restarted))
end
if ARGV[14] ~= '' then
  redis.call('HSET', KEYS[9], 'fingerprint', ARGV[14], ARGV[15], id)
  redis.call('EXPIRE', KEYS[9], ARGV[16], 'NX')
end
local at = 17
for _ = 1, tonumber(ARGV[at]) do
  local words = tonumber(ARGV[at + 1])
  redis.call(unpack(ARGV, at + 2, at + 1 + words))
  at = at + 1 + words
end
return {id, seq}
"""

#: Read an execution by its integer seq in one round trip (OCAPI's and Datameer's ids).
#: KEYS: 1 seq hash. ARGV: 1 seq, 2 record key prefix, 3 log key prefix.
#: Returns {record, log length}, or nil when no execution has that seq.
BY_SEQ = """
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return nil end
local raw = redis.call('GET', ARGV[2] .. id)
if not raw then return nil end
return {raw, redis.call('STRLEN', ARGV[3] .. id)}
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
PURGE = _INDEX_HELPERS + _MARK_HELPERS + """
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
move_marks(ARGV[1], x, marks_of(x), {})
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

#: One page of a "slice": the members of some seq-scored sets (disjoint) less those of
#: others (each a subset of them), in seq order, from position ARGV[2]: a binary search on
#: the seq with ZCOUNT finds where the page starts, so a deep page costs O(log^2 n), not n.
#: KEYS: the sets counted in, then the sets taken out.
#: ARGV: 1 how many KEYS count in, 2 offset, 3 limit, 4 '1' newest (highest seq) first.
#: Returns the page's members, in order.
WINDOW = """
local npos, offset, limit, desc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local function before(t)          -- members that come before seq t in the page order
  local n, bound = 0, string.format('(%.0f', t)
  for i, k in ipairs(KEYS) do
    local c = desc and redis.call('ZCOUNT', k, bound, '+inf') or redis.call('ZCOUNT', k, '-inf', bound)
    n = (i <= npos) and n + c or n - c
  end
  return n
end
local total, lo, hi = 0, nil, nil
for i, k in ipairs(KEYS) do
  local n = redis.call('ZCARD', k)
  total = (i <= npos) and total + n or total - n
  if i <= npos and n > 0 then
    local first = tonumber(redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')[2])
    local last = tonumber(redis.call('ZRANGE', k, -1, -1, 'WITHSCORES')[2])
    lo, hi = math.min(lo or first, first), math.max(hi or last, last)
  end
end
if offset >= total or limit <= 0 then return {} end
local a, b = lo, hi
while a < b do                    -- the seq at position `offset`
  if desc then
    local m = math.floor((a + b) / 2)
    if before(m) <= offset then b = m else a = m + 1 end
  else
    local m = math.ceil((a + b) / 2)
    if before(m) <= offset then a = m else b = m - 1 end
  end
end
local function excluded(member)
  for i = npos + 1, #KEYS do
    if redis.call('ZSCORE', KEYS[i], member) then return true end
  end
  return false
end
local from, found = string.format('%.0f', a), {}
for i = 1, npos do                -- up to `limit` members of each set from there, then merged
  local skip = 0
  local taken = 0
  while taken < limit do
    local batch = desc and redis.call('ZREVRANGEBYSCORE', KEYS[i], from, '-inf', 'WITHSCORES', 'LIMIT', skip, limit)
      or redis.call('ZRANGEBYSCORE', KEYS[i], from, '+inf', 'WITHSCORES', 'LIMIT', skip, limit)
    if #batch == 0 then break end
    for j = 1, #batch, 2 do
      if taken < limit and not excluded(batch[j]) then
        table.insert(found, {tonumber(batch[j + 1]), batch[j]})
        taken = taken + 1
      end
    end
    skip = skip + #batch / 2
  end
end
table.sort(found, function(x, y) if desc then return x[1] > y[1] end return x[1] < y[1] end)
local out = {}
for j = 1, math.min(limit, #found) do out[j] = found[j][2] end
return out
"""

#: Give executions stored before marks existed the marks they have (store.windows.build_marks).
#: KEYS: records. ARGV: 1 index prefix. Returns how many records it read.
MARK_EXISTING = _MARK_HELPERS + """
for _, key in ipairs(KEYS) do
  local raw = redis.call('GET', key)
  if raw then move_marks(ARGV[1], cjson.decode(raw), {}, marks_of(cjson.decode(raw))) end
end
return #KEYS
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
