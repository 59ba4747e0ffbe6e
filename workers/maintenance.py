"""The housekeeping every worker does once a second, safe to run on many at once.

Dead runs become DIED and expired executions are purged (jobgate's
Housekeeper, which the gateway runs too), due cron schedules fire, and RQ's
scheduled jobs are moved onto their queues. Each step is atomic in Redis or
guarded by RQ's scheduler lock, so workers racing on the same item is harmless.
RQ's own scheduler would run in a forked process that outlives a killed
worker; a thread of the worker dies with it.
"""
from __future__ import annotations

import logging
import threading

from rq.scheduler import RQScheduler

from jobgate.rules.service import Service

log = logging.getLogger("jobgate.maintenance")
TICK = 1.0


class Maintenance(threading.Thread):
    def __init__(self, service: Service):
        super().__init__(name="jobgate-maintenance", daemon=True)
        self.service = service
        self.scheduler = RQScheduler(list(service.settings.queues), connection=service.redis)
        self._halt = threading.Event()

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
        self.service.schedules.fire_due()
        if self.scheduler.acquire_locks():
            self.scheduler.prepare_registries()
            self.scheduler.enqueue_scheduled_jobs()
