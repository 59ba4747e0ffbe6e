"""The RQ worker behind `jobgate worker` and the Procfile's `worker:` line.

RQ's forking Worker as it is, plus: a maintenance thread (workers.maintenance);
a work horse killed for any reason takes its step's process group with it;
and a horse that dies without ending its execution (killed, crashed, RQ's own
timeout) has the execution ended here, so none stays RUNNING.
"""
from __future__ import annotations

import os
import sys

from rq import Queue, Worker

from jobgate.settings import Settings
from jobgate.store.connection import connect
from jobgate.errors import Conflict, NotFound
from jobgate.model import State, now, to_ms
from jobgate.rules.service import Service

from workers import runner
from workers.maintenance import Maintenance
from workers.watch import kill_group


class JobgateWorker(Worker):
    service: Service

    def kill_horse(self, sig=None):
        job_id = self.get_current_job_id()
        if job_id:
            kill_group(self.service.store.process_group(job_id))
        super().kill_horse(sig) if sig is not None else super().kill_horse()

    def handle_job_failure(self, job, queue, started_job_registry=None, exc_string=""):
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry, exc_string=exc_string)
        store = self.service.store
        execution = store.get(job.id)
        if execution is None or execution.finished:
            return
        reason = " ".join((exc_string or "the work horse ended without reporting").strip().splitlines()[-1:])
        state = State.CANCELED if execution.cancel_requested else State.FAILED
        try:
            ended = store.transition(job.id, state, {"ended": to_ms(now()), "exit_code": 1,
                                                     "message": f"worker: {reason}", "exit_message": f"worker: {reason}"})
        except (Conflict, NotFound):
            return
        self.service.lifecycle.settle(ended)


def make_worker(settings: Settings, name: str | None = None) -> JobgateWorker:
    connection = connect(settings.redis_url)
    worker = JobgateWorker([Queue(q, connection=connection) for q in settings.queues],
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
