"""A warm work horse: one forked child runs job after job, so a job costs no fork.

RQ's forking Worker forks a horse per job and waits for it to exit; that fork,
and the horse's own start (signals, subreaper), cost more than a no-op job's
whole run. WarmHorse (a mixin of JobgateWorker) keeps RQ's loop and its
monitoring as they are, and changes only how a job reaches a horse and how the
worker learns it is done: the horse stays alive between jobs, reads the next
job's ids from a pipe and answers on another once RQ's bookkeeping of the job
is done (the same `perform_job` a forked horse runs).

Everything that stops a run still ends the horse, as before: a forced cancel or
timeout (RQ's stop-job command kills it), a shutdown past its grace, a crash of
a step (os._exit, a segfault). The worker sees its answer pipe close, reaps it,
files the job as a dead horse's (JobgateWorker.handle_job_failure) and forks a
fresh horse for the next job. A horse also leaves by itself, saying so with its
last answer, after RECYCLE_AFTER jobs, once it has grown GROWTH_LIMIT bytes past
its first job, once a stop was asked of it (a shutdown), or once a run left a
thread behind (a step's that would not stop). A horse whose worker vanished
reads the end of its job pipe and exits.
"""
from __future__ import annotations

import os
import resource
import select
import threading

from rq.exceptions import NoSuchJobError
from rq.executions import Execution
from rq.job import Job
from rq.timeouts import HorseMonitorTimeoutException

from workers import shutdown
from workers.patience import until_reachable

#: Jobs a horse runs before it is replaced (bounds what a slow leak can gather).
RECYCLE_AFTER = 1000
#: Bytes of peak memory a horse may gain past its first job before it is replaced.
GROWTH_LIMIT = 256 << 20
#: The horse's answers: the job is done, and it takes another one or it is leaving.
AGAIN, LEAVING = b".", b"x"


def _peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class WarmHorse:
    """RQ Worker hooks that hand jobs to one long-lived horse instead of a fork per job."""

    _warm_pid = 0
    _to_horse = _from_horse = -1

    # -- the worker's side ------------------------------------------------
    def fork_work_horse(self, job, queue):
        order = f"{job.id} {queue.name} {self.execution.id}\n".encode()
        if self._warm_pid:
            try:
                os.write(self._to_horse, order)
            except BrokenPipeError:        # it died while idle (killed from outside): a fresh one
                self._retire()
        if not self._warm_pid:
            self._fork_warm_horse()
            os.write(self._to_horse, order)
        self._horse_pid = self._warm_pid
        self.procline(f"Horse {self._warm_pid} runs {job.id}")

    def wait_for_horse(self):
        """Until the horse answers for its job (its status 0), or has died (its status). RQ calls this
        under an alarm of `job_monitoring_interval`: it gives up a moment before, so no answer is lost."""
        pid = self._warm_pid
        if not pid:
            return None, None, None
        ready, _, _ = select.select([self._from_horse], [], [], max(0.1, self.job_monitoring_interval - 1))
        if not ready:
            raise HorseMonitorTimeoutException("the horse is still working")
        answer = os.read(self._from_horse, 1)
        if answer == AGAIN:
            return pid, 0, None
        _, status, rusage = self._retire()
        if answer == LEAVING and status == 0:
            return pid, 0, None
        return pid, status or 1 << 8, rusage      # died mid-job: never "exited normally"

    def _fork_warm_horse(self) -> None:
        jobs_r, jobs_w = os.pipe()
        answers_r, answers_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(jobs_w)
            os.close(answers_r)
            os.setpgrp()
            self._serve(jobs_r, answers_w)      # never returns
        os.close(jobs_r)
        os.close(answers_w)
        self._warm_pid, self._to_horse, self._from_horse = pid, jobs_w, answers_r

    def _retire(self):
        """Reap the horse (it has ended or is ending) and forget its pipes."""
        pid, self._warm_pid = self._warm_pid, 0
        for fd in (self._to_horse, self._from_horse):
            os.close(fd)
        self._to_horse = self._from_horse = -1
        try:
            return os.wait4(pid, 0)
        except ChildProcessError:
            return pid, 0, None

    def idle_horse(self) -> tuple[int, ...]:
        """The warm horse's pid, for killing what else is below this worker but it."""
        return (self._warm_pid,) if self._warm_pid else ()

    def retire_warm_horse(self) -> None:
        """At the worker's end: the horse reads the end of its job pipe and exits."""
        if self._warm_pid:
            self._retire()

    # -- the horse's side -------------------------------------------------
    def _serve(self, jobs_fd: int, answers_fd: int) -> None:
        self.setup_work_horse_signals()
        self._is_horse, self._warm_pid = True, 0
        jobs, served, baseline, threads = os.fdopen(jobs_fd), 0, None, threading.active_count()
        try:
            for line in jobs:
                job_id, queue_name, execution_id = line.split()
                self._perform(job_id, queue_name, execution_id)
                served += 1
                baseline = baseline or _peak_rss()
                leaving = (served >= RECYCLE_AFTER or _peak_rss() - baseline > GROWTH_LIMIT
                           or shutdown.STOP.asked or threading.active_count() > threads)
                os.write(answers_fd, LEAVING if leaving else AGAIN)
                if leaving:
                    break
        except BaseException:      # noqa: BLE001 - a horse never unwinds into the worker's loop
            os._exit(1)
        os._exit(0)

    def _perform(self, job_id: str, queue_name: str, execution_id: str) -> None:
        """RQ's horse work for one job, as a freshly forked horse would do it."""
        os.environ["RQ_JOB_ID"] = job_id
        queue = next(q for q in self.queues if q.name == queue_name)
        try:
            job = until_reachable(Job.fetch, job_id, connection=self.connection, serializer=self.serializer)
        except NoSuchJobError:        # deleted since it was dequeued
            return
        self.execution = Execution(execution_id, job_id, connection=self.connection, worker_name=self.name)
        self.perform_job(job, queue)
