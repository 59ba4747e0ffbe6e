"""The Sahara wire itself, over HTTP: object fields, paging markers, faults, tenant in the URL."""
import re
import time

import pytest
import requests

from tests.dialects.sahara import Driver
from tests.sahara.conftest import CLUSTER, PARKED_CLUSTER

EXECUTION_FIELDS = {
    "id", "tenant_id", "job_id", "cluster_id", "input_id", "output_id", "job_configs", "interface", "info",
    "start_time", "end_time", "created_at", "updated_at", "return_code", "oozie_job_id", "engine_job_id",
    "data_source_urls", "is_public", "is_protected"}
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


class Api:
    def __init__(self, base, token="tok-alice", tenant="acme"):
        self.url, self.headers = f"{base}/v1.1/{tenant}", {"X-Auth-Token": token} if token else {}

    def __call__(self, method, path, **kwargs):
        return requests.request(method, self.url + path, headers={**self.headers, **kwargs.pop("headers", {})},
                                timeout=10, **kwargs)


@pytest.fixture
def api(sahara_base):
    return Api(sahara_base)


def assert_fault(response, status, name):
    body = response.json()
    assert response.status_code == status and set(body) == {"error_code", "error_name", "error_message"}, body
    assert (body["error_code"], body["error_name"]) == (status, name), body
    assert "\nError ID: " in body["error_message"]


def run(api, job="QuickJob", **body):
    job_id = api("GET", "/jobs", params={"name": job}).json()["jobs"][0]["id"]
    response = api("POST", f"/jobs/{job_id}/execute", json={"cluster_id": CLUSTER, **body})
    assert response.status_code == 202, response.text
    return job_id, response.json()["job_execution"]


def finished(sahara_base, execution_id):
    return Driver(sahara_base, "tok-alice").wait(execution_id)


def test_job_execution_has_every_field_and_sahara_timestamps(api, sahara_base):
    job_id, execution = run(api, job="RaisingJob")
    assert set(execution) == EXECUTION_FIELDS and execution["job_id"] == job_id
    assert execution["info"] == {"status": "PENDING"} and execution["tenant_id"] == "acme"
    finished(sahara_base, execution["id"])
    shown = api("GET", f"/job-executions/{execution['id']}").json()["job_execution"]
    assert shown["info"]["status"] == "FAILED" and "the widget broke" in shown["info"]["message"]
    for key in ("start_time", "end_time", "created_at", "updated_at"):
        assert STAMP.match(shown[key]), (key, shown[key])


def test_markers_only_when_a_neighbour_page_exists_or_a_marker_was_sent(api, sahara_base):
    job_id, _ = run(api)
    ids = [run(api)[1]["id"] for _ in range(2)]
    every = [e["id"] for e in api("GET", "/job-executions", params={"job_id": job_id}).json()["job_executions"]]
    assert "markers" not in api("GET", "/job-executions", params={"job_id": job_id}).json()
    whole = api("GET", "/job-executions", params={"job_id": job_id, "limit": len(every)}).json()
    assert "markers" not in whole and len(whole["job_executions"]) == len(every)
    last = api("GET", "/job-executions", params={"job_id": job_id, "limit": 1, "marker": every[-2]}).json()
    assert [e["id"] for e in last["job_executions"]] == every[-1:]
    assert last["markers"] == {"prev": every[-3], "next": None}
    assert_fault(api("GET", "/job-executions", params={"marker": "00000000-0000-4000-8000-000000000001"}),
                 404, "NOT_FOUND")
    for execution_id in ids:
        finished(sahara_base, execution_id)


@pytest.mark.parametrize("params, status, name", [
    ({"limit": "0"}, 400, "VALIDATION_ERROR"),
    ({"sort_by": "-colour"}, 400, "VALIDATION_ERROR"),
    ({"colour": "red"}, 400, "INVALID_DATA"),
])
def test_bad_list_queries_are_refused(api, params, status, name):
    assert_fault(api("GET", "/job-executions", params=params), status, name)


def test_bodies_must_be_json(api):
    job_id = api("GET", "/jobs", params={"name": "QuickJob"}).json()["jobs"][0]["id"]
    assert_fault(api("POST", f"/jobs/{job_id}/execute", data="{nope", headers={"Content-Type": "application/json"}),
                 400, "MALFORMED_REQUEST_BODY")
    assert_fault(api("POST", f"/jobs/{job_id}/execute", data="cluster_id=x", headers={"Content-Type": "text/plain"}),
                 400, "INVALID_DATA")
    assert_fault(api("POST", f"/jobs/{job_id}/execute", json={"cluster_id": CLUSTER, "extra": 1}),
                 400, "VALIDATION_ERROR")
    assert_fault(api("POST", "/jobs/00000000-0000-4000-8000-000000000002/execute", json={"cluster_id": CLUSTER}),
                 404, "NOT_FOUND")


def test_patch_info_and_suspend(api, sahara_base):
    _, execution = run(api)
    path = f"/job-executions/{execution['id']}"
    assert_fault(api("PATCH", path, json={"info": {"status": "suspend"}}), 400, "INVALID_REFERENCE")
    assert_fault(api("PATCH", path, json={"info": {"status": "cancel"}, "is_public": True}), 400, "INVALID_JOB_STATUS")
    assert_fault(api("PATCH", path, json={"info": {"status": "pause"}}), 400, "VALIDATION_ERROR")
    unchanged = api("PATCH", path, json={})
    assert unchanged.status_code == 202, unchanged.text
    assert unchanged.json()["job_execution"]["id"] == execution["id"]
    finished(sahara_base, execution["id"])


def test_tenant_in_the_url_must_be_the_tokens(sahara_base):
    assert_fault(Api(sahara_base, tenant="globex")("GET", "/job-executions"), 401, "UNAUTHORIZED")
    assert_fault(Api(sahara_base, token=None)("GET", "/job-executions"), 401, "UNAUTHORIZED")
    assert_fault(Api(sahara_base)("GET", "/no-such-thing"), 404, "NOT_FOUND")


def test_deleting_a_running_execution_cancels_it_then_it_is_gone(api, sahara_base, service):
    _, execution = run(api, job="SlowJob")
    driver = Driver(sahara_base, "tok-alice")
    driver.wait(execution["id"], until={"RUNNING"})
    assert api("DELETE", f"/job-executions/{execution['id']}").status_code == 204
    assert service.store.get(execution["id"]).cancel_requested
    deadline = time.monotonic() + 20
    while api("GET", f"/job-executions/{execution['id']}").status_code != 404 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert_fault(api("GET", f"/job-executions/{execution['id']}"), 404, "NOT_FOUND")
    assert service.store.get(execution["id"]) is None


def test_deleting_a_queued_execution_removes_it_at_once(api, service):
    _, routed = run(api, cluster_id=PARKED_CLUSTER)
    assert api("DELETE", f"/job-executions/{routed['id']}").status_code == 204
    assert_fault(api("GET", f"/job-executions/{routed['id']}"), 404, "NOT_FOUND")
    assert routed["id"].encode() not in service.redis.lrange("rq:queue:parked", 0, -1)


def test_operator_maps_a_cluster_to_its_queue(api, sahara_base, service):
    _, routed = run(api, cluster_id=PARKED_CLUSTER)
    assert service.store.get(routed["id"]).queue == "parked"
    assert routed["id"].encode() in service.redis.lrange("rq:queue:parked", 0, -1)
    assert api("GET", f"/job-executions/{routed['id']}/cancel").status_code == 200
    _, elsewhere = run(api)
    assert service.store.get(elsewhere["id"]).queue == "default"
    assert finished(sahara_base, elsewhere["id"]).state == "SUCCEEDED"


def test_keyset_pages_match_the_general_path(api, sahara_base):
    """limit + marker (+ job) is served from the store's indexes; a filter that matches
    everything (tenant_id) takes the general path: both must page alike."""
    job_id, _ = run(api)
    for _ in range(4):
        run(api)
    for extra in ({}, {"job_id": job_id}):
        marker = None
        for _ in range(3):
            query = {"limit": 2, **extra, **({"marker": marker} if marker else {})}
            fast = api("GET", "/job-executions", params=query).json()
            general = api("GET", "/job-executions", params={**query, "tenant_id": "acme"}).json()
            assert [e["id"] for e in fast["job_executions"]] == [e["id"] for e in general["job_executions"]]
            assert fast.get("markers") == general.get("markers")
            marker = (fast.get("markers") or {}).get("next")
            if marker is None:
                break


def test_a_pathological_name_pattern_is_refused_not_a_stall(api, sahara_base):
    name = "a" * 45 + "-"
    created = api("POST", "/jobs", json={"name": name, "type": "Shell"})
    assert created.status_code == 202, created.text
    job_id = created.json()["job"]["id"]
    execution = api("POST", f"/jobs/{job_id}/execute", json={"cluster_id": CLUSTER}).json()["job_execution"]
    finished(sahara_base, execution["id"])
    assert_fault(api("GET", "/job-executions", params={"job.name": "^(a|aa)+$"}), 400, "INVALID_DATA")
    assert [e["id"] for e in api("GET", "/job-executions", params={"job.name": "^a{45}-$"}).json()["job_executions"]] \
        == [execution["id"]]
    api("DELETE", f"/job-executions/{execution['id']}")
    api("DELETE", f"/jobs/{job_id}")


def test_a_renamed_template_frees_its_old_name_and_catalog_templates_are_read_only(api):
    created = api("POST", "/jobs", json={"name": "alpha-template", "type": "Shell"}).json()["job"]
    renamed = api("PATCH", f"/jobs/{created['id']}", json={"name": "beta-template"})
    assert renamed.status_code == 202 and renamed.json()["job"]["name"] == "beta-template"
    again = api("POST", "/jobs", json={"name": "alpha-template", "type": "Shell"})
    assert again.status_code == 202, again.text
    assert_fault(api("POST", "/jobs", json={"name": "beta-template", "type": "Shell"}), 400, "NAME_ALREADY_EXISTS")
    catalog = api("GET", "/jobs", params={"name": "QuickJob"}).json()["jobs"][0]["id"]
    assert_fault(api("PATCH", f"/jobs/{catalog}", json={"is_protected": False}), 400, "UPDATE_FAILED")
    for job in (created["id"], again.json()["job"]["id"]):
        api("DELETE", f"/jobs/{job}")
