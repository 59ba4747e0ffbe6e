"""python-saharaclient 4.2, unmodified, against the gateway over HTTP with real workers."""
import time

import pytest
from saharaclient.api.base import APIException

from tests.sahara.conftest import CLUSTER, sahara_for

INPUT, OUTPUT = "3e1bc8e6-8c69-4749-8e52-90d9341d15bc", "52146b52-6540-4aac-a024-fee253cf52a9"


def wait_status(sahara, execution_id, wanted, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        status = sahara.job_executions.get(execution_id).info["status"]
        if status in wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def template(sahara, name):
    return sahara.jobs.find_unique(name=name).id


def test_execute_get_and_finish_with_the_fields_sahara_shows(sahara):
    job = sahara.jobs.create(name="client-shell", type="Shell", description="counts")
    configs = {"configs": {"mapred.map.tasks": "1"}, "args": ["arg1"], "params": {"count": 4}}
    started = sahara.job_executions.create(job.id, CLUSTER, input_id=INPUT, output_id=OUTPUT, configs=configs)
    assert started.info["status"] == "PENDING"
    assert (started.job_id, started.cluster_id, started.input_id, started.output_id) == (job.id, CLUSTER, INPUT, OUTPUT)
    assert started.job_configs == configs and started.is_public is False and started.is_protected is False
    assert wait_status(sahara, started.id, {"SUCCEEDED", "FAILED"}) == "SUCCEEDED"
    done = sahara.job_executions.get(started.id)
    assert done.return_code == "0" and done.start_time <= done.end_time
    assert time.strptime(done.end_time, "%Y-%m-%dT%H:%M:%S")          # Sahara's timestamp form


def test_list_pages_with_markers_and_filters(sahara):
    job = template(sahara, "QuickJob")
    ids = [sahara.job_executions.create(job, CLUSTER).id for _ in range(3)]
    failing = sahara.job_executions.create(template(sahara, "FailingJob"), CLUSTER).id
    mine = {e.id for e in sahara.job_executions.list(search_opts={"job_id": job})}
    assert set(ids) <= mine and failing not in mine
    ordered = [e.id for e in sahara.job_executions.list(search_opts={"job_id": job}, sort_by="id")]
    assert ordered == sorted(ordered)
    first = sahara.job_executions.list(search_opts={"job_id": job}, sort_by="id", reverse=True, limit=2)
    assert [e.id for e in first] == sorted(ordered, reverse=True)[:2] and first.prev is None and first.next == first[-1].id
    second = sahara.job_executions.list(search_opts={"job_id": job}, sort_by="id", reverse=True, limit=2,
                                        marker=first.next)
    assert [e.id for e in second] == sorted(ordered, reverse=True)[2:4]
    assert wait_status(sahara, failing, {"DONEWITHERROR", "FAILED"}) == "DONEWITHERROR"
    errored = sahara.job_executions.list(search_opts={"status": "donewitherror"})
    assert failing in {e.id for e in errored} and {e.info["status"] for e in errored} == {"DONEWITHERROR"}
    assert sahara.job_executions.list(search_opts={"cluster_id": CLUSTER, "id": failing})[0].id == failing
    for execution_id in ids:
        wait_status(sahara, execution_id, {"SUCCEEDED"})


def test_update_cancel_refresh_and_delete(sahara):
    java = sahara.jobs.create(name="client-java", type="Java")       # a 30 s sleep step
    execution = sahara.job_executions.create(java.id, CLUSTER, is_protected=True)
    manager = sahara.job_executions
    assert wait_status(sahara, execution.id, {"RUNNING"}) == "RUNNING"
    with pytest.raises(APIException) as refused:
        manager._get(f"/job-executions/{execution.id}/cancel", "job_execution")
    assert (refused.value.error_code, refused.value.error_name) == (400, "CANCELING_FAILED")
    updated = manager.update(execution.id, is_public=True, is_protected=False)
    assert updated.job_execution["is_public"] is True and updated.job_execution["is_protected"] is False
    canceled = manager._get(f"/job-executions/{execution.id}/cancel", "job_execution")
    assert canceled.info["status"] == "TOBEKILLED"
    refreshed = manager._get(f"/job-executions/{execution.id}/refresh-status", "job_execution")
    assert refreshed.info["status"] in {"TOBEKILLED", "KILLED"}
    assert wait_status(sahara, execution.id, {"KILLED"}) == "KILLED"
    manager.delete(execution.id)
    with pytest.raises(APIException) as gone:
        manager.get(execution.id)
    assert (gone.value.error_code, gone.value.error_name) == (404, "NOT_FOUND")


def test_protected_execution_is_neither_deleted_nor_updated(sahara):
    execution = sahara.job_executions.create(template(sahara, "QuickJob"), CLUSTER, is_protected=True)
    wait_status(sahara, execution.id, {"SUCCEEDED"})
    with pytest.raises(APIException) as refused:
        sahara.job_executions.delete(execution.id)
    assert (refused.value.error_code, refused.value.error_name) == (400, "DELETION_FAILED")
    url = f"/job-executions/{execution.id}"
    with pytest.raises(APIException) as refused:
        sahara.job_executions._patch(url, {"info": {"status": "cancel"}})
    assert (refused.value.error_code, refused.value.error_name) == (400, "UPDATE_FAILED")
    # Sahara's exception: a protected object may still change is_public alone
    shown = sahara.job_executions.update(execution.id, is_public=True, is_protected=True).job_execution
    assert (shown["is_public"], shown["is_protected"]) == (True, True)
    sahara.job_executions.update(execution.id, is_protected=False)
    sahara.job_executions.delete(execution.id)


def test_errors_carry_sahara_codes_and_names(sahara, sahara_base):
    with pytest.raises(APIException) as missing:
        sahara.job_executions.get("00000000-0000-4000-8000-000000000000")
    assert (missing.value.error_code, missing.value.error_name) == (404, "NOT_FOUND")
    assert "Object with {'id': '00000000-0000-4000-8000-000000000000'} not found" in missing.value.error_message
    with pytest.raises(APIException) as invalid:
        sahara.job_executions.create(template(sahara, "QuickJob"), "not-a-uuid")
    assert (invalid.value.error_code, invalid.value.error_name) == (400, "VALIDATION_ERROR")
    assert "cluster_id" in invalid.value.error_message
    with pytest.raises(APIException) as unserved:
        sahara.jobs.create(name="client-pig", type="Pig")
    assert (unserved.value.error_code, unserved.value.error_name) == (400, "INVALID_DATA")
    with pytest.raises(APIException) as wrong_token:
        sahara_for(sahara_base, "alice", token="not-a-token").job_executions.list()
    assert (wrong_token.value.error_code, wrong_token.value.error_name) == (401, "UNAUTHORIZED")


def test_other_tenant_sees_not_found(sahara, sahara_base):
    execution = sahara.job_executions.create(template(sahara, "QuickJob"), CLUSTER)
    carol = sahara_for(sahara_base, "carol")
    with pytest.raises(APIException) as hidden:
        carol.job_executions.get(execution.id)
    assert (hidden.value.error_code, hidden.value.error_name) == (404, "NOT_FOUND")
    assert execution.id not in {e.id for e in carol.job_executions.list()}
    wait_status(sahara, execution.id, {"SUCCEEDED"})


def test_job_templates_create_update_delete(sahara):
    created = sahara.jobs.create(name="client-tmpl", type="Shell", mains=[INPUT], description="d")
    assert created.type == "Shell" and created.mains == [{"id": INPUT, "name": INPUT}]
    assert sahara.jobs.get(created.id).name == "client-tmpl"
    with pytest.raises(APIException) as taken:
        sahara.jobs.create(name="client-tmpl", type="Shell")
    assert taken.value.error_name == "NAME_ALREADY_EXISTS"
    renamed = sahara.jobs.update(created.id, name="client-tmpl-2", description="e").job
    assert (renamed["id"], renamed["name"], renamed["description"]) == (created.id, "client-tmpl-2", "e")
    assert [t.name for t in sahara.job_types.list()] == ["Java", "Shell"]
    assert sahara.jobs.get_configs("Shell").job_config == {"configs": [], "args": []}
    with pytest.raises(APIException) as catalog:
        sahara.jobs.delete(template(sahara, "QuickJob"))
    assert catalog.value.error_name == "DELETION_FAILED"
    sahara.jobs.delete(created.id)
    with pytest.raises(APIException) as gone:
        sahara.jobs.get(created.id)
    assert gone.value.error_code == 404
