"""Which RQ workers are alive now, not merely registered.

RQ keeps a worker's key for its worker_ttl (420 s) after its last heartbeat, and an
idle worker beats only once per dequeue timeout (worker_ttl - 15 s), so RQ's registry
still lists a SIGKILLed worker minutes later. A jobgate worker beats every second
(workers.maintenance) into one sorted set, scored by the time of its beat; a worker is
alive when its last beat, jobgate's or RQ's own, is younger than `stale_after`. A plain
`rq worker` is therefore counted only while its own heartbeats are that fresh.
"""
from __future__ import annotations

import redis
from rq import worker_registration
from rq.utils import utcparse

from jobgate.model import now, to_ms
from jobgate.store import keys

#: beats older than this (ms) are dropped as others beat: workers that vanished long ago
FORGET_AFTER_MS = 86_400_000


class Liveness:
    def __init__(self, client: redis.Redis):
        self.redis = client

    def beat(self, worker_key: str) -> None:
        """This worker (RQ's key for it) is alive now."""
        at = to_ms(now())
        pipe = self.redis.pipeline(transaction=False)
        pipe.zadd(keys.WORKER_BEATS, {worker_key: at})
        pipe.zremrangebyscore(keys.WORKER_BEATS, "-inf", at - FORGET_AFTER_MS)
        pipe.execute()

    def forget(self, worker_key: str) -> None:
        """A worker that stops says so, rather than being counted until its beat goes stale."""
        self.redis.zrem(keys.WORKER_BEATS, worker_key)

    def live(self, stale_after: float) -> int:
        """RQ's registered workers whose last beat is within `stale_after` seconds: one round
        trip for the registry, one for every worker's two beats."""
        registered = sorted(worker_registration.get_keys(connection=self.redis))
        if not registered:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        pipe.zmscore(keys.WORKER_BEATS, registered)
        for key in registered:
            pipe.hget(key, "last_heartbeat")
        ours, *theirs = pipe.execute()
        cutoff = to_ms(now()) - stale_after * 1000
        return sum(max(own or 0, _ms(rq)) >= cutoff for own, rq in zip(ours, theirs, strict=True))


def _ms(stamp: bytes | None) -> float:
    return to_ms(utcparse(stamp.decode())) if stamp else 0
