"""Cron schedules at rest, and the atomic claim that fires each due time once.

Every unpaused schedule sits in one sorted set scored by its next due time,
so finding what is due is one ZRANGEBYSCORE. Firing is claimed atomically
(lua.CLAIM_SCHEDULE): with several workers ticking, each due time produces
exactly one execution.
"""
from __future__ import annotations

import json
from datetime import datetime

import redis

from jobgate.model import Schedule, dump, from_ms, load, now, to_ms
from jobgate.store import keys, lua


class Schedules:
    def __init__(self, client: redis.Redis):
        self.redis = client
        self._claim = client.register_script(lua.CLAIM_SCHEDULE)

    def save(self, schedule: Schedule) -> Schedule:
        """Write the schedule; its next due time lives only in the due set (claims move it)."""
        pipe = self.redis.pipeline()
        self._write(pipe, schedule)
        pipe.execute()
        return schedule

    def add(self, schedule: Schedule, limit: int) -> bool:
        """Write a new schedule unless its tenant already has `limit` (of racing adds, no more than
        `limit` are kept): whether it was written."""
        tenant_key = keys.schedules(schedule.tenant)

        def write(pipe) -> bool:
            if pipe.zscore(tenant_key, schedule.id) is None and pipe.zcard(tenant_key) >= limit:
                return False
            pipe.multi()
            self._write(pipe, schedule)
            return True

        return self.redis.transaction(write, tenant_key, value_from_callable=True)

    @staticmethod
    def _write(pipe, schedule: Schedule) -> None:
        schedule.next_run = None if schedule.paused else (schedule.next_run or schedule.following(now()))
        pipe.set(keys.schedule(schedule.tenant, schedule.id), json.dumps({**dump(schedule), "next_run": None}))
        pipe.zadd(keys.schedules(schedule.tenant), {schedule.id: to_ms(schedule.created or now())})
        if schedule.paused:
            pipe.zrem(keys.SCHEDULES_DUE, _member(schedule))
        else:
            pipe.zadd(keys.SCHEDULES_DUE, {_member(schedule): to_ms(schedule.next_run)})

    def get(self, tenant: str, schedule_id: str) -> Schedule | None:
        raw = self.redis.get(keys.schedule(tenant, schedule_id))
        return None if raw is None else self._with_next([load(Schedule, json.loads(raw))])[0]

    def list(self, tenant: str) -> list[Schedule]:
        ids = self.redis.zrange(keys.schedules(tenant), 0, -1)
        raws = self.redis.mget([keys.schedule(tenant, i.decode()) for i in ids]) if ids else []
        return self._with_next([load(Schedule, json.loads(raw)) for raw in raws if raw])

    def _with_next(self, schedules: list[Schedule]) -> list[Schedule]:
        if schedules:
            scores = self.redis.zmscore(keys.SCHEDULES_DUE, [_member(s) for s in schedules])
            for schedule, score in zip(schedules, scores, strict=False):
                schedule.next_run = None if score is None else from_ms(int(score))
        return schedules

    def delete(self, schedule: Schedule) -> None:
        pipe = self.redis.pipeline()
        pipe.delete(keys.schedule(schedule.tenant, schedule.id))
        pipe.zrem(keys.schedules(schedule.tenant), schedule.id)
        pipe.zrem(keys.SCHEDULES_DUE, _member(schedule))
        pipe.execute()

    def claim_due(self, limit: int = 50) -> list[tuple[Schedule, datetime]]:
        """Schedules due now that this caller won, each with the time it was due."""
        won = []
        for member, score in self.redis.zrangebyscore(keys.SCHEDULES_DUE, "-inf", to_ms(now()), 0, limit,
                                                      withscores=True):
            tenant, _, schedule_id = member.decode().partition("/")
            schedule = self.get(tenant, schedule_id)
            if schedule is None:
                self.redis.zrem(keys.SCHEDULES_DUE, member)
                continue
            due = from_ms(int(score))
            following = schedule.following(max(due, now()))
            if self._claim(keys=[keys.SCHEDULES_DUE], args=[member, int(score), to_ms(following)]):
                won.append((schedule, due))
        return won


def _member(schedule: Schedule) -> str:
    return f"{schedule.tenant}/{schedule.id}"
