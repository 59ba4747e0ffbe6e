"""Idempotency keys in Redis: which executions a tenant's key stands for.

One hash per (tenant, key digest): the fingerprint of the request that first used the key
and, for each submit that request made (its place: 0, 1 ...), the id of the execution it
made. The hash is read and written by the one script that creates the execution (Store.create,
lua.CREATE; its field names are these), so of racing submits with one key exactly one commits
and the others find its execution. It expires with the key's lifetime, counted from that first
request: replays read it and never extend it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from jobgate.errors import KeyReused
from jobgate.store import keys

FINGERPRINT = "fingerprint"


@dataclass(frozen=True)
class Place:
    """One submit's place under a key: the hash, the place, the request's fingerprint, the lifetime."""
    key: str
    index: int
    fingerprint: str
    ttl: int

    @classmethod
    def of(cls, tenant: str, client_key: str, index: int, fingerprint: str, ttl: int) -> Place:
        """The client's key is hashed: client text never becomes part of a key name."""
        return cls(keys.idempotency(tenant, hashlib.sha256(client_key.encode()).hexdigest()), index, fingerprint, ttl)

    def earlier(self, reader) -> str | None:
        """The id of the execution made at this place before (if it still exists), read through
        `reader` (the client; lua.CREATE reads it again, atomically); KeyReused if another request used the key."""
        fingerprint, made = reader.hmget(self.key, [FINGERPRINT, str(self.index)])
        if fingerprint is None:
            return None
        if fingerprint.decode() != self.fingerprint:
            raise KeyReused(details={"Idempotency-Key": ["used before for a different request"]})
        return made.decode() if made and reader.exists(keys.record(made.decode())) else None
