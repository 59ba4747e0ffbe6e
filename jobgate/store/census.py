"""What an operator asks of a deployment (`jobgate status`): its queues, its workers, its executions by state.

Read straight from Redis (RQ's own records through its API, jobgate's per-tenant
state indexes), so it answers with no gateway running.
"""
from __future__ import annotations

from datetime import UTC, datetime

import redis
from rq import Queue, Worker
from rq.job import Job

from jobgate.store import keys


def queues(client: redis.Redis) -> list[dict]:
    """Each RQ queue: how many jobs wait in it and how long the oldest has waited (seconds, None if empty)."""
    found = []
    for queue in sorted(Queue.all(connection=client), key=lambda q: q.name):
        oldest = queue.get_job_ids(0, 0)
        job = Job.fetch(oldest[0], connection=client) if oldest else None
        found.append({"name": queue.name, "depth": queue.count,
                      "oldest_age": _age(job.enqueued_at) if job and job.enqueued_at else None})
    return found


def workers(client: redis.Redis) -> list[dict]:
    """Each registered RQ worker: its name, state, the execution it runs and its last heartbeat's age."""
    return [{"name": worker.name, "state": str(worker.get_state()), "queues": worker.queue_names(),
             "current": worker.get_current_job_id(),
             "heartbeat_age": _age(worker.last_heartbeat) if worker.last_heartbeat else None}
            for worker in sorted(Worker.all(connection=client), key=lambda w: w.name)]


def executions_by_state(client: redis.Redis) -> dict[str, int]:
    """Executions of every tenant, counted by state (from the (tenant, *, state, *) indexes)."""
    counts: dict[str, int] = {}
    pattern = keys.index("*", r"\*", "*", r"\*")
    for key in client.scan_iter(match=pattern, count=500):
        name = key.decode() if isinstance(key, bytes) else key
        parts = name.split(":")
        if len(parts) != 6:
            continue
        _, _, _tenant, definition, state, origin = parts
        if definition == keys.ANY and origin == keys.ANY and state != keys.ANY:
            counts[state] = counts.get(state, 0) + client.zcard(name)
    return counts


def _age(moment: datetime) -> float:
    when = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return max(0.0, (datetime.now(UTC) - when).total_seconds())
