"""The housekeeping every worker does once a second, safe to run on many at once.

Dead runs become DIED and expired executions are purged (jobgate's
Housekeeper), due cron schedules fire, RQ's scheduled jobs are moved onto
their queues, and canceled RQ jobs kept long enough leave RQ's canceled
registry. Each step is atomic in Redis or guarded by RQ's scheduler lock, so
workers racing on the same item is harmless. The Redis errors the worker met
are added to the total /metrics shows once Redis is back.
RQ's own scheduler would run in a forked process that outlives a killed
worker; a thread of the worker dies with it.
"""
from __future__ import annotations

import logging
import threading

from rq.scheduler import RQScheduler

from jobgate.rules.service import Service
from jobgate.store import connection
from jobgate.store.liveness import Liveness
from jobgate.store.metrics import Tally

log = logging.getLogger("jobgate.maintenance")
TICK = 1.0


class Maintenance(threading.Thread):
    def __init__(self, service: Service):
        super().__init__(name="jobgate-maintenance", daemon=True)
        self.service = service
        self.scheduler = RQScheduler(list(service.settings.queues), connection=service.redis)
        self._halt = threading.Event()
        #: this worker's Redis errors, added to the workers' total for /metrics once Redis is back
        self.redis_errors = Tally()
        connection.unreachable_listeners.append(self.redis_errors.add)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)
        try:
            self.scheduler.release_locks()
        except Exception as exc:
            log.warning("scheduler locks not released: %s", exc)

    def run(self) -> None:
        installed = False
        while not self._halt.wait(TICK):
            try:
                # first, every tick: it must see every outage, which it waits out before it sweeps
                self.service.housekeeper.run()
                if not installed:
                    self.service.schedules.install_catalog()
                    self.service.store.windows.build_marks()
                    installed = True
                self.tick()
            except Exception as exc:      # Redis away: keep ticking until it is back
                log.warning("maintenance skipped: %s", exc)

    def tick(self) -> None:
        self.redis_errors.flush(self.service.redis)
        self.service.schedules.fire_due()
        for queue in self.service.settings.queues:
            self.service.queue.forget_canceled(queue)
        if self.scheduler.acquire_locks():
            self.scheduler.prepare_registries()
            self.scheduler.enqueue_scheduled_jobs()


class Beat(threading.Thread):
    """The worker's own heartbeat (store.liveness) every `heartbeat_interval`, on a thread of its
    own so that slow housekeeping never makes a live worker look dead to /readyz."""

    def __init__(self, service: Service, worker_key: str):
        super().__init__(name="jobgate-beat", daemon=True)
        self.liveness, self.worker_key = Liveness(service.redis), worker_key
        self.interval = service.settings.heartbeat_interval
        self._halt = threading.Event()

    def run(self) -> None:
        while True:
            try:
                self.liveness.beat(self.worker_key)
            except Exception as exc:      # Redis away: the worker is not live to anyone meanwhile
                log.warning("worker beat skipped: %s", exc)
            if self._halt.wait(self.interval):
                return

    def stop(self) -> None:
        """A worker that stops says so, rather than being counted until its beat goes stale."""
        self._halt.set()
        self.join(5)
        try:
            self.liveness.forget(self.worker_key)
        except Exception as exc:
            log.warning("worker beat not removed: %s", exc)
