"""The RQ worker behind `jobgate worker` and the Procfile's `worker:` line.

RQ's forking Worker as it is, plus: a maintenance thread (workers.maintenance);
a work horse killed for any reason takes its step's process group with it;
and a horse that dies without ending its execution (killed, crashed, RQ's own
timeout) has the execution ended here, so none stays RUNNING.

It outlives a Redis outage. RQ's loop waits for Redis only while it dequeues;
a connection error anywhere else (its liveness writes while a horse works, the
bookkeeping after the horse ends, the suspension check) would end the worker.
Here what must be recorded waits for Redis (workers.patience), liveness and
statistics are skipped until the next round, and it polls Redis every few
seconds rather than backing off to a minute, so it resumes soon after.
"""
from __future__ import annotations

import os
import sys

from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation
from rq.job import JobStatus

from jobgate.errors import Conflict, NotFound
from jobgate.model import State, now, to_ms
from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.store.connection import StoreUnavailable, connect
from workers import runner
from workers.maintenance import Maintenance
from workers.patience import LONGEST_WAIT, Patient, unless_unreachable, until_reachable
from workers.watch import kill_group

#: RQ job states after which nothing is left to record for a horse that has ended
RECORDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED)


class JobgateWorker(Worker):
    service: Service
    #: RQ's dequeue loop waits this long at most between attempts to reach Redis (RQ: a minute)
    max_connection_wait_time = LONGEST_WAIT

    def kill_horse(self, sig=None):
        job_id = unless_unreachable(self.get_current_job_id)
        if job_id:
            kill_group(unless_unreachable(self.service.store.process_group, job_id))
        super().kill_horse(sig) if sig is not None else super().kill_horse()

    def handle_job_failure(self, job, queue, started_job_registry=None, exc_string=""):
        until_reachable(self.connection.ping)       # RQ drops its failure record while Redis is away
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry, exc_string=exc_string)
        store = Patient(self.service.store)
        kill_group(store.process_group(job.id))       # a horse that died on its own left them running
        execution = store.get(job.id)
        if execution is None or execution.finished:
            return
        reason = " ".join((exc_string or "the work horse ended without reporting").strip().splitlines()[-1:])
        state = State.CANCELED if execution.cancel_requested else State.FAILED
        try:
            ended = store.transition(job.id, state, {"ended": to_ms(now()), "exit_code": 1,
                                                     "message": f"worker: {reason}",
                                                     "exit_message": f"worker: {reason}"})
        except (Conflict, NotFound):
            return
        until_reachable(self.service.lifecycle.settle, ended)

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
    connection = connect(settings.redis_url)
    # RQ's Worker asks Redis who it is as it is made: started while Redis is away, it waits
    worker = until_reachable(JobgateWorker, [Queue(q, connection=connection) for q in settings.queues],
                             connection=connection, name=name)
    worker.service = Service.from_settings(settings)
    return worker


def main(burst: bool = False) -> None:
    """Run one worker; like `rq worker`, the current folder is importable for python steps."""
    sys.path.insert(0, os.getcwd())
    settings = Settings.from_env()
    runner.warm()                              # horses inherit the loaded catalog
    maintenance = Maintenance(Service.from_settings(settings))   # its own Redis clients
    maintenance.start()
    try:
        make_worker(settings).work(burst=burst)
    finally:
        maintenance.stop()
