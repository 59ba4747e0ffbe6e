"""The native API over HTTP: definitions, executions, logs, faults, OpenAPI."""
import json
import time
from datetime import datetime

import pytest
import requests

from jobgate.kit.app import create_app
from jobgate.settings import Settings

ALICE = {"Authorization": "Bearer tok-alice"}
CAROL = {"Authorization": "Bearer tok-carol"}


def api(base_url, method, path, headers=ALICE, **kwargs):
    return requests.request(method, f"{base_url}/api/v1{path}", headers=headers, timeout=10, **kwargs)


def wait(base_url, ref, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        body = api(base_url, "GET", f"/executions/{ref}").json()
        if body["state"] in ("SUCCEEDED", "FAILED", "CANCELED", "DIED") or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def assert_fault(response, status, code):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert "Traceback" not in response.text
    return error


def test_definitions_crud_within_a_tenant(base_url):
    body = {"id": "NightlyExport", "name": "Nightly export", "steps": [
        {"id": "Wait", "type": "sleep", "params": {"seconds": 0}}], "restartable": True}
    created = api(base_url, "POST", "/definitions", json=body)
    assert created.status_code == 201, created.text
    definition = created.json()
    assert definition["source"] == "api" and definition["seq"] > 0 and definition["uuid"]
    for ref in ("NightlyExport", definition["uuid"], str(definition["seq"])):
        assert api(base_url, "GET", f"/definitions/{ref}").json()["id"] == "NightlyExport"
    assert_fault(api(base_url, "GET", "/definitions/NightlyExport", headers=CAROL), 404, "definition_not_found")
    ids = [d["id"] for d in api(base_url, "GET", "/definitions").json()["items"]]
    assert "NightlyExport" in ids and "QuickJob" in ids
    patched = api(base_url, "PATCH", "/definitions/NightlyExport", json={"description": "exports"}).json()
    assert patched["description"] == "exports" and patched["version"] == definition["version"] + 1
    ref = api(base_url, "POST", "/executions", json={"definition": "NightlyExport"}).json()["id"]
    assert wait(base_url, ref)["state"] == "SUCCEEDED"
    assert api(base_url, "DELETE", "/definitions/NightlyExport").status_code == 204
    assert_fault(api(base_url, "GET", "/definitions/NightlyExport"), 404, "definition_not_found")


def test_api_created_definitions_cannot_run_shell(base_url):
    body = {"id": "Sneaky", "steps": [{"type": "shell", "params": {"argv": ["rm", "-rf", "/"]}}]}
    error = assert_fault(api(base_url, "POST", "/definitions", json=body), 400, "invalid")
    assert "shell" in error["message"]


def test_catalog_definitions_are_read_only(base_url):
    assert_fault(api(base_url, "DELETE", "/definitions/QuickJob"), 400, "invalid")
    error = assert_fault(api(base_url, "PATCH", "/definitions/QuickJob", json={"description": "x"}), 400, "invalid")
    assert "catalog" in error["message"]


def test_execution_document_records_steps_progress_and_result(base_url):
    ref = api(base_url, "POST", "/executions", json={"definition": "QuickJob", "parameters": {"count": 4}}).json()["id"]
    done = wait(base_url, ref)
    assert done["state"] == "SUCCEEDED" and done["exit"] == {"code": 0, "message": ""}
    assert done["progress"]["percent"] == 100.0
    assert done["parameters"] == {"count": 4}
    assert [s["state"] for s in done["steps"]] == ["SUCCEEDED", "SUCCEEDED"]
    started, ended = (datetime.fromisoformat(done[k].replace("Z", "+00:00")) for k in ("started", "ended"))
    assert done["duration_ms"] == round((ended - started).total_seconds() * 1000)
    assert api(base_url, "GET", f"/executions/{ref}/result").json() == {"result": {"counted": 4}}
    assert api(base_url, "GET", f"/executions/{done['seq']}").json()["id"] == ref


def test_log_tails_from_an_offset(base_url):
    body = {"definition": "QuickJob", "parameters": {"greeting": "hi"}}
    ref = api(base_url, "POST", "/executions", json=body).json()["id"]
    wait(base_url, ref)
    whole = api(base_url, "GET", f"/executions/{ref}/log")
    assert whole.headers["Content-Type"].startswith("text/plain")
    assert int(whole.headers["X-Log-Offset"]) == len(whole.content)
    tail = api(base_url, "GET", f"/executions/{ref}/log", params={"offset": 10})
    assert tail.content == whole.content[10:]


def test_list_filters_by_state_and_origin_with_cursor_paging(base_url):
    refs = [api(base_url, "POST", "/executions", json={"definition": "FailingJob"}).json()["id"] for _ in range(3)]
    for ref in refs:
        wait(base_url, ref)
    failed = api(base_url, "GET", "/executions", params={"definition": "FailingJob", "state": "FAILED"}).json()
    assert set(refs) <= {i["id"] for i in failed["items"]} and failed["total"] >= 3
    assert all(i["state"] == "FAILED" for i in failed["items"])
    none = api(base_url, "GET", "/executions", params={"definition": "FailingJob", "state": "SUCCEEDED"}).json()
    assert none["total"] == 0 and none["items"] == []
    first = api(base_url, "GET", "/executions", params={"definition": "FailingJob", "limit": 2, "origin": "native"}).json()
    second = api(base_url, "GET", "/executions", params={"definition": "FailingJob", "limit": 2,
                                                         "cursor": first["next_cursor"]}).json()
    assert first["items"][1]["seq"] > second["items"][0]["seq"]
    oldest = api(base_url, "GET", "/executions", params={"definition": "FailingJob", "order": "oldest"}).json()
    seqs = [i["seq"] for i in oldest["items"]]
    assert seqs == sorted(seqs)


def test_delete_of_unfinished_execution_is_conflict(base_url):
    ref = api(base_url, "POST", "/executions", json={"definition": "SlowJob"}).json()["id"]
    assert_fault(api(base_url, "DELETE", f"/executions/{ref}"), 409, "not_finished")
    canceled = api(base_url, "POST", f"/executions/{ref}/cancel")
    assert canceled.status_code == 200
    assert wait(base_url, ref)["state"] == "CANCELED"
    assert api(base_url, "DELETE", f"/executions/{ref}").status_code == 204


@pytest.mark.parametrize("body, status, code, field", [
    ('{"definition": ', 400, "malformed_body", "json"),
    ('{"definition": "QuickJob", "surprise": 1}', 422, "invalid", "surprise"),
    ('{"definition": 5}', 422, "invalid", "definition"),
    ('{"parameters": {}}', 422, "invalid", "definition"),
])
def test_bad_bodies_get_field_messages(base_url, body, status, code, field):
    response = api(base_url, "POST", "/executions", data=body,
                   headers={**ALICE, "Content-Type": "application/json"})
    error = assert_fault(response, status, code)
    assert field in json.dumps(error["details"])


def test_unknown_definition_and_bad_query(base_url):
    assert_fault(api(base_url, "POST", "/executions", json={"definition": "NoSuchJob"}), 404, "definition_not_found")
    assert_fault(api(base_url, "GET", "/executions", params={"state": "BOGUS"}), 422, "invalid")
    assert_fault(api(base_url, "GET", "/executions/../../etc"), 404, "not_found")


def test_oversized_body_is_413(base_url, settings):
    big = {"definition": "QuickJob", "parameters": {"blob": "x" * (settings.max_body + 10)}}
    assert_fault(api(base_url, "POST", "/executions", json=big), 413, "payload_too_large")


def test_routing_errors_use_the_dialect_format(base_url):
    assert_fault(api(base_url, "GET", "/nowhere"), 404, "not_found")
    assert_fault(api(base_url, "PUT", "/executions"), 405, "method_not_allowed")


def test_openapi_document_and_docs_page(base_url):
    spec = requests.get(f"{base_url}/api/v1/openapi.json", timeout=10).json()
    assert spec["info"]["title"] == "jobgate native API"
    assert {"/api/v1/executions", "/api/v1/executions/{ref}", "/api/v1/definitions"} <= set(spec["paths"])
    docs = requests.get(f"{base_url}/api/v1/docs", timeout=10)
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text


def test_health_and_readiness(base_url):
    assert requests.get(f"{base_url}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{base_url}/readyz", timeout=5).json()
    assert ready["redis"] == "ok" and ready["workers"] >= 1


def test_redis_unreachable_is_503_in_dialect_format(gateway_env, tmp_path):
    settings = Settings.from_env({**gateway_env, "REDIS_URL": f"unix://{tmp_path}/absent.sock"})
    client = create_app(settings).test_client()
    response = client.get("/api/v1/executions", headers=ALICE)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"
    assert client.get("/readyz").status_code == 503


def test_an_unexpected_failure_is_a_500_with_a_request_id_and_no_trace(base_url, service, caplog):
    broken = "0badc0de-0000-4000-8000-000000000000"
    service.redis.set(f"jg:execution:{broken}", "{not json")
    try:
        response = api(base_url, "GET", f"/executions/{broken}")
        error = assert_fault(response, 500, "internal")
        assert error["request_id"] in error["message"]
        assert "JSONDecodeError" not in response.text
        assert f"request {error['request_id']} failed" in caplog.text and "JSONDecodeError" in caplog.text
    finally:
        service.redis.delete(f"jg:execution:{broken}")


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("GET", "/executions", {"params": {"offset": "99999999999999999999"}}, 422),
    ("POST", "/executions", {"json": {"definition": "QuickJob", "start_at": "9999-12-31T23:59:59.500Z"}}, 400),
    ("POST", "/executions", {"json": {"definition": "QuickJob", "expire_after": 1e306}}, 400),
    ("POST", "/executions", {"json": {"definition": "QuickJob", "expires_at": "2001-01-01T00:00:00Z"}}, 400),
    ("POST", "/executions", {"data": '{"definition": "QuickJob", "parameters": {"n": [1e400]}}',
                             "headers": {**ALICE, "Content-Type": "application/json"}}, 400),
])
def test_out_of_range_input_is_refused_not_a_500(base_url, method, path, kwargs, status):
    response = api(base_url, method, path, **kwargs)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text


def test_huge_log_offset_is_refused(base_url):
    ref = api(base_url, "POST", "/executions", json={"definition": "QuickJob"}).json()["id"]
    response = api(base_url, "GET", f"/executions/{ref}/log", params={"offset": str(2**64)})
    assert_fault(response, 422, "invalid")
    wait(base_url, ref)


def test_etag_and_if_match_guard_changes(base_url):
    body = {"id": "Guarded", "steps": [{"type": "sleep", "params": {"seconds": 0}}]}
    assert api(base_url, "POST", "/definitions", json=body).status_code == 201
    shown = api(base_url, "GET", "/definitions/Guarded")
    tag = shown.headers["ETag"]
    changed = api(base_url, "PATCH", "/definitions/Guarded", json={"description": "one"},
                  headers={**ALICE, "If-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert_fault(api(base_url, "PATCH", "/definitions/Guarded", json={"description": "two"},
                     headers={**ALICE, "If-Match": tag}), 412, "version_mismatch")
    assert api(base_url, "GET", "/definitions/Guarded").json()["description"] == "one"
    assert_fault(api(base_url, "PATCH", "/definitions/Guarded", json={}, headers={**ALICE, "If-Match": "x"}),
                 400, "invalid")
    ref = api(base_url, "POST", "/executions", json={"definition": "Guarded"}).json()["id"]
    done = wait(base_url, ref)
    stale = f'"{done["version"] - 1}"'
    assert_fault(api(base_url, "DELETE", f"/executions/{ref}", headers={**ALICE, "If-Match": stale}),
                 412, "version_mismatch")
    current = api(base_url, "GET", f"/executions/{ref}").headers["ETag"]
    assert api(base_url, "DELETE", f"/executions/{ref}", headers={**ALICE, "If-Match": current}).status_code == 204
    api(base_url, "DELETE", "/definitions/Guarded")


def test_racing_creates_of_one_definition_id_let_exactly_one_win(base_url):
    from concurrent.futures import ThreadPoolExecutor
    body = {"id": "Raced", "steps": [{"type": "sleep", "params": {"seconds": 0}}]}
    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(r.status_code for r in pool.map(lambda _: api(base_url, "POST", "/definitions", json=body),
                                                          range(6)))
    assert statuses == [201, 400, 400, 400, 400, 400]
    api(base_url, "DELETE", "/definitions/Raced")
