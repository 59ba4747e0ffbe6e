"""Cron claims against a real Redis: however many workers tick at once, a due time fires once."""
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import redis

from jobgate.model import Schedule, now, to_ms
from jobgate.store import keys
from jobgate.store.schedules import Schedules

CLAIMERS = 8


def private_db(url: str) -> str:
    """Another database of the suite's Redis, so these claims cannot touch the suite's schedules."""
    if "db=" in url:
        return re.sub(r"db=\d+", "db=9", url)
    return re.sub(r"^(rediss?://[^/?]+)(/\d*)?", r"\1/9", url)


@pytest.fixture
def url(redis_url):
    private = private_db(redis_url)
    redis.Redis.from_url(private).flushdb()
    return private


def test_a_due_time_is_claimed_once_however_many_claim_it_at_once(url):
    book = Schedules(redis.Redis.from_url(url))
    due = now() - timedelta(seconds=1)
    schedule = book.save(Schedule(id=f"race-{uuid.uuid4().hex[:8]}", tenant="t", definition_id="Job",
                                  cron="0 3 * * *", created=now(), next_run=due))
    barrier = threading.Barrier(CLAIMERS)

    def claim(_):
        own = Schedules(redis.Redis.from_url(url))      # its own connection, like another worker
        barrier.wait()
        return own.claim_due()

    with ThreadPoolExecutor(CLAIMERS) as pool:
        won = [claimed for claims in pool.map(claim, range(CLAIMERS)) for claimed in claims]
    assert [(s.id, to_ms(d)) for s, d in won] == [(schedule.id, to_ms(due))]
    assert book.get("t", schedule.id).next_run > now()           # moved on to the next 03:00
    assert book.claim_due() == []


def test_the_claim_script_refuses_a_stale_due_time(url):
    client = redis.Redis.from_url(url)
    book = Schedules(client)
    client.zadd(keys.SCHEDULES_DUE, {"t/s": 1000})
    assert book._claim(keys=[keys.SCHEDULES_DUE], args=["t/s", 1000, 2000]) == 1
    assert book._claim(keys=[keys.SCHEDULES_DUE], args=["t/s", 1000, 3000]) == 0
    assert client.zscore(keys.SCHEDULES_DUE, "t/s") == 2000
