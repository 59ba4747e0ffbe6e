"""Hand-off to RQ: one RQ job per execution, with the same id.

The job function is the `run` entry point of the `jobgate.runner` group, named
by its import path, so the core never names the workers package. RQ's own
registries, stop-job command and worker list are used through its API.

The RQ job mirrors its execution, so RQ's tools (`rq info`, rq-dashboard,
exporters) tell jobgate's story: it is described by job, tenant and dialect;
a canceled execution is a canceled RQ job, a DIED one a failed RQ job (the
worker side files the rest: workers.mirror). The execution stays the truth.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from importlib.metadata import entry_points

import redis
from rq import Queue
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import CanceledJobRegistry, FailedJobRegistry, StartedJobRegistry
from rq.results import Result
from rq.utils import current_timestamp

from jobgate.model import Execution
from jobgate.store.liveness import Liveness

RUNNER_GROUP = "jobgate.runner"
#: RQ's own hard limit sits above jobgate's per-step timeouts, as a backstop.
TIMEOUT_MARGIN = 30
#: Seconds RQ keeps a failed or canceled job (and its registry entry) for its tools to show.
KEEP_ENDED = 86400
#: Seconds RQ keeps a succeeded job (hash, result, finished registry entry): what `rq info` shows as
#: finished is the last minute's; after it a finished execution is jobgate's record alone.
KEEP_SUCCEEDED = 60


def describe(execution: Execution) -> str:
    """The RQ job's description, which RQ's tools show: what runs, for whom, asked through which API."""
    via = execution.origin or execution.trigger
    return f"{execution.definition_id} for {execution.tenant} via {via} (execution {execution.id})"


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

    def enqueue(self, pipe, execution: Execution, timeout: float | None, at: datetime | None = None) -> None:
        """Queue the run inside the caller's MULTI (see Store.create)."""
        job_timeout = -1 if timeout is None else int(timeout) + TIMEOUT_MARGIN
        q = self.queue(execution.queue)
        # a succeeded job stays in RQ only briefly (its tools show recent successes): jobgate's record
        # holds the outcome; a failed one stays in RQ's failed registry for KEEP_ENDED
        job = q.create_job(runner(), args=(execution.id,), job_id=execution.id, timeout=job_timeout,
                           result_ttl=KEEP_SUCCEEDED, failure_ttl=KEEP_ENDED, description=describe(execution))
        if at is None:
            q.enqueue_job(job, pipeline=pipe)
        else:
            # RQ's scheduler keeps whole seconds; round up so nothing starts early.
            whole = at.replace(microsecond=0) + timedelta(seconds=1 if at.microsecond else 0)
            q.schedule_job(job, whole, pipeline=pipe)

    def enqueue_alone(self, execution: Execution, timeout: float | None, at: datetime | None = None) -> None:
        """Queue the run of an execution that already exists (a released chain link)."""
        pipe = self.redis.pipeline()
        self.enqueue(pipe, execution, timeout, at)
        pipe.execute()

    def cancel(self, execution_id: str) -> None:
        """Take the job of a canceled execution off its queue or schedule, filed as canceled.
        A worker that has just dequeued it finds the execution CANCELED and files it again."""
        try:
            job = Job.fetch(execution_id, connection=self.redis)
        except NoSuchJobError:
            return
        with self.redis.pipeline() as pipe:
            self.file_canceled(job, pipe)
            pipe.execute()

    def file_canceled(self, job: Job, pipe) -> None:
        """Out of its queue and RQ's other registries, into the canceled one, status CANCELED, kept
        as long as a failed job (RQ's own Job.cancel keeps it for ever). Inside the caller's pipeline."""
        try:
            job.cancel(pipeline=pipe)
        except InvalidJobOperation:        # canceled already
            return
        CanceledJobRegistry(job.origin, connection=self.redis).add(job, ttl=KEEP_ENDED, pipeline=pipe)
        job.cleanup(KEEP_ENDED, pipeline=pipe)

    def forget_canceled(self, queue: str) -> int:
        """Drop canceled jobs kept past KEEP_ENDED from the registry (RQ never cleans that one)."""
        registry = CanceledJobRegistry(queue, connection=self.redis)
        return self.redis.zremrangebyscore(registry.key, 0, current_timestamp())

    def stop(self, execution_id: str) -> None:
        """Ask the worker running this job to kill its work horse (nothing to do when no
        worker runs it, or its RQ job is gone already)."""
        try:
            send_stop_job_command(self.redis, execution_id)
        except (InvalidJobOperation, NoSuchJobError):
            pass

    def abandon(self, execution_id: str, queue: str, why: str) -> None:
        """Take a job whose worker died out of RQ's started registry, into its failed one, failed."""
        try:
            job = Job.fetch(execution_id, connection=self.redis)
        except NoSuchJobError:
            return
        with self.redis.pipeline() as pipe:
            StartedJobRegistry(queue, connection=self.redis).remove_executions(job, pipeline=pipe)
            job.set_status(JobStatus.FAILED, pipeline=pipe)
            FailedJobRegistry(queue, connection=self.redis).add(job, exc_string=why, pipeline=pipe)
            Result.create_failure(job, KEEP_ENDED, why, pipeline=pipe)     # what RQ's tools read as its failure
            pipe.execute()

    def requeue(self, pipe, execution: Execution, timeout: float | None, at: datetime | None = None) -> None:
        """Put the RQ job of a run whose worker died back on its queue (at `at`, if given), out of the
        registries of its last run, inside the caller's MULTI (see Store.transition)."""
        try:
            StartedJobRegistry(execution.queue, connection=self.redis).remove_executions(
                Job.fetch(execution.id, connection=self.redis), pipeline=pipe)
        except NoSuchJobError:
            pass
        FailedJobRegistry(execution.queue, connection=self.redis).remove(execution.id, pipeline=pipe)
        pipe.delete(Job.key_for(execution.id))
        self.enqueue(pipe, execution, timeout, at)

    def live_workers(self, stale_after: float) -> int:
        """Workers whose last heartbeat is within `stale_after` seconds (store.liveness)."""
        return Liveness(self.redis).live(stale_after)
