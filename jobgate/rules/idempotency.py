"""Idempotent submits: a request carrying an Idempotency-Key, as the service sees it.

The HTTP side (jobgate.kit.idempotency) reads the key and the request's fingerprint and binds
them here for the request's duration; `Service.submit` takes the next submit's place under
the key from it, so no adapter passes anything along. Each submit a request makes has its own
place (a Datameer sequential trigger makes several), and a replay finds each where the first
request put it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from jobgate import limits
from jobgate.errors import Invalid

HEADER = "Idempotency-Key"
#: printable ASCII without spaces: a key is safe to log and to hash, never part of a key name itself
SANE = re.compile(rf"[\x21-\x7e]{{1,{limits.IDEMPOTENCY_KEY_MAX}}}")


@dataclass
class Claim:
    """One request's key and fingerprint (method, route, query, canonical body), and what its
    submits found: `replayed` once one of them answered the execution an earlier request made."""
    key: str
    fingerprint: str
    taken: int = 0
    replayed: bool = False

    @classmethod
    def of(cls, key: str, fingerprint: str) -> Claim:
        if not SANE.fullmatch(key):
            raise Invalid(f"{HEADER} must be 1 to {limits.IDEMPOTENCY_KEY_MAX} printable ASCII characters "
                          "without spaces", details={HEADER: ["not a valid key"]})
        return cls(key, fingerprint)

    def take(self) -> int:
        """The place of the request's next submit under its key (0, 1 ...)."""
        self.taken += 1
        return self.taken - 1


_current: ContextVar[Claim | None] = ContextVar("jobgate_idempotency", default=None)


@contextmanager
def bound(claim: Claim) -> Iterator[Claim]:
    """Submits made inside are made under `claim`."""
    token = _current.set(claim)
    try:
        yield claim
    finally:
        _current.reset(token)


def current() -> Claim | None:
    return _current.get()
