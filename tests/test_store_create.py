"""Store.create as one script (lua.CREATE): one round trip per submit, its RQ job written only
when the checks pass, and exactly as many racing creates commit as the quota and slot allow."""
import threading
import uuid

import pytest
import redis as redis_lib
from rq import Queue
from rq.job import Job

from jobgate.errors import AlreadyRunning, TooManyActive
from jobgate.model import Execution, State, now
from jobgate.store import keys
from jobgate.store.executions import Store
from jobgate.store.queue import JobQueue

RUN = uuid.uuid4().hex[:8]
#: a queue no worker serves, so that what is enqueued stays there for the test to see
PARKED = f"parked-{RUN}"


class _Counting:
    """Mixed into the client's connection class: counts what is sent to Redis (one send is one
    round trip; a pipeline is one)."""
    sent = 0

    def send_packed_command(self, command, check_health=True):
        _Counting.sent += 1
        return super().send_packed_command(command, check_health)


@pytest.fixture
def client(redis_url):
    return redis_lib.Redis.from_url(redis_url)


def execution(tenant: str, definition: str = "Def", seq: int = 0) -> Execution:
    return Execution(id=str(uuid.uuid4()), seq=seq, definition_id=definition, tenant=tenant, origin="native",
                     state=State.QUEUED, created=now(), queue=PARKED)


def create(store: Store, new: Execution, **options) -> str:
    queue = JobQueue(store.redis)
    return store.create(new, {"steps": []}, enqueue=lambda pipe: queue.enqueue(pipe, new, 60), **options)


def test_a_submit_with_its_quota_slot_and_rq_job_is_one_round_trip(redis_url):
    client = redis_lib.Redis.from_url(redis_url)
    pool = client.connection_pool
    pool.connection_class = type("Counting", (_Counting, pool.connection_class), {})
    store = Store(client)
    store.redis.ping()                    # the connection is made (and Lua's cache warm) before counting
    create(store, execution(f"trips-{RUN}", "Warm"), exclusive=True, active_limit=10)
    _Counting.sent = 0
    new = execution(f"trips-{RUN}")
    assert create(store, new, exclusive=True, active_limit=10) == new.id
    assert _Counting.sent == 1
    assert new.seq > 0 and store.get(new.seq).id == new.id
    assert Job.fetch(new.id, connection=client).get_status() == "queued"


def test_a_refused_submit_leaves_no_record_and_no_rq_job(client):
    store, tenant = Store(client), f"refused-{RUN}"
    first = execution(tenant, "Solo")
    create(store, first, exclusive=True, active_limit=2)
    queued = Queue(PARKED, connection=client).count
    for refused, options, error in ((execution(tenant, "Solo"), {"exclusive": True}, AlreadyRunning),
                                    (execution(tenant, "Other"), {"exclusive": False, "active_limit": 1},
                                     TooManyActive)):
        with pytest.raises(error):
            create(store, refused, **options)
        assert store.get(refused.id) is None and not client.exists(Job.key_for(refused.id))
    assert Queue(PARKED, connection=client).count == queued
    assert client.zcard(keys.index(tenant)) == 1


def test_racing_creates_commit_exactly_the_quota_and_one_of_an_exclusive_job(client):
    store, tenant = Store(client), f"race-{RUN}"
    racers, limit = 12, 5
    barrier = threading.Barrier(racers)
    outcomes = []

    def race(index: int) -> None:
        new = execution(tenant, "Solo" if index % 2 else f"Free{index}")
        barrier.wait()
        try:
            create(store, new, exclusive=new.definition_id == "Solo", active_limit=limit)
            outcomes.append(new.definition_id)
        except (AlreadyRunning, TooManyActive) as refused:
            outcomes.append(type(refused).__name__)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    committed = [o for o in outcomes if o not in ("AlreadyRunning", "TooManyActive")]
    assert len(outcomes) == racers and len(committed) == limit, outcomes
    assert committed.count("Solo") <= 1
    assert client.zcard(keys.index(tenant)) == limit
    seqs = {score for _, score in client.zrange(keys.index(tenant), 0, -1, withscores=True)}
    assert len(seqs) == limit                       # each got a seq of its own
