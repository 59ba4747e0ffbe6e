"""Hand-off to RQ: one RQ job per execution, with the same id.

The job function is the `run` entry point of the `jobgate.runner` group, named
by its import path, so the core never names the workers package. RQ's own
registries, stop-job command and worker list are used through its API.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from importlib.metadata import entry_points

import redis
from rq import Queue, Worker
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

RUNNER_GROUP = "jobgate.runner"
#: RQ's own hard limit sits above jobgate's per-step timeouts, as a backstop.
TIMEOUT_MARGIN = 30


@lru_cache(maxsize=1)
def runner() -> str:
    """The import path RQ calls for each execution ("package.module.function")."""
    (found,) = entry_points(group=RUNNER_GROUP, name="run")
    return found.value.replace(":", ".")


class JobQueue:
    def __init__(self, client: redis.Redis):
        self.redis = client

    def queue(self, name: str) -> Queue:
        return Queue(name, connection=self.redis)

    def enqueue(self, pipe, execution_id: str, queue: str, timeout: float | None,
                at: datetime | None = None) -> None:
        """Queue the run inside the caller's MULTI (see Store.create)."""
        job_timeout = -1 if timeout is None else int(timeout) + TIMEOUT_MARGIN
        q = self.queue(queue)
        # result_ttl=0: RQ deletes a succeeded job at once and keeps no result of it (jobgate's record
        # holds the outcome); a failed one stays in RQ's failed registry for failure_ttl
        job = q.create_job(runner(), args=(execution_id,), job_id=execution_id, timeout=job_timeout,
                           result_ttl=0, failure_ttl=86400, description=f"jobgate execution {execution_id}")
        if at is None:
            q.enqueue_job(job, pipeline=pipe)
        else:
            # RQ's scheduler keeps whole seconds; round up so nothing starts early.
            whole = at.replace(microsecond=0) + timedelta(seconds=1 if at.microsecond else 0)
            q.schedule_job(job, whole, pipeline=pipe)

    def enqueue_alone(self, execution_id: str, queue: str, timeout: float | None,
                      at: datetime | None = None) -> None:
        """Queue the run of an execution that already exists (a released chain link)."""
        pipe = self.redis.pipeline()
        self.enqueue(pipe, execution_id, queue, timeout, at)
        pipe.execute()

    def remove(self, execution_id: str, queue: str) -> None:
        """Take a job that has not started off its queue or schedule, and drop it.

        Plain removals rather than Job.cancel(), which fails when a worker has
        just dequeued the job; that worker finds the execution CANCELED and stops.
        """
        pipe = self.redis.pipeline()
        self.queue(queue).remove(execution_id, pipeline=pipe)
        ScheduledJobRegistry(queue, connection=self.redis).remove(execution_id, pipeline=pipe)
        pipe.delete(Job.key_for(execution_id))
        pipe.execute()

    def stop(self, execution_id: str) -> None:
        """Ask the worker running this job to kill its work horse (nothing to do when no
        worker runs it, or its RQ job is gone already)."""
        try:
            send_stop_job_command(self.redis, execution_id)
        except (InvalidJobOperation, NoSuchJobError):
            pass

    def abandon(self, execution_id: str, queue: str, why: str) -> None:
        """Take a job whose worker died out of RQ's started registry, into its failed one."""
        try:
            job = Job.fetch(execution_id, connection=self.redis)
        except NoSuchJobError:
            return
        StartedJobRegistry(queue, connection=self.redis).remove_executions(job)
        FailedJobRegistry(queue, connection=self.redis).add(job, exc_string=why)

    def requeue(self, pipe, execution_id: str, queue: str, timeout: float | None,
                at: datetime | None = None) -> None:
        """Put the RQ job of a run whose worker died back on its queue (at `at`, if given), out of the
        registries of its last run, inside the caller's MULTI (see Store.transition)."""
        try:
            StartedJobRegistry(queue, connection=self.redis).remove_executions(
                Job.fetch(execution_id, connection=self.redis), pipeline=pipe)
        except NoSuchJobError:
            pass
        FailedJobRegistry(queue, connection=self.redis).remove(execution_id, pipeline=pipe)
        pipe.delete(Job.key_for(execution_id))
        self.enqueue(pipe, execution_id, queue, timeout, at)

    def live_workers(self) -> int:
        return Worker.count(connection=self.redis)
