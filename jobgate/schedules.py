"""Cron schedules on definitions, kept in Redis and fired by the workers.

Every unpaused schedule sits in one sorted set scored by its next due time,
so finding what is due is one ZRANGEBYSCORE. Firing is claimed atomically
(jobgate.lua.CLAIM_SCHEDULE): with several workers ticking, each due time
produces exactly one execution.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis
from croniter import croniter

from jobgate import lua
from jobgate.auth import Principal
from jobgate.connection import PREFIX, guarded
from jobgate.errors import Invalid, JobgateError, NotFound
from jobgate.model import SLUG, dump, from_ms, load, now, to_ms

log = logging.getLogger("jobgate.schedules")


@dataclass
class Schedule:
    id: str
    tenant: str
    definition_id: str
    cron: str
    principal: str = "scheduler"
    origin: str = "native"
    parameters: dict[str, Any] = field(default_factory=dict)
    paused: bool = False
    next_run: datetime | None = None
    created: datetime | None = None

    def following(self, after: datetime) -> datetime:
        return croniter(self.cron, after).get_next(datetime)


def check_cron(expression: str) -> None:
    if not isinstance(expression, str) or not croniter.is_valid(expression):
        raise Invalid(f"{expression!r} is not a cron expression", details={"schedule": ["not a cron expression"]})


class Schedules:
    due_key = PREFIX + "schedules:due"

    def __init__(self, client: redis.Redis):
        self.redis = client
        self._claim = client.register_script(lua.CLAIM_SCHEDULE)

    def save(self, schedule: Schedule) -> Schedule:
        """Write the schedule; its next due time lives only in the due set (claims move it)."""
        check_cron(schedule.cron)
        schedule.next_run = None if schedule.paused else (schedule.next_run or schedule.following(now()))
        pipe = self.redis.pipeline()
        pipe.set(self._key(schedule.tenant, schedule.id), json.dumps({**dump(schedule), "next_run": None}))
        pipe.zadd(self._index(schedule.tenant), {schedule.id: to_ms(schedule.created or now())})
        if schedule.paused:
            pipe.zrem(self.due_key, self._member(schedule))
        else:
            pipe.zadd(self.due_key, {self._member(schedule): to_ms(schedule.next_run)})
        guarded(pipe.execute)
        return schedule

    def get(self, tenant: str, schedule_id: str) -> Schedule | None:
        raw = guarded(lambda: self.redis.get(self._key(tenant, schedule_id)))
        return None if raw is None else self._with_next([load(Schedule, json.loads(raw))])[0]

    def list(self, tenant: str) -> list[Schedule]:
        ids = guarded(lambda: self.redis.zrange(self._index(tenant), 0, -1))
        raws = guarded(lambda: self.redis.mget([self._key(tenant, i.decode()) for i in ids])) if ids else []
        return self._with_next([load(Schedule, json.loads(raw)) for raw in raws if raw])

    def _with_next(self, schedules: list[Schedule]) -> list[Schedule]:
        if schedules:
            scores = guarded(lambda: self.redis.zmscore(self.due_key, [self._member(s) for s in schedules]))
            for schedule, score in zip(schedules, scores):
                schedule.next_run = None if score is None else from_ms(int(score))
        return schedules

    def delete(self, schedule: Schedule) -> None:
        pipe = self.redis.pipeline()
        pipe.delete(self._key(schedule.tenant, schedule.id))
        pipe.zrem(self._index(schedule.tenant), schedule.id)
        pipe.zrem(self.due_key, self._member(schedule))
        guarded(pipe.execute)

    def claim_due(self, limit: int = 50) -> list[tuple[Schedule, datetime]]:
        """Schedules due now that this caller won, each with the time it was due."""
        won = []
        for member, score in guarded(lambda: self.redis.zrangebyscore(
                self.due_key, "-inf", to_ms(now()), 0, limit, withscores=True)):
            tenant, _, schedule_id = member.decode().partition("/")
            schedule = self.get(tenant, schedule_id)
            if schedule is None:
                guarded(lambda: self.redis.zrem(self.due_key, member))
                continue
            due = from_ms(int(score))
            following = schedule.following(max(due, now()))
            if guarded(lambda: self._claim(keys=[self.due_key], args=[member, int(score), to_ms(following)])):
                won.append((schedule, due))
        return won

    @staticmethod
    def _member(schedule: Schedule) -> str:
        return f"{schedule.tenant}/{schedule.id}"

    @staticmethod
    def _key(tenant: str, schedule_id: str) -> str:
        return f"{PREFIX}schedule:{tenant}:{schedule_id}"

    @staticmethod
    def _index(tenant: str) -> str:
        return f"{PREFIX}schedules:{tenant}"


class ScheduleBook:
    """The schedule use cases, tenant-scoped like every other (service.schedules)."""

    def __init__(self, service):
        self.service = service
        self.store = Schedules(service.redis)

    def create(self, principal, ref: str, cron: str, parameters: dict | None = None, *,
               origin: str = "native", schedule_id: str | None = None) -> Schedule:
        definition = self.service.definition(principal, ref)
        check_cron(cron)
        schedule = Schedule(id=schedule_id or uuid.uuid4().hex[:12], tenant=principal.tenant,
                            definition_id=definition.id, cron=cron, principal=principal.name, origin=origin,
                            parameters=parameters or {}, created=now())
        return self.store.save(schedule)

    def list(self, principal) -> list[Schedule]:
        return self.store.list(principal.tenant)

    def get(self, principal, schedule_id: str) -> Schedule:
        found = self.store.get(principal.tenant, schedule_id) if SLUG.match(schedule_id) else None
        if found is None:
            raise NotFound(f"no schedule {schedule_id!r}", id=schedule_id)
        return found

    def pause(self, principal, schedule_id: str) -> Schedule:
        schedule = self.get(principal, schedule_id)
        schedule.paused = True
        return self.store.save(schedule)

    def resume(self, principal, schedule_id: str) -> Schedule:
        schedule = self.get(principal, schedule_id)
        schedule.paused, schedule.next_run = False, None
        return self.store.save(schedule)

    def delete(self, principal, schedule_id: str) -> None:
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
                                         cron=job.schedule, paused=bool(current and current.paused), created=now()))

    def fire_due(self) -> list:
        """Submit one execution per due time this caller claimed."""
        fired = []
        for schedule, due in self.store.claim_due():
            principal = Principal(schedule.principal, schedule.tenant)
            try:
                fired.append(self.service.submit(principal, schedule.definition_id, schedule.parameters,
                                                 origin=schedule.origin, trigger="schedule",
                                                 attributes={"schedule": {"id": schedule.id, "due": to_ms(due)}}))
            except JobgateError as exc:
                log.warning("schedule %s/%s due %s not run: %s", schedule.tenant, schedule.id, due, exc.message)
        return fired
