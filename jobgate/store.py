"""Redis persistence of executions: records, indexes, logs and results.

An execution is one JSON string. Every listing a dialect needs is a sorted set
scored by `seq`, one per combination of (definition, state, origin) within a
tenant, so any filter combination is one ZRANGE: O(log n + page), no SCAN.
State changes run as one Lua script (jobgate.lua) that checks the transition
table and moves the index entries; creation is one MULTI together with the
RQ enqueue, so a record never exists without its job or the reverse.
"""
from __future__ import annotations

import json
from itertools import product
from typing import Callable, Iterable

import redis

from jobgate import lua
from jobgate.connection import PREFIX, guarded
from jobgate.errors import AlreadyRunning, Conflict, ExecutionNotFound, VersionMismatch
from jobgate.model import TERMINAL, Execution, State, dump, load, now, sources, to_ms

ANY = "*"


def index_key(tenant: str, definition: str = ANY, state: str = ANY, origin: str = ANY) -> str:
    return f"{PREFIX}ix:{tenant}:{definition}:{state}:{origin}"


def _csv(states: Iterable[State]) -> str:
    return ",".join(s.value for s in states)


#: Client data kept as JSON text inside the record: Lua's cjson would turn an
#: empty list into {} and round large integers, and clients get it back untouched.
OPAQUE = ("parameters", "attributes")


#: Fields derived on every read (the log's length), never written.
DERIVED = ("log_size",)


def _at_rest(fields: dict) -> dict:
    return {k: json.dumps(v) if k in OPAQUE else v for k, v in fields.items() if k not in DERIVED}


def _execution(raw) -> Execution:
    data = json.loads(raw)
    for key in OPAQUE:
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    return load(Execution, data)


class Store:
    """Executions in Redis. Callers pass validated slugs (see model.SLUG)."""

    seq_key = PREFIX + "seq:execution"
    seq_hash = PREFIX + "execution-seq"
    heartbeats = PREFIX + "heartbeats"
    expiries = PREFIX + "expiries"
    slot_prefix = PREFIX + "slot:"

    def __init__(self, client: redis.Redis):
        self.redis = client
        self._transition = client.register_script(lua.TRANSITION)
        self._heartbeat = client.register_script(lua.HEARTBEAT)
        self._purge = client.register_script(lua.PURGE)

    # -- keys --------------------------------------------------------------
    @staticmethod
    def record_key(execution_id: str) -> str:
        return f"{PREFIX}execution:{execution_id}"

    @staticmethod
    def log_key(execution_id: str) -> str:
        return f"{PREFIX}log:{execution_id}"

    @staticmethod
    def result_key(execution_id: str) -> str:
        return f"{PREFIX}result:{execution_id}"

    @staticmethod
    def plan_key(execution_id: str) -> str:
        return f"{PREFIX}plan:{execution_id}"

    @staticmethod
    def dependents_key(execution_id: str) -> str:
        return f"{PREFIX}dependents:{execution_id}"

    @staticmethod
    def process_group_key(execution_id: str) -> str:
        return f"{PREFIX}pgid:{execution_id}"

    def slot_key(self, tenant: str, definition_id: str) -> str:
        return f"{self.slot_prefix}{tenant}:{definition_id}"

    # -- writes ------------------------------------------------------------
    def next_seq(self) -> int:
        return int(self.redis.incr(self.seq_key))

    def create(self, execution: Execution, plan: dict, *, exclusive: bool,
               enqueue: Callable[[redis.client.Pipeline], None] | None = None) -> None:
        """Write a new execution (and its RQ job, through `enqueue`, or its place among
        the dependents of each execution in `execution.after`) in one MULTI.

        With `exclusive`, the definition's slot must be free: of two racing
        submits, WATCH lets exactly one commit.
        """
        slot = self.slot_key(execution.tenant, execution.definition_id)
        record = json.dumps(_at_rest(dump(execution)))

        def write(pipe: redis.client.Pipeline) -> None:
            if exclusive:
                holder = pipe.get(slot)
                if holder and self._holds_slot(pipe, holder.decode()):
                    raise AlreadyRunning(definition_id=execution.definition_id)
            pipe.multi()
            pipe.set(self.record_key(execution.id), record)
            pipe.set(self.plan_key(execution.id), json.dumps(plan))
            pipe.hset(self.seq_hash, str(execution.seq), execution.id)
            for key in self._all_index_keys(execution):
                pipe.zadd(key, {execution.id: execution.seq})
            if exclusive:
                pipe.set(slot, execution.id)
            if execution.expires:
                pipe.zadd(self.expiries, {execution.id: to_ms(execution.expires)})
            for prerequisite in execution.after:
                pipe.sadd(self.dependents_key(prerequisite), execution.id)
            if enqueue:
                enqueue(pipe)

        if exclusive:
            guarded(lambda: self.redis.transaction(write, slot))
        else:       # nothing to watch: one MULTI round trip
            pipe = self.redis.pipeline(transaction=True)
            write(pipe)
            guarded(pipe.execute)

    def _holds_slot(self, pipe, holder_id: str) -> bool:
        raw = pipe.get(self.record_key(holder_id))
        return bool(raw) and State(json.loads(raw)["state"]) not in TERMINAL

    def transition(self, execution_id: str, to: State | None = None, patch: dict | None = None, *,
                   allowed: Iterable[State] | None = None, expected_version: int | None = None) -> Execution:
        """Atomically move to `to` (checked against the transition table) and/or patch fields."""
        if to is not None:
            allowed = sources(to) if allowed is None else set(allowed) & sources(to)
            if not allowed:
                raise ValueError(f"no state may become {to.value}")
        args = [_csv(allowed or ()), to.value if to else "", json.dumps(_at_rest(patch or {})),
                "" if expected_version is None else str(expected_version),
                PREFIX + "ix:", to_ms(now()), _csv(TERMINAL), self.slot_prefix]
        try:
            raw = guarded(lambda: self._transition(
                keys=[self.record_key(execution_id), self.heartbeats, self.expiries], args=args))
        except redis.ResponseError as exc:
            reason, _, detail = str(exc).partition(" ")
            if reason == "NOTFOUND":
                raise ExecutionNotFound(id=execution_id) from None
            if reason == "VERSION":
                raise VersionMismatch(current=int(detail)) from None
            if reason == "CONFLICT":
                raise Conflict(f"execution is {detail}" + (f", cannot become {to.value}" if to else ""),
                               state=detail) from None
            raise
        return _execution(raw)

    def heartbeat(self, execution_id: str) -> bool:
        return bool(guarded(lambda: self._heartbeat(
            keys=[self.record_key(execution_id), self.heartbeats], args=[to_ms(now())])))

    def purge(self, execution_id: str, *, only_ended: bool = False, expected_version: int | None = None) -> bool:
        """Remove it with its log, result, plan and index entries (checking the version if given)."""
        keys = [self.record_key(execution_id), self.log_key(execution_id), self.result_key(execution_id),
                self.plan_key(execution_id), self.seq_hash, self.heartbeats, self.expiries,
                self.dependents_key(execution_id), self.process_group_key(execution_id)]
        args = [PREFIX + "ix:", execution_id, self.slot_prefix, _csv(TERMINAL) if only_ended else "",
                "" if expected_version is None else str(expected_version)]
        try:
            return bool(guarded(lambda: self._purge(keys=keys, args=args)))
        except redis.ResponseError as exc:
            reason, _, detail = str(exc).partition(" ")
            if reason == "VERSION":
                raise VersionMismatch(current=int(detail)) from None
            raise

    def purge_expired(self, limit: int = 100) -> int:
        """Remove executions past their `expires` time; cheap when none are due."""
        due = guarded(lambda: self.redis.zrangebyscore(self.expiries, "-inf", to_ms(now()), 0, limit))
        return sum(self.purge(raw.decode(), only_ended=True) for raw in due)

    def append_log(self, execution_id: str, text: str) -> int:
        return guarded(lambda: self.redis.append(self.log_key(execution_id), text.encode()))

    def set_process_group(self, execution_id: str, pgid: int | None) -> None:
        """Where a running step's processes are, so the worker can kill them with the horse."""
        key = self.process_group_key(execution_id)
        guarded(lambda: self.redis.delete(key) if pgid is None else self.redis.set(key, pgid, ex=86400))

    def process_group(self, execution_id: str) -> int | None:
        raw = guarded(lambda: self.redis.get(self.process_group_key(execution_id)))
        return None if raw is None else int(raw)

    def dependents(self, execution_id: str) -> list[str]:
        return sorted(m.decode() for m in guarded(lambda: self.redis.smembers(self.dependents_key(execution_id))))

    def set_result(self, execution_id: str, data) -> None:
        guarded(lambda: self.redis.set(self.result_key(execution_id), json.dumps(data)))

    # -- reads -------------------------------------------------------------
    def get(self, ref: str | int) -> Execution | None:
        """By uuid or by integer seq (as int or decimal string)."""
        execution_id = str(ref)
        if execution_id.isdigit():
            found = guarded(lambda: self.redis.hget(self.seq_hash, execution_id))
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
        key = index_key(tenant, definition or ANY, state or ANY, origin or ANY)
        pipe = self.redis.pipeline(transaction=False)
        pipe.zcard(key)
        if after_seq is None:
            pipe.zrange(key, offset, offset + limit - 1, desc=newest_first)
        elif newest_first:
            pipe.zrevrangebyscore(key, f"({after_seq}", "-inf", 0, limit)
        else:
            pipe.zrangebyscore(key, f"({after_seq}", "+inf", 0, limit)
        total, ids = guarded(pipe.execute)
        return self._load_many([i.decode() for i in ids]), total

    def read_log(self, execution_id: str, offset: int = 0, limit: int = 1 << 20) -> bytes:
        return guarded(lambda: self.redis.getrange(self.log_key(execution_id), offset, offset + limit - 1))

    def get_result(self, execution_id: str):
        raw = guarded(lambda: self.redis.get(self.result_key(execution_id)))
        return None if raw is None else json.loads(raw)

    def get_plan(self, execution_id: str) -> dict | None:
        raw = guarded(lambda: self.redis.get(self.plan_key(execution_id)))
        return None if raw is None else json.loads(raw)

    def stale(self, older_than_ms: int, limit: int = 100) -> list[str]:
        """RUNNING executions whose last heartbeat is older than the cutoff."""
        ids = guarded(lambda: self.redis.zrangebyscore(self.heartbeats, "-inf", older_than_ms, 0, limit))
        return [i.decode() for i in ids]

    def _load_many(self, ids: list[str]) -> list[Execution]:
        if not ids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        pipe.mget([self.record_key(i) for i in ids])
        for i in ids:
            pipe.strlen(self.log_key(i))
        raws, *sizes = guarded(pipe.execute)
        out = []
        for raw, size in zip(raws, sizes):
            if raw:
                execution = _execution(raw)
                execution.log_size = size
                out.append(execution)
        return out

    def _all_index_keys(self, execution: Execution) -> list[str]:
        return [index_key(execution.tenant, d, s, o) for d, s, o in product(
            (execution.definition_id, ANY), (execution.state.value, ANY), (execution.origin, ANY))]
