"""The RQ worker behind `jobgate worker` and the Procfile's `worker:` line.

RQ's forking Worker as it is, plus one hook: when a work horse dies without
ending its execution (killed, crashed, RQ's own timeout), the execution is
ended here, so none stays RUNNING for a job RQ has given up on.
"""
from __future__ import annotations

import os
import sys

from rq import Queue, Worker

from jobgate.config import Settings
from jobgate.connection import connect
from jobgate.errors import Conflict, NotFound
from jobgate.model import State, now, to_ms
from jobgate.store import Store


class JobgateWorker(Worker):
    store: Store

    def handle_job_failure(self, job, queue, started_job_registry=None, exc_string=""):
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry, exc_string=exc_string)
        last_line = (exc_string or "the work horse ended without reporting").strip().splitlines()[-1:]
        execution = self.store.get(job.id)
        if execution is None or execution.finished:
            return
        state = State.CANCELED if execution.cancel_requested else State.FAILED
        try:
            self.store.transition(job.id, state, {"ended": to_ms(now()), "exit_code": 1,
                                                  "message": f"worker: {' '.join(last_line)}",
                                                  "exit_message": f"worker: {' '.join(last_line)}"})
        except (Conflict, NotFound):
            pass


def make_worker(settings: Settings, name: str | None = None) -> JobgateWorker:
    connection = connect(settings.redis_url)
    worker = JobgateWorker([Queue(q, connection=connection) for q in settings.queues],
                           connection=connection, name=name)
    worker.store = Store(connection)
    return worker


def main(burst: bool = False) -> None:
    """Run one worker; like `rq worker`, the current folder is importable for python steps."""
    sys.path.insert(0, os.getcwd())
    settings = Settings.from_env()
    make_worker(settings).work(with_scheduler=True, burst=burst)
