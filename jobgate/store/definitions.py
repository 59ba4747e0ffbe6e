"""Job definitions at rest: the operator's catalog jobs (in memory) and API-created ones (Redis).

Catalog jobs are global (every tenant sees them) and read-only; API-created
ones belong to one tenant. Both get a stable uuid and an integer `seq` for
dialects with numeric ids, and are found by id, uuid or seq.
"""
from __future__ import annotations

import json

import redis

from jobgate.errors import DefinitionNotFound, Invalid, QuotaExceeded, VersionMismatch
from jobgate.model import SLUG, Definition, dump, load
from jobgate.store import keys


class Definitions:
    """Looks definitions up by id, uuid or seq, within what a tenant may see."""

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
            ref = f"catalog/{job.id}"
            seq = self.redis.hget(keys.DEFINITION_REFS, ref)
            if seq is None:
                self.redis.hsetnx(keys.DEFINITION_REFS, ref, self.redis.incr(keys.DEFINITION_SEQ))
                seq = self.redis.hget(keys.DEFINITION_REFS, ref)
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
        raw = self.redis.get(keys.definition(tenant, ref))
        if raw is None:
            owner = self.redis.hget(keys.DEFINITION_REFS, ref if not ref.isdigit() else f"#{ref}")
            if owner is None or not owner.decode().startswith(tenant + "/"):
                return None
            raw = self.redis.get(keys.definition(tenant, owner.decode().split("/", 1)[1]))
        return None if raw is None else load(Definition, json.loads(raw))

    def list(self, tenant: str) -> list[Definition]:
        self._assign_seqs()
        ids = self.redis.zrange(keys.definitions(tenant), 0, -1)
        raws = self.redis.mget([keys.definition(tenant, i.decode()) for i in ids]) if ids else []
        return list(self.jobs.values()) + [load(Definition, json.loads(r)) for r in raws if r]

    def save(self, definition: Definition, *, new: bool, expected_version: int | None = None,
             limit: int | None = None) -> Definition:
        """Create (of two racing creates of one id exactly one wins; none while the tenant has
        `limit` jobs) or replace the version `expected_version` (a racing update makes this one
        a VersionMismatch)."""
        if definition.id in self.jobs:
            raise Invalid(f"job {definition.id!r} is an operator catalog job and cannot be changed")
        key = keys.definition(definition.tenant, definition.id)
        tenant_key = keys.definitions(definition.tenant)
        if new:
            definition.seq = self.redis.incr(keys.DEFINITION_SEQ)
        owner = f"{definition.tenant}/{definition.id}"

        def write(pipe) -> None:
            raw = pipe.get(key)
            if new and raw is not None:
                raise Invalid(f"job {definition.id!r} already exists", id=definition.id)
            if new and limit is not None and pipe.zcard(tenant_key) >= limit:
                raise QuotaExceeded(f"tenant {definition.tenant} has {limit} jobs, as many as its quota allows; "
                                    "delete one first", quota=limit)
            if not new:
                current = None if raw is None else json.loads(raw)["version"]
                if current is None:
                    raise DefinitionNotFound(f"no job {definition.id!r}", id=definition.id)
                if expected_version is not None and current != expected_version:
                    raise VersionMismatch(current=current)
            pipe.multi()
            pipe.set(key, json.dumps(dump(definition)))
            pipe.zadd(tenant_key, {definition.id: definition.seq})
            pipe.hset(keys.DEFINITION_REFS, mapping={definition.uuid: owner, f"#{definition.seq}": owner})

        self.redis.transaction(write, key, tenant_key)
        return definition

    def delete(self, definition: Definition) -> None:
        if definition.source == "catalog":
            raise Invalid(f"job {definition.id!r} is an operator catalog job and cannot be deleted")
        pipe = self.redis.pipeline()
        pipe.delete(keys.definition(definition.tenant, definition.id))
        pipe.zrem(keys.definitions(definition.tenant), definition.id)
        pipe.hdel(keys.DEFINITION_REFS, definition.uuid, f"#{definition.seq}")
        pipe.execute()
