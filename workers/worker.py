"""The RQ worker behind `jobgate worker` and the Procfile's `worker:` line.

RQ's forking Worker as it is, plus: a maintenance thread (workers.maintenance);
a webhook dispatcher thread (workers.webhooks);
RQ's record of each job kept true to how its execution ended (workers.mirror);
a work horse killed for any reason takes its step's process group with it;
and a horse that dies without ending its execution (killed, crashed, RQ's own
timeout) has the execution ended (or queued again) here, so none stays RUNNING.

It stops without losing a run. SIGTERM (or SIGINT) stops it taking jobs and is
forwarded to a busy horse, whose run gets the `shutdown_grace` setting before
it is interrupted (workers.shutdown); an interrupted run is queued again as its
next attempt when its job allows, else it ends DIED saying so, never FAILED. A
horse that outlasts the grace (plus the kill grace and a little bookkeeping:
under Heroku's 30 s with the defaults), or a second signal, has it killed and
the worker records the interruption. A horse that died by itself (killed,
crashed) leaves a run that is queued again when its job has retries left, else
DIED. Worker and horse are child subreapers (jobgate.tools.processes): what a
step starts stays below them, escaped from its process group or not, and is
killed when the step or its horse ends.

`rq worker -w workers.worker.JobgateWorker` runs this same worker from RQ's own
command line (its settings from the environment, as `jobgate worker` reads them).

It outlives a Redis outage. RQ's loop waits for Redis only while it dequeues;
a connection error anywhere else (its liveness writes while a horse works, the
bookkeeping after the horse ends, the suspension check) would end the worker.
Here what must be recorded waits for Redis (workers.patience), liveness and
statistics are skipped until the next round, and it polls Redis every few
seconds rather than backing off to a minute, so it resumes soon after.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from dataclasses import replace
from datetime import timedelta
from functools import cached_property

from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation
from rq.job import JobStatus
from rq.utils import now as rq_now

from jobgate.errors import Conflict, NotFound
from jobgate.model import State, now, to_ms
from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.store.connection import StoreUnavailable, connect_as
from jobgate.tools import logs, processes
from workers import runner, shutdown
from workers.horse import WarmHorse
from workers.maintenance import Beat, Maintenance
from workers.mirror import Mirroring
from workers.patience import LONGEST_WAIT, Patient, unless_unreachable, until_reachable
from workers.watch import SLACK, kill_group
from workers.webhooks import Dispatcher

#: RQ job states after which nothing is left to record for a horse that has ended
RECORDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED)
#: Seconds a horse has, past its shutdown grace and kill grace, to record its interruption itself
BOOKKEEPING = 2.0


class JobgateWorker(Mirroring, WarmHorse, Worker):
    #: RQ's dequeue loop waits this long at most between attempts to reach Redis (RQ: a minute)
    max_connection_wait_time = LONGEST_WAIT

    @cached_property
    def service(self) -> Service:
        """jobgate's service (make_worker sets it; made from the environment under `rq worker -w`)."""
        return Service.from_settings(Settings.from_env())

    def work(self, *args, **kwargs) -> bool:
        """RQ's loop, beside the maintenance thread and this worker's own beat (/readyz); step
        processes stay below this subreaper."""
        processes.subreaper()
        runner.warm()                              # horses inherit the loaded catalog
        # its own Redis clients; RQ's scheduled jobs of this worker's queues (`rq worker`'s arguments)
        maintenance = Maintenance(Service.from_settings(replace(self.service.settings, queues=tuple(self.queue_names()))))
        maintenance.start()
        beat = Beat(maintenance.service, self.key)
        beat.start()
        dispatcher = Dispatcher(maintenance.service, self.name)
        dispatcher.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            self.retire_warm_horse()
            dispatcher.stop()
            beat.stop()
            maintenance.stop()

    def kill_horse(self, sig=None):
        if self.horse_pid:
            processes.end_descendants(self.horse_pid, reap=False)    # the step's, in its group or escaped
        job_id = unless_unreachable(self.get_current_job_id)
        if job_id:
            kill_group(unless_unreachable(self.service.store.process_group, job_id))
        super().kill_horse(sig) if sig is not None else super().kill_horse()

    def execute_job(self, job, queue):
        """Every line logged about the job, here and in its horse, names its execution and tenant."""
        execution = unless_unreachable(self.service.store.get, job.id)
        with logs.bound(execution_id=job.id, tenant=execution.tenant if execution else None):
            super().execute_job(job, queue)

    def handle_job_failure(self, job, queue, started_job_registry=None, exc_string=""):
        # what the steps of a horse that was killed left, handed to this subreaper
        processes.end_descendants(spare=self.idle_horse())
        until_reachable(self.connection.ping)       # RQ drops its failure record while Redis is away
        kill_group(Patient(self.service.store).process_group(job.id))   # a horse that died on its own left them
        if until_reachable(self._record_unended, job, exc_string):
            job.retries_left = 1       # queued again: RQ's own retry puts its job back on the queue
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry, exc_string=exc_string)

    def _record_unended(self, job, exc_string: str) -> bool:
        """End a run its horse did not end (CANCELED if asked; from a horse that died, interrupted
        by this worker's shutdown or not, queued again when its job allows, else DIED; from a job
        function that raised, FAILED). True when it is queued (again) and its RQ job must follow."""
        execution = self.service.store.get(job.id)
        if execution is None or execution.finished:
            return False
        if execution.state is not State.RUNNING:
            return True              # queued again by its horse, or never started: RQ must requeue it
        reason = " ".join((exc_string or "the work horse ended without reporting").strip().splitlines()[-1:])
        if not self.is_horse and not execution.cancel_requested:
            stopping = self._stop_requested
            after = self.service.lifecycle.rerun_or_die(
                job.id, shutdown.INTERRUPTED if stopping else f"worker: {reason}", interrupted=stopping)
            return after is not None and after.state is State.QUEUED
        state = State.CANCELED if execution.cancel_requested else State.FAILED
        try:
            ended = self.service.store.transition(job.id, state, {"ended": to_ms(now()), "exit_code": 1,
                                                                  "message": f"worker: {reason}",
                                                                  "exit_message": f"worker: {reason}"})
        except (Conflict, NotFound):
            return False
        self.service.lifecycle.settle(ended)
        return False

    # -- stopping without losing a run (see the module docstring) ------------
    def setup_work_horse_signals(self):
        super().setup_work_horse_signals()
        shutdown.listen()            # SIGTERM asks the run to stop, within its grace, instead of killing it
        processes.subreaper()

    def handle_warm_shutdown_request(self):
        super().handle_warm_shutdown_request()
        horse = self.horse_pid
        if horse:
            try:
                os.kill(horse, signal.SIGTERM)      # its grace starts (at once, if the platform signalled it)
            except ProcessLookupError:
                return
            settings = self.service.settings
            bound = settings.shutdown_grace + settings.kill_grace + SLACK + BOOKKEEPING
            timer = threading.Timer(bound, self._stop_horse, (horse,))
            timer.daemon = True
            timer.start()

    def request_force_stop(self, signum, frame):
        """A second signal: no more grace for a busy horse (the worker then ends as after a warm stop)."""
        if not self.horse_pid:
            return super().request_force_stop(signum, frame)
        if rq_now() - self._shutdown_requested_date >= timedelta(seconds=1):   # RQ's guard against doubles
            self._stop_horse(self.horse_pid)

    def _stop_horse(self, horse: int) -> None:
        if self.horse_pid == horse:
            self.log.warning("Worker %s: horse %s outlasted its shutdown grace; killing it", self.name, horse)
            self.kill_horse()

    def set_shutdown_requested_date(self):
        unless_unreachable(super().set_shutdown_requested_date)

    # -- riding out an outage (see the module docstring) ----------------------
    def register_birth(self):
        until_reachable(super().register_birth)      # a worker started while Redis is away waits

    def subscribe(self):
        until_reachable(super().subscribe)

    def check_for_suspension(self, burst: bool):
        until_reachable(super().check_for_suspension, burst)

    def prepare_execution(self, job):
        return until_reachable(super().prepare_execution, job)

    def prepare_job_execution(self, job, remove_from_intermediate_queue=False):
        # the horse's own first write: met with Redis away, RQ's horse would exit without running the job
        until_reachable(super().prepare_job_execution, job, remove_from_intermediate_queue)

    def monitor_work_horse(self, job, queue):
        try:
            super().monitor_work_horse(job, queue)
        except StoreUnavailable:
            # the horse has ended and Redis went away before RQ had recorded how
            processes.end_descendants(spare=self.idle_horse())       # now, not once Redis is back
            until_reachable(self._horse_ended, job, queue)

    def _horse_ended(self, job, queue) -> None:
        try:
            status = job.get_status()
        except InvalidJobOperation:     # finished, and its result has expired already
            return
        if status not in RECORDED:
            self.handle_job_failure(job, queue, exc_string="the work horse ended while Redis was unreachable")

    def run_maintenance_tasks(self):
        unless_unreachable(super().run_maintenance_tasks)

    def heartbeat(self, timeout=None, pipeline=None):
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline)
        unless_unreachable(super().heartbeat, timeout)

    def maintain_heartbeats(self, job):
        unless_unreachable(super().maintain_heartbeats, job)

    def set_current_job_working_time(self, current_job_working_time, pipeline=None):
        if pipeline is not None:
            return super().set_current_job_working_time(current_job_working_time, pipeline)
        unless_unreachable(super().set_current_job_working_time, current_job_working_time)

    def set_state(self, state, pipeline=None):
        if pipeline is not None:
            return super().set_state(state, pipeline)
        unless_unreachable(super().set_state, state)

    def register_death(self):
        unless_unreachable(super().register_death)


def make_worker(settings: Settings, name: str | None = None) -> JobgateWorker:
    connection = connect_as(settings)      # RQ's calls too: plain, TLS or a Sentinel's primary
    # RQ's Worker asks Redis who it is as it is made: started while Redis is away, it waits
    worker = until_reachable(JobgateWorker, [Queue(q, connection=connection) for q in settings.queues],
                             connection=connection, name=name)
    worker.service = Service.from_settings(settings)
    return worker


def main(burst: bool = False) -> None:
    """Run one worker; like `rq worker`, the current folder is importable for python steps."""
    sys.path.insert(0, os.getcwd())
    logs.configure()                           # RQ's lines too: it leaves a logger with a handler above it alone
    make_worker(Settings.from_env()).work(burst=burst)
