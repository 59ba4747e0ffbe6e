"""Documents a dialect keeps that the canonical model has no place for (SAS job requests).

One Redis hash per (namespace, tenant), id -> JSON with a `version` that every
save bumps; a save naming the version it read fails if another write came between.
"""
from __future__ import annotations

import json

import redis

from jobgate.errors import NotFound, VersionMismatch
from jobgate.store import keys


class Documents:
    def __init__(self, client: redis.Redis):
        self.redis = client

    def get(self, namespace: str, tenant: str, document_id: str) -> dict | None:
        raw = self.redis.hget(keys.documents(namespace, tenant), document_id)
        return None if raw is None else json.loads(raw)

    def list(self, namespace: str, tenant: str) -> list[dict]:
        return [json.loads(raw) for raw in self.redis.hvals(keys.documents(namespace, tenant))]

    def save(self, namespace: str, tenant: str, document_id: str, data: dict, *, new: bool,
             expected_version: int | None = None) -> dict:
        """Create, or replace the stored one (the version `expected_version`, when given)."""
        key = keys.documents(namespace, tenant)
        saved = {}

        def write(pipe) -> None:
            raw = pipe.hget(key, document_id)
            current = None if raw is None else json.loads(raw)["version"]
            if not new and current is None:
                raise NotFound(f"no document {document_id!r}", id=document_id)
            if expected_version is not None and current != expected_version:
                raise VersionMismatch(current=current)
            saved.update(data, version=(current or 0) + 1)
            pipe.multi()
            pipe.hset(key, document_id, json.dumps(saved))

        self.redis.transaction(write, key)
        return saved

    def delete(self, namespace: str, tenant: str, document_id: str) -> bool:
        return bool(self.redis.hdel(keys.documents(namespace, tenant), document_id))
