"""Failed logins in Redis, so every gateway process sees the same counts and waits.

A subject is what failures are counted against: a user name, a client address,
or both together. Keys hold a digest of it, never the client's text (a user
name is whatever a client sent). Counting and starting a wait is one script
(lua.LOGIN_FAILED); reading a subject's state is one round trip.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from jobgate.store import keys, lua


@dataclass(frozen=True)
class Standing:
    failures: int
    #: seconds until it may try again (0: now)
    wait: float


def _digest(subject: str) -> str:
    return hashlib.sha256(subject.encode(errors="surrogatepass")).hexdigest()[:32]


class LoginAttempts:
    def __init__(self, client):
        self.redis = client
        self._failed = client.register_script(lua.LOGIN_FAILED)

    def standing(self, subjects: dict[str, str]) -> dict[str, Standing]:
        """scope -> its subject's failures and wait, for each (scope, subject) given."""
        pipe = self.redis.pipeline(transaction=False)
        for scope, subject in subjects.items():
            pipe.get(keys.login_failures(scope, _digest(subject)))
            pipe.pttl(keys.login_wait(scope, _digest(subject)))
        replies = pipe.execute()
        return {scope: Standing(int(replies[2 * i] or 0), max(0, replies[2 * i + 1]) / 1000)
                for i, scope in enumerate(subjects)}

    def failed(self, subjects: dict[str, tuple[str, int]], window: float, backoff: float) -> dict[str, int]:
        """Count a failure against each scope's subject (given with its threshold); their counts now."""
        script_keys = []
        for scope, (subject, _) in subjects.items():
            script_keys += [keys.login_failures(scope, _digest(subject)), keys.login_wait(scope, _digest(subject))]
        args = [int(window * 1000), int(backoff * 1000), *(threshold for _, threshold in subjects.values())]
        return dict(zip(subjects, self._failed(keys=script_keys, args=args), strict=True))

    def forget(self, scope: str, subject: str) -> None:
        self.redis.delete(keys.login_failures(scope, _digest(subject)), keys.login_wait(scope, _digest(subject)))
