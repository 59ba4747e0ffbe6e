"""What a finished execution keeps in Redis: its record without defaults, and of RQ's only what
expires within a minute for a run that succeeded (jobgate's record holds the outcome)."""
import json
import time
import uuid

import pytest
import redis as redis_lib

from jobgate.model import Execution, Progress, State, StepExecution, dump, now
from jobgate.store import keys, lean, queue
from jobgate.store.executions import Store
from tests.test_native_api import api, wait

#: issue 16's budget for a finished no-op execution is 3 KB with its index entries and its
#: share of shared keys (about 1 KB: bench/memory_check.py); its own keys get the rest
OWN_KEYS_BUDGET = 2048


@pytest.fixture
def client(redis_url):
    return redis_lib.Redis.from_url(redis_url)


def own_keys(client, execution_id):
    return {k.decode(): client.memory_usage(k, samples=0) for k in client.scan_iter(match=f"*{execution_id}*")}


def test_a_record_is_stored_without_its_defaults_and_read_back_whole(client):
    store = Store(client)
    execution = Execution(id=str(uuid.uuid4()), seq=store.next_seq(), definition_id="Def", tenant="lean",
                          origin="native", state=State.QUEUED, created=now(), parameters={"a": []},
                          progress=Progress(percent=50.0), steps=[StepExecution(id="one", type="sleep"),
                                                                  StepExecution(id="two", type="sleep", exit_code=0)])
    store.create(execution, {"steps": [{"id": "one", "type": "sleep", "params": {}, "description": "",
                                        "timeout": None}], "timeout": None, "retries": 0}, exclusive=False)
    stored = json.loads(client.get(keys.record(execution.id)))
    assert set(stored) == {*lean.ALWAYS, "created", "parameters", "progress", "steps"}
    assert stored["steps"] == [{"id": "one", "type": "sleep"}, {"id": "two", "type": "sleep", "exit_code": 0}]
    assert json.loads(client.get(keys.plan(execution.id))) == {"steps": [{"id": "one", "type": "sleep"}], "retries": 0}
    assert dump(store.get(execution.id)) == dump(execution)
    ran = store.transition(execution.id, State.RUNNING, {"message": "", "steps": [dump(s) for s in execution.steps]})
    assert ran.steps == execution.steps and ran.message == ""


def test_a_succeeded_run_keeps_rq_only_briefly_and_little_of_its_own(base_url, client):
    done = wait(base_url, api(base_url, "POST", "/executions", json={"definition": "NoopJob"}).json()["id"])
    assert done["state"] == "SUCCEEDED", done
    def rq_ttls():
        return {k: client.ttl(k) for k in own_keys(client, done["id"]) if k.startswith("rq:")}

    deadline = time.monotonic() + 5          # RQ's bookkeeping ends just after the record says SUCCEEDED
    while not all(0 < ttl <= queue.KEEP_SUCCEEDED for ttl in rq_ttls().values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    # what RQ keeps of it expires with the job (nothing of it lives on with the record)
    assert all(0 < ttl <= queue.KEEP_SUCCEEDED for ttl in rq_ttls().values()), rq_ttls()
    found = own_keys(client, done["id"])
    own = {k: size for k, size in found.items() if not k.startswith("rq:")}
    assert keys.record(done["id"]) in own and sum(own.values()) <= OWN_KEYS_BUDGET, own
