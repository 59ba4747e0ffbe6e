"""Redis persistence of executions: records, indexes, logs and results.

An execution is one JSON string. Every listing a dialect needs is a sorted set
scored by `seq`, one per combination of (definition, state, origin) within a
tenant, so any filter combination is one ZRANGE: O(log n + page), no SCAN.
State changes run as one Lua script (store.lua) that checks the transition
table and moves the index entries; creation is one script too, its checks, its
writes and the RQ enqueue together, so a record never exists without its job
or the reverse.
Each of these writes tells its events (store.events) in the same step.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from itertools import product

import redis

from jobgate import limits
from jobgate.errors import AlreadyRunning, Conflict, ExecutionNotFound, KeyReused, TooManyActive, VersionMismatch
from jobgate.model import TERMINAL, Execution, State, dump, load, now, sources, to_ms
from jobgate.store import captured, keys, lean, lua
from jobgate.store.events import Events
from jobgate.store.idempotency import Place
from jobgate.store.keys import ANY
from jobgate.store.results import Results
from jobgate.store.windows import Segment, Windows

#: Client data kept as JSON text inside the record: Lua's cjson would turn an
#: empty list into {} and round large integers, and clients get it back untouched.
OPAQUE = ("parameters", "attributes")
#: Fields derived on every read (the log's length), never written.
DERIVED = ("log_size",)


def _csv(states: Iterable[State]) -> str:
    return ",".join(s.value for s in states)


def _at_rest(changes: dict) -> dict:
    """Fields as stored: opaque ones as JSON text, step records without their defaults
    (a write of `steps` replaces them all)."""
    out = {k: json.dumps(v) if k in OPAQUE else v for k, v in changes.items() if k not in DERIVED}
    if isinstance(out.get("steps"), list):
        out["steps"] = lean.steps(out["steps"])
    return out


def _execution(raw, log_size: int | None = None) -> Execution:
    data = json.loads(raw)
    for key in OPAQUE:
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    execution = load(Execution, data)
    if log_size is not None:
        execution.log_size = log_size
    return execution


def _script_error(exc: redis.ResponseError, execution_id: str, to: State | None = None) -> Exception:
    """A Lua refusal as the canonical error it stands for; anything else is a bug, raised as it is."""
    reason, _, detail = str(exc).partition(" ")
    if reason == "NOTFOUND":
        return ExecutionNotFound(id=execution_id)
    if reason == "VERSION":
        return VersionMismatch(current=int(detail))
    if reason == "CONFLICT":
        return Conflict(f"execution is {detail}" + (f", cannot become {to.value}" if to else ""), state=detail)
    return exc


class Store:
    """Executions in Redis. Callers pass validated slugs (see model.SLUG).

    `retention` (seconds, 0: for ever) is how long a finished execution without an expiry of its
    own stays: its end puts it in the expiry index that far ahead, without showing it an expiry.
    `events_maxlen` caps each event stream (about); an ended execution's own stream goes
    `events_keep` seconds after its end."""

    def __init__(self, client: redis.Redis, retention: float = 0, events_maxlen: int = limits.EVENTS_MAXLEN,
                 events_keep: int = limits.EVENTS_KEEP):
        self.redis = client
        self.retention_ms = int(retention * 1000)
        self.events_keep = events_keep
        self.events = Events(client, events_maxlen)
        self._transition = client.register_script(lua.TRANSITION)
        self._heartbeat = client.register_script(lua.HEARTBEAT)
        self._purge = client.register_script(lua.PURGE)
        self._append_log = client.register_script(lua.APPEND_LOG)
        self._create = client.register_script(lua.CREATE)
        self._by_seq = client.register_script(lua.BY_SEQ)
        self.results = Results(client)
        self.windows = Windows(client)

    # -- writes ------------------------------------------------------------
    def next_seq(self) -> int:
        return int(self.redis.incr(keys.EXECUTION_SEQ))

    def create(self, execution: Execution, plan: dict, *, exclusive: bool,
               enqueue: Callable[[redis.client.Pipeline], None] | None = None, active_limit: int | None = None,
               place: Place | None = None) -> str:
        """Write a new execution (and its RQ job, through `enqueue`, or its place among
        the dependents of each execution in `execution.after`) in one script (lua.CREATE); the
        id of the execution that stands for it: its own; for a restart, the restart made already;
        under an idempotency key's `place`, the execution made there already (before any slot or
        limit is read: a replay takes neither). An execution with seq 0 is given the next seq in
        the same step (set on it here).

        With `exclusive`, the definition's slot must be free; with `active_limit`, the tenant
        must have fewer unfinished executions (its state indexes count them). The checks and
        the writes are one atomic step: of racing submits exactly as many commit as the slot
        or limit allow, and none retries. A restart marks the execution it restarts
        (`restarted_as`) in the same step: of racing restarts one commits, the others get it;
        of racing submits under one key's place, one commits and the others get its execution.
        """
        index = self._all_index_keys(execution)
        unfinished = [keys.index(execution.tenant, state=s.value) for s in State if not s.terminal]
        record = keys.record(execution.id)
        script_keys = [record, keys.plan(execution.id), keys.SEQ_TO_EXECUTION, keys.TENANTS, keys.EXPIRIES,
                       keys.slot(execution.tenant, execution.definition_id),
                       keys.record(execution.restart_of) if execution.restart_of else record, keys.EXECUTION_SEQ,
                       place.key if place else record, *index, *unfinished,
                       *(keys.dependents(p) for p in execution.after)]

        def writes(pipe) -> None:
            """What the script runs once its checks passed: the RQ job, the first event."""
            if enqueue is not None:
                enqueue(pipe)
            self.events.created(pipe, execution)
            if execution.state.terminal:        # written as ended (bulk seeding): its stream goes as TRANSITION's would
                pipe.expire(keys.execution_events(execution.id), self.events_keep)

        fields = _at_rest(lean.record(dump(execution)))
        del fields["seq"]
        args = [execution.id, execution.seq or "", execution.tenant, json.dumps(fields)[:-1] + ', "seq": ',
                json.dumps(lean.plan(plan)), "1" if exclusive else "", "" if active_limit is None else active_limit,
                execution.restart_of or "", len(index), len(unfinished),
                to_ms(execution.expires) if execution.expires else "", to_ms(now()), _csv(TERMINAL),
                place.fingerprint if place else "", place.index if place else "", place.ttl if place else "",
                *captured.flat(self.redis, writes)]
        try:
            stored, seq = self._run_create(script_keys, args)
        except redis.ResponseError as exc:
            reason, _, detail = str(exc).partition(" ")
            if reason == "ACTIVE":
                raise TooManyActive(f"tenant {execution.tenant} has {detail} unfinished job executions, as many "
                                    "as its quota allows; submit again once some have ended",
                                    quota=active_limit) from None
            if reason == "RUNNING":
                raise AlreadyRunning(definition_id=execution.definition_id) from None
            if reason == "REUSED":
                raise KeyReused(details={"Idempotency-Key": ["used before for a different request"]}) from None
            raise _script_error(exc, execution.restart_of or execution.id) from None
        if seq:
            execution.seq = int(seq)
        return stored.decode()

    def _run_create(self, script_keys: list, args: list):
        """lua.CREATE, as one transaction when replicas must confirm it: the client's pipeline
        then waits for them on the connection that wrote it (connection.replicated)."""
        if not getattr(self.redis, "replicas", 0):
            return self._create(keys=script_keys, args=args)
        pipe = self.redis.pipeline()
        self._create(keys=script_keys, args=args, client=pipe)
        (answer,) = pipe.execute(raise_on_error=False)
        if isinstance(answer, Exception):           # as the script's own error, not the pipeline's account of it
            raise answer
        return answer

    def transition(self, execution_id: str, to: State | None = None, patch: dict | None = None, *,
                   allowed: Iterable[State] | None = None, expected_version: int | None = None,
                   enqueue: Callable[[redis.client.Pipeline], None] | None = None) -> Execution:
        """Atomically move to `to` (checked against the transition table) and/or patch fields; with
        `enqueue`, its RQ job is queued in the same MULTI (refused, the job is queued all the same, and
        its runner finds the execution in no state to start)."""
        if to is not None:
            allowed = sources(to) if allowed is None else set(allowed) & sources(to)
            if not allowed:
                raise ValueError(f"no state may become {to.value}")
        args = [_csv(allowed or ()), to.value if to else "", json.dumps(_at_rest(patch or {})),
                "" if expected_version is None else str(expected_version),
                keys.INDEX_PREFIX, to_ms(now()), _csv(TERMINAL), keys.SLOT_PREFIX, self.retention_ms,
                keys.TENANT_EVENTS_PREFIX, keys.EXECUTION_EVENTS_PREFIX, self.events.maxlen, self.events_keep]
        script_keys = [keys.record(execution_id), keys.HEARTBEATS, keys.EXPIRIES]
        try:
            if enqueue is None:
                raw = self._transition(keys=script_keys, args=args)
            else:
                pipe = self.redis.pipeline()
                pipe.multi()
                self._transition(keys=script_keys, args=args, client=pipe)
                enqueue(pipe)
                raw = pipe.execute()[0]
        except redis.ResponseError as exc:
            raise _script_error(exc, execution_id, to) from None
        return _execution(raw)

    def heartbeat(self, execution_id: str) -> bool:
        return bool(self._heartbeat(keys=[keys.record(execution_id), keys.HEARTBEATS], args=[to_ms(now())]))

    def purge(self, execution_id: str, *, only_ended: bool = False, expected_version: int | None = None) -> bool:
        """Remove it with its log, result, plan and index entries (checking the version if given)."""
        script_keys = [keys.record(execution_id), keys.log(execution_id), keys.result(execution_id),
                       keys.plan(execution_id), keys.SEQ_TO_EXECUTION, keys.HEARTBEATS, keys.EXPIRIES,
                       keys.dependents(execution_id), keys.process_group(execution_id),
                       keys.execution_events(execution_id)]
        args = [keys.INDEX_PREFIX, execution_id, keys.SLOT_PREFIX, _csv(TERMINAL) if only_ended else "",
                "" if expected_version is None else str(expected_version)]
        try:
            purged = bool(self._purge(keys=script_keys, args=args))
        except redis.ResponseError as exc:
            raise _script_error(exc, execution_id) from None
        if purged:
            self.results.drop(execution_id)
        return purged

    def purge_expired(self, limit: int = 100) -> int:
        """Remove executions past their `expires` time; cheap when none are due."""
        due = self.redis.zrangebyscore(keys.EXPIRIES, "-inf", to_ms(now()), 0, limit)
        return sum(self.purge(raw.decode(), only_ended=True) for raw in due)

    def append_log(self, execution_id: str, text: str) -> int:
        """Add to its log, telling its event stream in the same step; the log's new length."""
        return self._append_log(keys=[keys.log(execution_id), keys.execution_events(execution_id)],
                                args=[text.encode(), self.events.maxlen, execution_id])

    def set_process_group(self, execution_id: str, pgid: int | None) -> None:
        """Where a running step's processes are, so the worker can kill them with the horse."""
        key = keys.process_group(execution_id)
        if pgid is None:
            self.redis.delete(key)
        else:
            self.redis.set(key, pgid, ex=86400)

    def process_group(self, execution_id: str) -> int | None:
        raw = self.redis.get(keys.process_group(execution_id))
        return None if raw is None else int(raw)

    def dependents(self, execution_id: str) -> list[str]:
        return sorted(m.decode() for m in self.redis.smembers(keys.dependents(execution_id)))

    def set_result(self, execution_id: str, data) -> None:
        self.redis.set(keys.result(execution_id), json.dumps(data))

    # -- reads -------------------------------------------------------------
    def get(self, ref: str | int) -> Execution | None:
        """By uuid or by integer seq (as int or decimal string)."""
        execution_id = str(ref)
        if not execution_id.isdigit():
            found = self._load_many([execution_id])
            return found[0] if found else None
        found = self._by_seq(keys=[keys.SEQ_TO_EXECUTION], args=[execution_id, keys.record(""), keys.log("")])
        return None if found is None else _execution(*found)

    def page(self, tenant: str, *, definition: str = ANY, state: str = ANY, origin: str = ANY,
             newest_first: bool = True, offset: int = 0, limit: int = 50,
             after_seq: int | None = None) -> tuple[list[Execution], int]:
        """One page of a tenant's executions and the total matching the filter.

        `after_seq` is a cursor (the seq of the last item seen) for keyset paging.
        """
        key = keys.index(tenant, definition or ANY, state or ANY, origin or ANY)
        pipe = self.redis.pipeline(transaction=False)
        pipe.zcard(key)
        if after_seq is None:
            pipe.zrange(key, offset, offset + limit - 1, desc=newest_first)
        elif newest_first:
            pipe.zrevrangebyscore(key, f"({after_seq}", "-inf", 0, limit)
        else:
            pipe.zrangebyscore(key, f"({after_seq}", "+inf", 0, limit)
        total, ids = pipe.execute()
        return self._load_many([i.decode() for i in ids]), total

    def window(self, tenant: str, segments: list[Segment], *, offset: int, limit: int,
               newest_first: bool, after_seq: int | None = None) -> tuple[list[Execution], int]:
        """One page of the segments laid end to end (store.windows) and their total."""
        ids, total = self.windows.page(tenant, segments, offset, limit, newest_first, after_seq)
        return self._load_many(ids), total

    def read_log(self, execution_id: str, offset: int = 0, limit: int = limits.LOG_READ_MAX) -> bytes:
        return self.redis.getrange(keys.log(execution_id), offset, offset + limit - 1)

    def get_result(self, execution_id: str):
        raw = self.redis.get(keys.result(execution_id))
        return None if raw is None else json.loads(raw)

    def get_plan(self, execution_id: str) -> dict | None:
        raw = self.redis.get(keys.plan(execution_id))
        return None if raw is None else json.loads(raw)

    def stale(self, older_than_ms: int, limit: int = 100) -> list[str]:
        """RUNNING executions whose last heartbeat is older than the cutoff."""
        return [i.decode() for i in self.redis.zrangebyscore(keys.HEARTBEATS, "-inf", older_than_ms, 0, limit)]

    def _load_many(self, ids: list[str]) -> list[Execution]:
        if not ids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        pipe.mget([keys.record(i) for i in ids])
        for i in ids:
            pipe.strlen(keys.log(i))
        raws, *sizes = pipe.execute()
        return [_execution(raw, size) for raw, size in zip(raws, sizes, strict=False) if raw]

    def _all_index_keys(self, execution: Execution) -> list[str]:
        return [keys.index(execution.tenant, d, s, o) for d, s, o in product(
            (execution.definition_id, ANY), (execution.state.value, ANY), (execution.origin, ANY))]
