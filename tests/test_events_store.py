"""Event streams in the store (store.events) against a real Redis: each write tells its events."""
import threading
import uuid

import pytest

from jobgate.errors import Conflict
from jobgate.model import Execution, State, StepExecution, dump, now
from jobgate.store import keys
from jobgate.store.connection import connect, set_budget
from jobgate.store.events import START
from jobgate.store.executions import Store


@pytest.fixture
def store(redis_url):
    return Store(connect(redis_url))


def new_execution(store, tenant):
    execution = Execution(id=str(uuid.uuid4()), seq=store.next_seq(), definition_id="Def", tenant=tenant,
                          origin="native", state=State.QUEUED, created=now(),
                          steps=[StepExecution(id="one", type="sleep")])
    store.create(execution, {"steps": []}, exclusive=False)
    return execution


def run_to_end(store, execution):
    steps = [dump(s) for s in execution.steps]
    store.transition(execution.id, State.RUNNING)
    store.transition(execution.id, None, {"steps": [{**steps[0], "state": "RUNNING"}]})
    store.append_log(execution.id, "hello\n")
    store.transition(execution.id, None, {"progress": {"percent": 50.0, "total": 2, "processed": 1, "failed": 0}})
    store.transition(execution.id, None, {"steps": [{**steps[0], "state": "SUCCEEDED", "exit_code": 0}]})
    store.transition(execution.id, State.SUCCEEDED, {"message": "done"})


def test_a_run_tells_its_events_in_order_in_both_streams(store):
    tenant = f"ev-{uuid.uuid4().hex[:8]}"
    execution = new_execution(store, tenant)
    run_to_end(store, execution)
    mine = store.events.read(keys.execution_events(execution.id))
    assert [(e.type, e.state) for e in mine] == [
        ("state", "QUEUED"), ("state", "RUNNING"), ("step.started", "RUNNING"), ("log", ""),
        ("progress", "RUNNING"), ("step.ended", "RUNNING"), ("state", "SUCCEEDED")]
    assert mine[0].data["from"] is None and mine[1].data["from"] == "QUEUED"
    assert mine[3].data == {"text": "hello\n", "offset": 0}
    assert mine[4].data["progress"]["percent"] == 50
    assert mine[5].data["step"]["id"] == "one" and mine[5].data["index"] == 0
    assert mine[-1].terminal and mine[-1].data["message"] == "done"
    told = store.events.read(keys.tenant_events(tenant))
    assert [e.type for e in told] == [e.type for e in mine if e.type != "log"]
    assert {(e.execution, e.tenant, e.definition, e.origin) for e in told} == {(execution.id, tenant, "Def", "native")}


def test_a_refused_transition_tells_nothing(store):
    tenant = f"ev-{uuid.uuid4().hex[:8]}"
    execution = new_execution(store, tenant)
    store.transition(execution.id, State.CANCELED)
    with pytest.raises(Conflict):
        store.transition(execution.id, State.RUNNING)
    assert [e.state for e in store.events.read(keys.tenant_events(tenant))] == ["QUEUED", "CANCELED"]


def test_read_after_an_id_resumes_with_no_gap_or_repeat(store):
    tenant = f"ev-{uuid.uuid4().hex[:8]}"
    execution = new_execution(store, tenant)
    run_to_end(store, execution)
    key = keys.execution_events(execution.id)
    whole = store.events.read(key)
    first = store.events.read(key, count=3)
    rest = store.events.read(key, first[-1].id)
    assert [e.id for e in first + rest] == [e.id for e in whole]
    assert store.events.last_id(key) == whole[-1].id and store.events.last_id(key + ":none") == START


def test_a_blocking_read_waits_for_the_next_event_outside_the_request_budget(store):
    tenant = f"ev-{uuid.uuid4().hex[:8]}"
    execution = new_execution(store, tenant)
    key = keys.tenant_events(tenant)
    listening = store.events.listening(hold=3)
    after = listening.last_id(key)
    set_budget(0.2)            # a request's budget, far below the block: the listening client spends none
    try:
        assert listening.read(key, after, block=0.5) == []
        later = threading.Timer(0.3, store.transition, (execution.id, State.CANCELED))
        later.start()
        came = listening.read(key, after, block=3)
        later.join()
    finally:
        set_budget(None)
    assert [e.state for e in came] == ["CANCELED"]


def test_purge_removes_the_execution_stream_and_streams_are_capped(redis_url):
    store = Store(connect(redis_url), events_maxlen=10)
    tenant = f"ev-{uuid.uuid4().hex[:8]}"
    execution = new_execution(store, tenant)
    for n in range(300):
        store.append_log(execution.id, f"line {n}\n")
    assert store.redis.xlen(keys.execution_events(execution.id)) < 300
    store.transition(execution.id, State.CANCELED)
    assert store.purge(execution.id)
    assert not store.redis.exists(keys.execution_events(execution.id))
    assert store.redis.exists(keys.tenant_events(tenant))
