"""Bulk seeding: many finished executions written through the store's own `Store.create`
(one script, one round trip each), so they are exactly the keys the store writes (record,
plan, seq map, index entries) at Redis's speed rather than a request's.

Each is a copy of a template (one real submit per dialect, so every origin's attributes
are there) under a fresh id and seq, ended SUCCEEDED, FAILED or CANCELED, created one second
after the one before. Their RQ jobs are not written: a finished run's RQ job expires
(result_ttl) and the store keeps the rest.
"""
from __future__ import annotations

import dataclasses
import time
import uuid
from datetime import UTC, datetime

import redis

from jobgate.model import Execution, Progress, State
from jobgate.store import keys
from jobgate.store.executions import Store

#: one in 20 failed, one in 20 canceled, the rest succeeded
ENDS = [State.FAILED, State.CANCELED] + [State.SUCCEEDED] * 18


def finished(template: Execution, seq: int, state: State, created_ms: int) -> Execution:
    """The template as a run that ended in `state`: queued at once, 2 ms to start, 5 ms to end."""
    at = lambda ms: datetime.fromtimestamp(ms / 1000, UTC)     # noqa: E731
    started, ended = at(created_ms + 2), at(created_ms + 7)
    steps = [dataclasses.replace(step, state=state, started=started, ended=ended) for step in template.steps]
    return dataclasses.replace(
        template, id=str(uuid.uuid4()), seq=seq, state=state, created=at(created_ms), queued=at(created_ms),
        started=started, ended=ended, modified=ended, heartbeat=None, steps=steps, version=4,
        progress=Progress(percent=100.0), message="" if state is State.SUCCEEDED else state.value.lower())


def seed(client: redis.Redis, templates: list[tuple[Execution, dict]], count: int, *, first_ms: int) -> dict:
    """Write `count` finished executions, round-robin over (execution, plan) templates; the
    n-th seq ever handed out is created at first_ms + n seconds. Returns count, seconds, rate."""
    started = time.perf_counter()
    store = Store(client)
    last = int(client.incrby(keys.EXECUTION_SEQ, count))
    for n, seq in enumerate(range(last - count + 1, last + 1)):
        template, plan = templates[n % len(templates)]
        store.create(finished(template, seq, ENDS[seq % len(ENDS)], first_ms + 1000 * seq), plan, exclusive=False)
    elapsed = time.perf_counter() - started
    return {"count": count, "seconds": round(elapsed, 1), "per_s": round(count / elapsed)}
