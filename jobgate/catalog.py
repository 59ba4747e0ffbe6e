"""Job definitions: the operator's catalog file plus ones created through APIs.

Catalog jobs are global (every tenant sees them) and read-only; API-created
ones belong to one tenant and live in Redis. Both get a stable uuid and an
integer `seq` for dialects with numeric ids. Step types are found through the
`jobgate.steps` entry points and validate their own params.
"""
from __future__ import annotations

import json
import tomllib
from importlib.metadata import entry_points
from typing import Any, Callable

import redis
from croniter import croniter

from jobgate.config import Settings
from jobgate.connection import PREFIX, guarded
from jobgate.errors import DefinitionNotFound, Invalid, VersionMismatch
from jobgate.model import SLUG, Definition, StepSpec, dump, load, now

def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: Each key a job may have, with what its value must be. Anything else is a mistake
#: (`alow_concurrent = false` must not quietly allow concurrency).
_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (lambda v: isinstance(v, str), "must be a string"),
    "description": (lambda v: isinstance(v, str), "must be a string"),
    "parameters": (lambda v: isinstance(v, dict), "must be a table"),
    "allow_concurrent": (lambda v: isinstance(v, bool), "must be true or false"),
    "restartable": (lambda v: isinstance(v, bool), "must be true or false"),
    "timeout": (lambda v: v is None or (_number(v) and v > 0), "must be a positive number of seconds"),
    "retries": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100, "must be 0 to 100"),
    "retry_delay": (lambda v: _number(v) and 0 <= v <= 86400, "must be 0 to 86400 seconds"),
    "queue": (lambda v: isinstance(v, str) and bool(SLUG.match(v)), "must be a slug"),
    "labels": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "must be a list of strings"),
    "schedule": (lambda v: v is None or (isinstance(v, str) and croniter.is_valid(v)), "must be a cron expression"),
    "schedule_tenant": (lambda v: v is None or (isinstance(v, str) and bool(SLUG.match(v))), "must be a slug"),
    "attributes": (lambda v: isinstance(v, dict), "must be a table"),
}
_STEP_KEYS = {"id", "type", "description", "params", "timeout"}
EDITABLE = frozenset(_CHECKS) | {"steps"}


class CatalogError(ValueError):
    """A mistake in the operator's catalog file, named by file, job and field."""


def step_types() -> dict[str, type]:
    return {ep.name: ep.load() for ep in entry_points(group="jobgate.steps")}


def build_definition(data: dict[str, Any], *, tenant: str | None, source: str,
                     types: dict[str, type], settings: Settings) -> Definition:
    """Validate a definition given as a dict; raise ValueError("field: message")."""
    job_id = data.get("id")
    if not isinstance(job_id, str) or not SLUG.match(job_id):
        raise ValueError("id: must be 1-128 letters, digits, '_', '-' or '.'")
    steps = data.get("step", data.get("steps", []))
    if not isinstance(steps, list) or not steps:
        raise ValueError("step: a job needs at least one step")
    specs = []
    for index, raw in enumerate(steps):
        where = f"step[{index}]"
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: must be a table")
        unknown = set(raw) - _STEP_KEYS
        if unknown:
            raise ValueError(f"{where}.{sorted(unknown)[0]}: unknown key (known: {', '.join(sorted(_STEP_KEYS))})")
        if raw.get("timeout") is not None and not (_number(raw["timeout"]) and raw["timeout"] > 0):
            raise ValueError(f"{where}.timeout: must be a positive number of seconds")
        kind = raw.get("type")
        if kind not in types:
            raise ValueError(f"{where}.type: unknown step type {kind!r} (known: {', '.join(sorted(types))})")
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise ValueError(f"{where}.params: must be a table")
        try:
            types[kind].validate(params, settings)
        except ValueError as exc:
            raise ValueError(f"{where}.params.{exc}") from None
        specs.append(StepSpec(id=str(raw.get("id") or f"step{index + 1}"), type=kind,
                              description=str(raw.get("description", "")), params=params,
                              timeout=raw.get("timeout")))
    values = {k: v for k, v in data.items() if k not in ("id", "step", "steps")}
    for key, value in values.items():
        if key not in _CHECKS:
            raise ValueError(f"{key}: unknown key (known: id, step, {', '.join(_CHECKS)})")
        valid, why = _CHECKS[key]
        if not valid(value):
            raise ValueError(f"{key}: {why}")
    values.setdefault("name", job_id)
    stamp = now()
    definition = Definition(id=job_id, **values, tenant=tenant, steps=specs, source=source,
                            created=stamp, modified=stamp)
    definition.uuid = definition.stable_uuid()
    return definition


def load_file(path: str, types: dict[str, type], settings: Settings) -> list[Definition]:
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: {exc}") from None
    jobs, seen = [], set()
    for index, job in enumerate(document.get("job", [])):
        name = job.get("id", f"#{index + 1}")
        try:
            definition = build_definition(job, tenant=None, source="catalog", types=types, settings=settings)
        except ValueError as exc:
            raise CatalogError(f"{path}: job {name!r}: {exc}") from None
        if definition.id in seen:
            raise CatalogError(f"{path}: job {name!r}: id: defined twice")
        seen.add(definition.id)
        jobs.append(definition)
    return jobs


class Catalog:
    """Looks definitions up by id, uuid or seq, within what a tenant may see."""

    seq_key = PREFIX + "seq:definition"
    refs = PREFIX + "definition-refs"          # uuid / "#seq" -> "tenant/id"

    def __init__(self, client: redis.Redis, jobs: list[Definition] = ()):
        self.redis = client
        self.jobs = {job.id: job for job in jobs}
        self._seqs_assigned = False

    def _assign_seqs(self) -> None:
        """Give catalog jobs the same seq across restarts and processes (on first use,
        so the gateway starts while Redis is still away)."""
        if self._seqs_assigned:
            return
        for job in self.jobs.values():
            key = f"catalog/{job.id}"
            seq = guarded(lambda: self.redis.hget(self.refs, key))
            if seq is None:
                guarded(lambda: self.redis.hsetnx(self.refs, key, self.redis.incr(self.seq_key)))
                seq = guarded(lambda: self.redis.hget(self.refs, key))
            job.seq = int(seq)
        self._seqs_assigned = True

    def get(self, tenant: str, ref: str) -> Definition | None:
        self._assign_seqs()
        ref = str(ref)
        if ref in self.jobs:
            return self.jobs[ref]
        for job in self.jobs.values():
            if ref in (job.uuid, str(job.seq)):
                return job
        if not SLUG.match(ref):
            return None
        raw = guarded(lambda: self.redis.get(self._key(tenant, ref)))
        if raw is None:
            owner = guarded(lambda: self.redis.hget(self.refs, ref if not ref.isdigit() else f"#{ref}"))
            if owner is None or not owner.decode().startswith(tenant + "/"):
                return None
            raw = guarded(lambda: self.redis.get(self._key(tenant, owner.decode().split("/", 1)[1])))
        return None if raw is None else load(Definition, json.loads(raw))

    def list(self, tenant: str) -> list[Definition]:
        self._assign_seqs()
        ids = guarded(lambda: self.redis.zrange(self._index(tenant), 0, -1))
        raws = guarded(lambda: self.redis.mget([self._key(tenant, i.decode()) for i in ids])) if ids else []
        return list(self.jobs.values()) + [load(Definition, json.loads(r)) for r in raws if r]

    def save(self, definition: Definition, *, new: bool, expected_version: int | None = None) -> Definition:
        """Create (of two racing creates of one id exactly one wins) or replace the version
        `expected_version` (a racing update makes this one a VersionMismatch)."""
        if definition.id in self.jobs:
            raise Invalid(f"job {definition.id!r} is an operator catalog job and cannot be changed")
        key = self._key(definition.tenant, definition.id)
        if new:
            definition.seq = guarded(lambda: self.redis.incr(self.seq_key))
        owner = f"{definition.tenant}/{definition.id}"

        def write(pipe) -> None:
            raw = pipe.get(key)
            if new and raw is not None:
                raise Invalid(f"job {definition.id!r} already exists", id=definition.id)
            if not new:
                current = None if raw is None else json.loads(raw)["version"]
                if current is None:
                    raise DefinitionNotFound(f"no job {definition.id!r}", id=definition.id)
                if expected_version is not None and current != expected_version:
                    raise VersionMismatch(current=current)
            pipe.multi()
            pipe.set(key, json.dumps(dump(definition)))
            pipe.zadd(self._index(definition.tenant), {definition.id: definition.seq})
            pipe.hset(self.refs, mapping={definition.uuid: owner, f"#{definition.seq}": owner})

        guarded(lambda: self.redis.transaction(write, key))
        return definition

    def delete(self, definition: Definition) -> None:
        if definition.source == "catalog":
            raise Invalid(f"job {definition.id!r} is an operator catalog job and cannot be deleted")
        pipe = self.redis.pipeline()
        pipe.delete(self._key(definition.tenant, definition.id))
        pipe.zrem(self._index(definition.tenant), definition.id)
        pipe.hdel(self.refs, definition.uuid, f"#{definition.seq}")
        guarded(pipe.execute)

    @staticmethod
    def _key(tenant: str, job_id: str) -> str:
        return f"{PREFIX}definition:{tenant}:{job_id}"

    @staticmethod
    def _index(tenant: str) -> str:
        return f"{PREFIX}definitions:{tenant}"
