"""Redis persistence of executions: records, indexes, logs and results.

An execution is one JSON string. Every listing a dialect needs is a sorted set
scored by `seq`, one per combination of (definition, state, origin) within a
tenant, so any filter combination is one ZRANGE: O(log n + page), no SCAN.
State changes run as one Lua script (store.lua) that checks the transition
table and moves the index entries; creation is one MULTI together with the
RQ enqueue, so a record never exists without its job or the reverse.
Each of these writes tells its events (store.events) in the same step.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from itertools import product

import redis

from jobgate import limits
from jobgate.errors import AlreadyRunning, Conflict, ExecutionNotFound, TooManyActive, VersionMismatch
from jobgate.model import TERMINAL, Execution, State, dump, load, now, sources, to_ms
from jobgate.store import keys, lua
from jobgate.store.events import Events
from jobgate.store.keys import ANY
from jobgate.store.results import Results

#: Client data kept as JSON text inside the record: Lua's cjson would turn an
#: empty list into {} and round large integers, and clients get it back untouched.
OPAQUE = ("parameters", "attributes")
#: Fields derived on every read (the log's length), never written.
DERIVED = ("log_size",)


def _csv(states: Iterable[State]) -> str:
    return ",".join(s.value for s in states)


def _at_rest(fields: dict) -> dict:
    return {k: json.dumps(v) if k in OPAQUE else v for k, v in fields.items() if k not in DERIVED}


def _execution(raw) -> Execution:
    data = json.loads(raw)
    for key in OPAQUE:
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    return load(Execution, data)


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
    `events_maxlen` caps each event stream (about)."""

    def __init__(self, client: redis.Redis, retention: float = 0, events_maxlen: int = limits.EVENTS_MAXLEN):
        self.redis = client
        self.retention_ms = int(retention * 1000)
        self.events = Events(client, events_maxlen)
        self._transition = client.register_script(lua.TRANSITION)
        self._heartbeat = client.register_script(lua.HEARTBEAT)
        self._purge = client.register_script(lua.PURGE)
        self._append_log = client.register_script(lua.APPEND_LOG)
        self.results = Results(client)

    # -- writes ------------------------------------------------------------
    def next_seq(self) -> int:
        return int(self.redis.incr(keys.EXECUTION_SEQ))

    def create(self, execution: Execution, plan: dict, *, exclusive: bool,
               enqueue: Callable[[redis.client.Pipeline], None] | None = None, active_limit: int | None = None) -> str:
        """Write a new execution (and its RQ job, through `enqueue`, or its place among
        the dependents of each execution in `execution.after`) in one MULTI; the id of
        the execution that stands for it: its own, or for a restart, the restart made already.

        With `exclusive`, the definition's slot must be free; with `active_limit`, the tenant
        must have fewer unfinished executions (its state indexes count them). Both are read
        under WATCH: of racing submits exactly as many commit as the slot or limit allow.
        A restart marks the execution it restarts (`restarted_as`) in the same MULTI, watching
        it: of racing restarts one commits, the others find it and write nothing.
        """
        slot = keys.slot(execution.tenant, execution.definition_id)
        record = json.dumps(_at_rest(dump(execution)))
        unfinished = [keys.index(execution.tenant, state=s.value) for s in State if not s.terminal]
        watched = ([slot] if exclusive else []) + (unfinished if active_limit is not None else [])
        if execution.restart_of:
            watched.append(keys.record(execution.restart_of))

        def write(pipe: redis.client.Pipeline) -> str:
            restarted = None
            if execution.restart_of:
                restarted, earlier = self._restart_claim(pipe, execution.restart_of)
                if earlier:
                    return earlier
            if active_limit is not None:
                active = sum(pipe.zcard(key) for key in unfinished)
                if active >= active_limit:
                    raise TooManyActive(f"tenant {execution.tenant} has {active} unfinished job executions, as many "
                                        "as its quota allows; submit again once some have ended", quota=active_limit)
            if exclusive:
                holder = pipe.get(slot)
                if holder and self._holds_slot(pipe, holder.decode()):
                    raise AlreadyRunning(definition_id=execution.definition_id)
            pipe.multi()
            pipe.set(keys.record(execution.id), record)
            pipe.set(keys.plan(execution.id), json.dumps(plan))
            pipe.hset(keys.SEQ_TO_EXECUTION, str(execution.seq), execution.id)
            pipe.sadd(keys.TENANTS, execution.tenant)        # what /metrics counts over (store.metrics)
            for key in self._all_index_keys(execution):
                pipe.zadd(key, {execution.id: execution.seq})
            if exclusive:
                pipe.set(slot, execution.id)
            if execution.expires:
                pipe.zadd(keys.EXPIRIES, {execution.id: to_ms(execution.expires)})
            for prerequisite in execution.after:
                pipe.sadd(keys.dependents(prerequisite), execution.id)
            self.events.created(pipe, execution)
            if restarted is not None:
                restarted.update(restarted_as=execution.id, version=restarted["version"] + 1, modified=to_ms(now()))
                pipe.set(keys.record(execution.restart_of), json.dumps(restarted))
            if enqueue:
                enqueue(pipe)
            return execution.id

        if watched:
            return self.redis.transaction(write, *watched, value_from_callable=True)
        pipe = self.redis.pipeline(transaction=True)       # nothing to watch: one MULTI round trip
        write(pipe)
        pipe.execute()
        return execution.id

    @staticmethod
    def _restart_claim(pipe, restarted_id: str) -> tuple[dict, str | None]:
        """The record of the execution a restart follows (as stored), and the restart made of it
        already, if that one still exists."""
        raw = pipe.get(keys.record(restarted_id))
        if raw is None:
            raise ExecutionNotFound(id=restarted_id)
        restarted = json.loads(raw)
        earlier = restarted.get("restarted_as")
        return restarted, earlier if earlier and pipe.exists(keys.record(earlier)) else None

    def _holds_slot(self, pipe, holder_id: str) -> bool:
        raw = pipe.get(keys.record(holder_id))
        return bool(raw) and State(json.loads(raw)["state"]) not in TERMINAL

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
                keys.TENANT_EVENTS_PREFIX, keys.EXECUTION_EVENTS_PREFIX, self.events.maxlen]
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
        if execution_id.isdigit():
            found = self.redis.hget(keys.SEQ_TO_EXECUTION, execution_id)
            if found is None:
                return None
            execution_id = found.decode()
        found = self._load_many([execution_id])
        return found[0] if found else None

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
        out = []
        for raw, size in zip(raws, sizes, strict=False):
            if raw:
                execution = _execution(raw)
                execution.log_size = size
                out.append(execution)
        return out

    def _all_index_keys(self, execution: Execution) -> list[str]:
        return [keys.index(execution.tenant, d, s, o) for d, s, o in product(
            (execution.definition_id, ANY), (execution.state.value, ANY), (execution.origin, ANY))]
