"""The store against a real Redis: atomic transitions, indexes, expiry."""
import uuid
from datetime import timedelta

import pytest
import redis as redis_lib

from jobgate.errors import AlreadyRunning, Conflict, VersionMismatch
from jobgate.model import TERMINAL, TRANSITIONS, Execution, State, now, to_ms
from jobgate.settings import Settings
from jobgate.store import keys
from jobgate.store.connection import connect
from jobgate.store.executions import Store
from jobgate.store.keys import index as index_key
from jobgate.store.queue import JobQueue

# Tenants unique to this run, so a reused Redis database cannot skew the counts.
RUN = uuid.uuid4().hex[:8]
T_MOVE, T_PAGE, T_SLOT, T_EXP, T_KEEP = (f"{name}-{RUN}" for name in ("move", "page", "slot", "exp", "keep"))


@pytest.fixture
def store(redis_url):
    return Store(redis_lib.Redis.from_url(redis_url))


def new_execution(store, tenant="store-t", definition="Def", origin="native", **fields):
    execution = Execution(id=str(uuid.uuid4()), seq=store.next_seq(), definition_id=definition, tenant=tenant,
                          origin=origin, state=State.QUEUED, created=now(), **fields)
    store.create(execution, {"steps": []}, exclusive=False)
    return execution


def test_every_state_is_in_the_transition_table():
    assert set(TRANSITIONS) == set(State)
    assert TERMINAL == {State.SUCCEEDED, State.SUCCEEDED_WITH_WARNINGS, State.FAILED, State.CANCELED, State.DIED}


def test_transition_bumps_version_and_moves_indexes(store):
    execution = new_execution(store, tenant=T_MOVE)
    running = store.transition(execution.id, State.RUNNING, {"message": "go"})
    assert (running.state, running.version, running.message) == (State.RUNNING, 2, "go")
    r = store.redis
    assert r.zscore(index_key(T_MOVE, state="RUNNING"), execution.id) == execution.seq
    assert r.zscore(index_key(T_MOVE, "Def", "RUNNING", "native"), execution.id) == execution.seq
    assert r.zscore(index_key(T_MOVE, state="QUEUED"), execution.id) is None
    assert r.zscore(index_key(T_MOVE), execution.id) == execution.seq


def test_illegal_transition_is_conflict_and_changes_nothing(store):
    execution = new_execution(store)
    store.transition(execution.id, State.CANCELED)
    with pytest.raises(Conflict) as caught:
        store.transition(execution.id, State.RUNNING)
    assert caught.value.context["state"] == "CANCELED"
    assert store.get(execution.id).state == State.CANCELED


def test_expected_version_guards_updates(store):
    execution = new_execution(store)
    store.transition(execution.id, None, {"message": "one"}, expected_version=1)
    with pytest.raises(VersionMismatch):
        store.transition(execution.id, None, {"message": "two"}, expected_version=1)


def test_found_by_uuid_or_seq(store):
    execution = new_execution(store)
    assert store.get(execution.seq).id == execution.id
    assert store.get(str(execution.seq)).id == execution.id
    assert store.get("123456789012") is None


def test_pages_combine_filters_newest_first(store):
    made = [new_execution(store, tenant=T_PAGE, definition=d, origin=o)
            for d, o in [("A", "native"), ("B", "native"), ("A", "sahara"), ("A", "native")]]
    items, total = store.page(T_PAGE, definition="A", origin="native")
    assert total == 2 and [i.id for i in items] == [made[3].id, made[0].id]
    items, total = store.page(T_PAGE, limit=2, offset=2, newest_first=False)
    assert total == 4 and [i.id for i in items] == [made[2].id, made[3].id]
    items, _ = store.page(T_PAGE, limit=2, after_seq=made[2].seq)
    assert [i.id for i in items] == [made[1].id, made[0].id]


def test_exclusive_slot_is_released_by_a_terminal_state(store):
    first = Execution(id=str(uuid.uuid4()), seq=store.next_seq(), definition_id="Solo", tenant=T_SLOT,
                      state=State.QUEUED)
    store.create(first, {"steps": []}, exclusive=True)
    second = Execution(id=str(uuid.uuid4()), seq=store.next_seq(), definition_id="Solo", tenant=T_SLOT,
                       state=State.QUEUED)
    with pytest.raises(AlreadyRunning):
        store.create(second, {"steps": []}, exclusive=True)
    assert store.get(second.id) is None
    store.transition(first.id, State.CANCELED)
    store.create(second, {"steps": []}, exclusive=True)
    assert store.get(second.id).state == State.QUEUED


def test_expired_execution_disappears_with_log_result_and_indexes(store):
    execution = new_execution(store, tenant=T_EXP, expires=now() - timedelta(seconds=1))
    store.append_log(execution.id, "line\n")
    store.set_result(execution.id, {"x": 1})
    store.purge_expired()
    assert store.get(execution.id).state == State.QUEUED, "an unfinished execution stays until it ends"
    store.transition(execution.id, State.CANCELED)
    assert store.purge_expired() >= 1
    assert store.get(execution.id) is None and store.get(execution.seq) is None
    assert store.read_log(execution.id) == b"" and store.get_result(execution.id) is None
    assert store.page(T_EXP) == ([], 0)


def test_a_finished_execution_without_an_expiry_is_kept_for_the_retention_only(redis_url):
    """The operator's retention puts an ended execution in the expiry index, without showing it an expiry."""
    client = redis_lib.Redis.from_url(redis_url)
    keeping, forever = Store(client, retention=3600), Store(client, retention=0)
    kept = keeping.transition(new_execution(keeping, tenant=T_KEEP).id, State.CANCELED, {"ended": to_ms(now())})
    assert kept.expires is None and client.zscore(keys.EXPIRIES, kept.id) == to_ms(kept.ended) + 3600_000
    keeping.transition(kept.id, None, {"attributes": {"native": {"n": 1}}})       # a later change keeps it there
    assert client.zscore(keys.EXPIRIES, kept.id) == to_ms(kept.ended) + 3600_000
    own = new_execution(keeping, tenant=T_KEEP, expire_after=60)
    own = keeping.transition(own.id, State.CANCELED, {"ended": to_ms(now())})
    assert client.zscore(keys.EXPIRIES, own.id) == to_ms(own.expires) == to_ms(own.ended) + 60_000
    cleared = keeping.transition(own.id, None, {"expires": None, "expire_after": None})
    assert client.zscore(keys.EXPIRIES, own.id) == to_ms(cleared.ended) + 3600_000      # back to the retention
    endless = forever.transition(new_execution(forever, tenant=T_KEEP).id, State.CANCELED, {"ended": to_ms(now())})
    assert client.zscore(keys.EXPIRIES, endless.id) is None
    brief = Store(client, retention=0.001)
    gone = brief.transition(new_execution(brief, tenant=T_KEEP).id, State.CANCELED, {"ended": to_ms(now()) - 10})
    assert brief.purge_expired() >= 1 and brief.get(gone.id) is None
    assert keeping.get(kept.id) is not None and forever.get(endless.id) is not None


def test_the_default_retention_is_finite():
    assert 0 < Settings.from_env({}).retention == 30 * 86400
    assert Settings.from_env({"JOBGATE_RETENTION": "0"}).retention == 0


def test_client_data_survives_transitions_untouched(store):
    data = {"items": [], "big": 12345678901234567, "nested": {"empty": {}, "list": [[]]}}
    execution = new_execution(store, parameters=data, attributes={"sahara": {"tags": [], "n": 2**60}})
    store.transition(execution.id, State.RUNNING, {"message": "go"})
    after = store.transition(execution.id, None, {"attributes": {"sahara": {"tags": [], "n": 2**60}, "x": {}}})
    assert after.parameters == data
    assert after.attributes == {"sahara": {"tags": [], "n": 2**60}, "x": {}}
    assert store.get(execution.id).parameters == data


def test_a_script_failure_is_not_taken_for_a_conflict(store):
    execution = new_execution(store)
    with pytest.raises(redis_lib.ResponseError):
        store.transition(execution.id, None, {"expire_after": float("inf")}, )
    store.transition(execution.id, State.CANCELED)


def test_the_log_size_is_read_from_the_log_never_stored(store):
    execution = new_execution(store)
    assert b"log_size" not in store.redis.get(keys.record(execution.id))
    store.append_log(execution.id, "twelve bytes")
    assert store.get(execution.id).log_size == 12


def test_stopping_a_job_no_worker_runs_or_rq_no_longer_has_is_nothing_to_do(redis_url):
    queue = JobQueue(connect(redis_url))
    queue.stop(str(uuid.uuid4()))                    # no RQ job (removed, or its result expired)
    client = connect(redis_url)
    execution = Execution(id=str(uuid.uuid4()), seq=0, definition_id="Def", tenant="store-t", queue=f"stop-{RUN}")
    pipe = client.pipeline()
    queue.enqueue(pipe, execution, None)
    pipe.execute()
    try:
        queue.stop(execution.id)                     # queued: no worker to tell
    finally:
        queue.cancel(execution.id)
