"""RQ's record of how a run ended, mirrored from jobgate's, so RQ's tools tell the truth.

The execution record is the truth; its RQ job only mirrors how it ended, for
`rq info`, rq-dashboard and RQ-based alerting. A run that ended FAILED or DIED
makes the job function raise ExecutionFailed, so any RQ worker, a plain
`rq worker` too, files its job as failed (FailedJobRegistry). RQ does not retry
it on its own: jobgate's RQ jobs carry no RQ Retry, jobgate retries within the
run and asks RQ to requeue only a run it queued again itself (workers.runner,
JobgateWorker).

JobgateWorker (through Mirroring) does what a plain worker cannot: a run that
ended CANCELED is filed as a canceled RQ job (RQ ends a job function that
returns as finished, and a stopped horse as stopped), a FAILED one killed by its
watcher (a timeout) as failed rather than stopped, and the failure RQ keeps is
jobgate's message rather than a traceback of the runner.
"""
from __future__ import annotations

from jobgate.model import Execution, State
from workers.patience import until_reachable

#: the ends RQ files as failed
FAILED = (State.FAILED, State.DIED)


class ExecutionFailed(Exception):
    """Raised by the job function for a run that ended FAILED or DIED; its text is jobgate's."""


def failure(execution: Execution) -> str:
    return f"{execution.definition_id} {execution.state.value}: {execution.message or execution.exit_message}"


#: the last run's end as its job function saw it (one at most), so this process's hooks filing its
#: job need not read the record again: an ended record no longer changes
SEEN: dict[str, Execution] = {}


def raise_if_failed(execution: Execution | None) -> None:
    """In the job function, once the run is over: a failed run fails its RQ job."""
    SEEN.clear()
    if execution is not None:
        SEEN[execution.id] = execution
    if execution is not None and execution.state in FAILED:
        raise ExecutionFailed(failure(execution))


class Mirroring:
    """RQ Worker hooks that file each job as its execution ended (a mixin of JobgateWorker,
    which has `service`); they run in the horse, or in the worker for a horse that died."""

    def handle_job_success(self, job, queue, started_job_registry):
        execution = self._ended(job)
        if execution is not None and execution.state is State.CANCELED:
            until_reachable(self._file_canceled, job)
        else:
            super().handle_job_success(job, queue, started_job_registry)

    def handle_job_failure(self, job, queue, started_job_registry=None, exc_string=""):
        execution = self._ended(job)
        state = execution.state if execution is not None else None
        if state is State.CANCELED:
            until_reachable(self._file_canceled, job)
            return
        if state in FAILED:
            exc_string = failure(execution)
            if self._stopped_job_id == job.id:
                self._stopped_job_id = None      # stopped by its watcher, which ended it: failed, not "stopped"
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry, exc_string=exc_string)

    def _ended(self, job) -> Execution | None:
        """How its run ended: as its job function saw it in this process, else as the record says."""
        seen = SEEN.pop(job.id, None)
        return seen if seen is not None else until_reachable(self.service.store.get, job.id)

    def _file_canceled(self, job) -> None:
        if self._stopped_job_id == job.id:
            self._stopped_job_id = None
        with self.connection.pipeline() as pipe:
            self.cleanup_execution(job, pipeline=pipe)
            self.service.queue.file_canceled(job, pipe)
            pipe.execute()
