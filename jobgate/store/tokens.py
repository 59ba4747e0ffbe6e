"""Tokens issued by the login endpoints, kept in Redis with a TTL.

Stored under a hash of the token, so a dump of Redis leaks no credentials.
"""
from __future__ import annotations

import hashlib
import json
import secrets

from jobgate.model import Principal
from jobgate.store import keys


class Tokens:
    def __init__(self, client):
        self.redis = client

    def issue(self, principal: Principal, ttl: int) -> str:
        token = secrets.token_urlsafe(32)
        record = json.dumps({"name": principal.name, "tenant": principal.tenant})
        self.redis.set(keys.token(_digest(token)), record, ex=ttl)
        return token

    def principal(self, token: str) -> Principal | None:
        raw = self.redis.get(keys.token(_digest(token)))
        if raw is None:
            return None
        data = json.loads(raw)
        return Principal(data["name"], data["tenant"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
