"""The schedule use cases, tenant-scoped like every other: create, list, pause,
resume, delete, the catalog's own schedules, and firing what is due.

The store keeps schedules and claims each due time atomically, so several
workers firing at once still make one execution per due time. A tenant's quota
(rules.quotas) bounds how many schedules it keeps and how often one may fire.
"""
from __future__ import annotations

import logging
import uuid

from croniter import CroniterBadDateError, croniter

from jobgate import limits
from jobgate.errors import Invalid, JobgateError, NotFound, QuotaExceeded
from jobgate.model import SLUG, Principal, Schedule, now, to_ms
from jobgate.store.schedules import Schedules

log = logging.getLogger("jobgate.schedules")


def check_cron(expression: str) -> None:
    if not isinstance(expression, str) or not croniter.is_valid(expression):
        raise Invalid(f"{expression!r} is not a cron expression", details={"schedule": ["not a cron expression"]})


def check_interval(expression: str, minimum: float) -> None:
    """A schedule fires at most once every `minimum` seconds: its next limits.SCHEDULE_SCAN
    firings are looked at (where a cron expression's shortest gap shows, but for gaps
    across years)."""
    times, scan = croniter(expression, now()), limits.SCHEDULE_SCAN if minimum > 0 else 0
    try:
        previous = times.get_next(float)
        for _ in range(scan):
            following = times.get_next(float)
            if following - previous < minimum:
                raise Invalid(f"{expression!r} fires {following - previous:g} s apart; this tenant's schedules "
                              f"may fire at most once every {minimum:g} s",
                              details={"schedule": [f"fires more often than once every {minimum:g} s"]})
            previous = following
    except CroniterBadDateError:
        raise Invalid(f"{expression!r} never fires", details={"schedule": ["names no date that exists"]}) from None


class ScheduleBook:
    """The schedule use cases, tenant-scoped like every other (service.schedules)."""

    #: the origin recorded on executions that the operator's catalog schedules start
    CATALOG_ORIGIN = "catalog"

    def __init__(self, service, store: Schedules):
        self.service, self.store = service, store

    def create(self, principal: Principal, ref: str, cron: str, parameters: dict | None = None, *,
               origin: str, schedule_id: str | None = None, attributes: dict[str, dict] | None = None) -> Schedule:
        definition = self.service.definition(principal, ref)
        quota = self.service.quotas.of(principal.tenant)
        check_cron(cron)
        check_interval(cron, quota.schedule_interval)
        schedule = Schedule(id=schedule_id or uuid.uuid4().hex[:12], tenant=principal.tenant,
                            definition_id=definition.id, cron=cron, principal=principal.name, origin=origin,
                            parameters=parameters or {}, created=now(), attributes=attributes or {})
        if not self.store.add(schedule, limit=quota.schedules):
            raise QuotaExceeded(f"tenant {principal.tenant} has {quota.schedules} schedules, as many as its quota "
                                "allows; delete one first", quota=quota.schedules)
        return schedule

    def list(self, principal: Principal) -> list[Schedule]:
        return self.store.list(principal.tenant)

    def get(self, principal: Principal, schedule_id: str) -> Schedule:
        found = self.store.get(principal.tenant, schedule_id) if SLUG.match(schedule_id) else None
        if found is None:
            raise NotFound(f"no schedule {schedule_id!r}", id=schedule_id)
        return found

    def pause(self, principal: Principal, schedule_id: str) -> Schedule:
        schedule = self.get(principal, schedule_id)
        schedule.paused = True
        return self.store.save(schedule)

    def resume(self, principal: Principal, schedule_id: str) -> Schedule:
        schedule = self.get(principal, schedule_id)
        schedule.paused, schedule.next_run = False, None
        return self.store.save(schedule)

    def delete(self, principal: Principal, schedule_id: str) -> None:
        self.store.delete(self.get(principal, schedule_id))

    def install_catalog(self) -> None:
        """The catalog's `schedule = "cron"` jobs, run as their `schedule_tenant`."""
        for job in self.service.catalog.jobs.values():
            if not job.schedule:
                continue
            tenant = job.schedule_tenant or "default"
            current = self.store.get(tenant, f"catalog-{job.id}")
            if current is None or current.cron != job.schedule:
                self.store.save(Schedule(id=f"catalog-{job.id}", tenant=tenant, definition_id=job.id,
                                         cron=job.schedule, origin=self.CATALOG_ORIGIN,
                                         paused=bool(current and current.paused), created=now()))

    def fire_due(self) -> list:
        """Submit one execution per due time this caller claimed."""
        fired = []
        for schedule, due in self.store.claim_due():
            principal = Principal(schedule.principal, schedule.tenant)
            try:
                fired.append(self.service.submit(principal, schedule.definition_id, schedule.parameters,
                                                 origin=schedule.origin, trigger="schedule",
                                                 attributes={**schedule.attributes,
                                                             "schedule": {"id": schedule.id, "due": to_ms(due)}}))
            except JobgateError as exc:
                log.warning("schedule %s/%s due %s not run: %s", schedule.tenant, schedule.id, due, exc.message)
        return fired
