"""The figures /metrics reads from Redis at scrape time, so they are right however many
gateway processes and workers there are.

Executions by state and origin are the ZCARDs of the store's own per-tenant indexes (one
pipeline: tenants x states x origins, no scan over executions). Queue depth and the age of
the oldest queued job come from RQ's queue lists. Step durations are recorded by the
workers as each step ends, into one small hash per step type holding a histogram's bucket
counts, sum and count. Workers add the Redis errors they met once Redis is back.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import redis
from rq import Queue
from rq.job import Job
from rq.utils import utcparse

from jobgate.model import State, now, to_ms
from jobgate.store import keys

#: upper bounds (s) of the step duration histogram's buckets; +Inf is implied
STEP_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
OTHER_ORIGIN = "other"


class StepTimes:
    """A histogram of step durations per step type, shared by every worker."""

    def __init__(self, client: redis.Redis):
        self.redis = client

    def observe(self, step_type: str, seconds: float) -> None:
        bucket = next((str(b) for b in STEP_BUCKETS if seconds <= b), "+Inf")
        key = keys.step_times(step_type)
        pipe = self.redis.pipeline(transaction=True)
        pipe.sadd(keys.STEP_TYPES, step_type)
        pipe.hincrby(key, bucket, 1)
        pipe.hincrby(key, "count", 1)
        pipe.hincrbyfloat(key, "sum", seconds)
        pipe.execute()

    def read(self) -> dict[str, tuple[list[tuple[str, int]], float]]:
        """type -> (cumulative (upper bound, count) buckets ending with +Inf, sum of seconds)."""
        types = sorted(t.decode() for t in self.redis.smembers(keys.STEP_TYPES))
        pipe = self.redis.pipeline(transaction=False)
        for step_type in types:
            pipe.hgetall(keys.step_times(step_type))
        out = {}
        for step_type, raw in zip(types, pipe.execute(), strict=True):
            counts = {k.decode(): v for k, v in raw.items()}
            running, buckets = 0, []
            for bound in (*map(str, STEP_BUCKETS), "+Inf"):
                running += int(counts.get(bound, 0))
                buckets.append((bound, running))
            out[step_type] = (buckets, float(counts.get("sum", 0)))
        return out


class Tally:
    """Events counted in one process (its Redis errors) until they can be written. Lock-free
    (deque operations are atomic), so a process forked while another thread counts is safe."""

    def __init__(self):
        self._events: deque[None] = deque()

    def add(self) -> None:
        self._events.append(None)

    def flush(self, client: redis.Redis) -> None:
        """Add what was counted to the workers' total in Redis (kept while Redis is still away)."""
        count = len(self._events)
        if count:
            client.incrby(keys.WORKER_REDIS_ERRORS, count)
            for _ in range(count):
                self._events.popleft()


class Figures:
    """What the store tells /metrics, each read bounded by tenants, states, origins and queues."""

    def __init__(self, client: redis.Redis):
        self.redis = client
        self.step_times = StepTimes(client)

    def tenants(self) -> set[str]:
        """Every tenant that has submitted (store.executions keeps the set as it creates)."""
        return {t.decode() for t in self.redis.smembers(keys.TENANTS)}

    def executions(self, tenants: Iterable[str], origins: Iterable[str]) -> dict[tuple[str, str], int]:
        """(state, origin) -> executions, over all tenants; origins not named are `other`."""
        tenants, origins = sorted(tenants), sorted(set(origins))
        pipe = self.redis.pipeline(transaction=False)
        for tenant in tenants:
            for state in State:
                pipe.zcard(keys.index(tenant, state=state.value))
                for origin in origins:
                    pipe.zcard(keys.index(tenant, state=state.value, origin=origin))
        counts = iter(pipe.execute())
        out = {(s.value, o): 0 for s in State for o in (*origins, OTHER_ORIGIN)}
        for _ in tenants:
            for state in State:
                total = next(counts)
                for origin in origins:
                    found = next(counts)
                    out[state.value, origin] += found
                    total -= found
                out[state.value, OTHER_ORIGIN] += total
        return out

    def queues(self, names: Iterable[str]) -> dict[str, tuple[int, float]]:
        """queue -> (jobs waiting on it, age in seconds of the oldest, 0 when none): RQ queues at
        the tail, so the head is the oldest."""
        names = sorted(names)
        pipe = self.redis.pipeline(transaction=False)
        for key in (Queue(name, connection=self.redis).key for name in names):
            pipe.llen(key)
            pipe.lindex(key, 0)
        replies = pipe.execute()
        depths, heads = replies[0::2], [h.decode() for h in replies[1::2] if h]
        pipe = self.redis.pipeline(transaction=False)
        for head in heads:
            pipe.hget(Job.key_for(head), "enqueued_at")
        enqueued = dict(zip(heads, pipe.execute(), strict=True)) if heads else {}
        at = to_ms(now())
        out = {}
        for name, depth, head in zip(names, depths, replies[1::2], strict=True):
            stamp = enqueued.get(head.decode()) if head else None
            out[name] = (int(depth), max(0.0, (at - to_ms(utcparse(stamp.decode()))) / 1000) if stamp else 0.0)
        return out

    def worker_redis_errors(self) -> int:
        return int(self.redis.get(keys.WORKER_REDIS_ERRORS) or 0)
