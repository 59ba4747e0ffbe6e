"""The housekeeping every worker does once a second, safe to run on many at once.

Dead runs become DIED, expired executions are purged, due schedules fire.
Each step is atomic in Redis, so workers racing on the same item is harmless.
"""
from __future__ import annotations

import logging
import threading

from jobgate.service import Service

log = logging.getLogger("jobgate.maintenance")
TICK = 1.0


class Maintenance(threading.Thread):
    def __init__(self, service: Service):
        super().__init__(name="jobgate-maintenance", daemon=True)
        self.service = service
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        installed = False
        while not self._halt.wait(TICK):
            try:
                if not installed:
                    self.service.schedules.install_catalog()
                    installed = True
                self.tick()
            except Exception as exc:      # Redis away: keep ticking until it is back
                log.warning("maintenance skipped: %s", exc)

    def tick(self) -> None:
        self.service.lifecycle.sweep(self.service.settings.stale_after)
        self.service.store.purge_expired()
        self.service.schedules.fire_due()
