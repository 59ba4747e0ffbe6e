"""The /jobExecution endpoints one by one: status codes, errorCodes, media types, conditional PUTs."""
import time

import pytest

from tests.sas.conftest import JOB, JOB_REQUEST

TEXT = {"Accept": "text/plain", "Content-Type": "text/plain"}


def running(sas, job="SlowJob"):
    return sas.wait(sas.submit(job)["id"], until={"running"})


@pytest.mark.parametrize("path", ["/jobExecution", "/jobExecution/"])
def test_root_with_and_without_slash(sas, path):
    for method in ("GET", "HEAD"):
        response = sas.request(method, path, headers={"Accept": "*/*"})
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/vnd.sas.api+json"
    links = {link["rel"] for link in sas.get(path).json()["links"]}
    assert {"jobs", "create", "jobRequests"} <= links


def test_api_meta(sas):
    meta = sas.get("/jobExecution/apiMeta").json()
    assert meta["serviceId"] == "jobExecution" and meta["apiVersion"] == 7 and "buildVersion" in meta["build"]


@pytest.mark.parametrize("accept, answered", [
    ("*/*", JOB), ("application/json", "application/json"), (JOB, JOB),
    ("application/vnd.sas.job.execution.job", JOB), (f"{JOB};version=4", JOB), ("text/html;q=0.5, */*;q=0.1", JOB)])
def test_accept_forms_get_the_json_form(sas, accept, answered):
    job = sas.submit("QuickJob")
    response = sas.get(f"/jobExecution/jobs/{job['id']}", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["Content-Type"] == answered
    assert response.json()["id"] == job["id"]


def test_unserved_media_types_are_406_and_415(sas):
    job = sas.submit("QuickJob")
    refused = sas.get(f"/jobExecution/jobs/{job['id']}", headers={"Accept": "application/xml"})
    assert (refused.status_code, refused.json()["httpStatusCode"]) == (406, 406)
    body = sas.post("/jobExecution/jobs", data="<job/>", headers={"Content-Type": "application/xml"})
    assert (body.status_code, body.headers["Content-Type"]) == (415, "application/vnd.sas.error+json")


def test_head_of_a_job_has_the_get_headers(sas):
    job = sas.submit("QuickJob")
    got = sas.get(f"/jobExecution/jobs/{job['id']}")
    head = sas.head(f"/jobExecution/jobs/{job['id']}")
    assert head.status_code == 200 and head.text == "" and head.headers["ETag"] and head.headers["Last-Modified"]
    assert sas.head("/jobExecution/jobs/41e44582-e556-448e-95a0-5340d94ce55e").status_code == 404
    assert got.headers["ETag"]


@pytest.mark.parametrize("body, message", [
    ({}, "Either a job definition ID or an embedded job definition is required"),
    ({"jobDefinitionUri": "/jobDefinitions/definitions/nope"}, "was not found"),
    ({"jobDefinition": {"name": "x", "code": "data _null_; run;"}}, "must carry the id"),
    ({"jobDefinitionUri": "/x", "expiresAfter": "soon"}, "was not found"),
])
def test_bad_submits_are_400(sas, body, message):
    response = sas.post("/jobExecution/jobs", json=body, headers={"Content-Type": JOB_REQUEST})
    assert response.status_code == 400 and message in response.json()["message"]


def test_bad_expires_after_and_submitter_are_400(sas):
    uri = sas.definition_uri("QuickJob")
    assert sas.post("/jobExecution/jobs", json={"jobDefinitionUri": uri, "expiresAfter": "soon"}).status_code == 400
    spaced = sas.post("/jobExecution/jobs", params={"submitter": "no spaces"}, json={"jobDefinitionUri": uri})
    assert spaced.status_code == 400
    assert sas.post("/jobExecution/jobs", data="{", headers={"Content-Type": JOB_REQUEST}).status_code == 400


def test_embedded_definition_by_id_and_expires_after(sas):
    definition = sas.get(sas.definition_uri("QuickJob")).json()
    response = sas.post("/jobExecution/jobs", json={"jobDefinition": definition, "expiresAfter": "P30D"})
    assert response.status_code == 201
    job = sas.wait(response.json()["id"])
    assert job["jobRequest"]["expiresAfter"] == "P30D" and job["expirationTimeStamp"] > job["endTimeStamp"]
    listed = sas.get("/jobExecution/jobs", params={"filter": f"and(eq(id,'{job['id']}'),isNull(expirationTimeStamp))"})
    assert listed.json()["items"] == []


def test_state_put_forms_and_errors(sas):
    job = running(sas)
    path = f"/jobExecution/jobs/{job['id']}/state"
    none = sas.put(path, headers=TEXT)
    assert (none.status_code, none.headers["Content-Type"].split(";")[0]) == (400, "text/plain")
    assert none.text.startswith("ErrorResponse[version=2,status=400,err=31505,")
    unknown = sas.put(path, params={"value": "sleeping"}, headers=TEXT)
    assert unknown.status_code == 400 and "err=31506" in unknown.text
    not_asked = sas.put(path, data="completed", headers=TEXT)
    assert not_asked.status_code == 400 and "err=31506" in not_asked.text
    canceled = sas.put(path, data="canceled", headers=TEXT)        # the body form
    assert canceled.status_code == 200 and canceled.text in ("running", "canceled")
    assert sas.wait(job["id"])["state"] == "canceled"
    finished = sas.put(path, params={"value": "canceled"}, headers=TEXT)
    assert finished.status_code == 405 and "err=31501" in finished.text
    missing = sas.get("/jobExecution/jobs/41e44582-e556-448e-95a0-5340d94ce55e/state")
    assert missing.status_code == 404 and missing.text.startswith("ErrorResponse[") and "err=0" in missing.text


def test_value_query_wins_over_the_body(sas):
    job = sas.submit("ParkedJob")
    response = sas.put(f"/jobExecution/jobs/{job['id']}/state", params={"value": "canceled"}, data="nonsense",
                       headers=TEXT)
    assert (response.status_code, response.text) == (200, "canceled")


def test_heartbeat(sas):
    parked = sas.submit("ParkedJob")
    path = f"/jobExecution/jobs/{parked['id']}/heartbeatTimeStamp"
    assert sas.get(path).status_code == 204
    assert sas.post(path).status_code == 409                     # not running yet
    sas.put(f"/jobExecution/jobs/{parked['id']}/state", params={"value": "canceled"})
    finished = sas.post(path)
    assert finished.status_code == 405 and "err=31501" in finished.text
    job = running(sas)
    path = f"/jobExecution/jobs/{job['id']}/heartbeatTimeStamp"
    beat = sas.post(path, headers={"Accept": "text/plain"})
    assert beat.status_code == 200 and len(beat.text) == 24 and beat.text.endswith("Z")
    assert sas.get(path).text >= beat.text
    assert sas.get(f"/jobExecution/jobs/{job['id']}").json()["heartbeatTimeStamp"] >= beat.text
    sas.delete(f"/jobExecution/jobs/{job['id']}")


def test_expiration_timestamp(sas):
    job = running(sas)
    path = f"/jobExecution/jobs/{job['id']}/expirationTimeStamp"
    assert sas.get(path).status_code == 204
    early = sas.put(path, params={"value": "2030-01-01T00:00:00.000Z"})
    assert early.status_code == 409 and "err=31503" in early.text
    assert early.headers["Content-Type"].startswith("text/plain")
    sas.put(f"/jobExecution/jobs/{job['id']}/state", params={"value": "canceled"})
    sas.wait(job["id"])
    assert sas.put(path, params={"value": "2030-01-01"}).status_code == 400
    assert "err=31504" in sas.put(path, params={"value": "tomorrow"}).text
    assert sas.put(path, params={"value": "2030-01-01T00:00:00.000Z"}, data="x").status_code == 400
    set_ = sas.put(path, params={"value": "2030-01-01T00:00:00.000Z"})
    assert (set_.status_code, set_.text) == (200, "2030-01-01T00:00:00.000Z")
    assert sas.get(path).text == "2030-01-01T00:00:00.000Z"
    assert sas.put(path, params={"value": ""}).status_code == 204
    assert sas.get(path).status_code == 204
    assert "expirationTimeStamp" not in sas.get(f"/jobExecution/jobs/{job['id']}").json()


def test_put_job_with_preconditions(sas):
    job = running(sas)
    path = f"/jobExecution/jobs/{job['id']}"
    current = sas.get(path)
    body = {**current.json(), "stateDetails": "provider says hi", "results": {"COMPUTE_SESSION": "s1"}}
    stale = sas.put(path, json=body, headers={"Content-Type": JOB, "If-Match": '"1"'})
    assert (stale.status_code, stale.json()["errorCode"]) == (412, 1013)
    long_ago = "Mon, 01 Jan 2001 00:00:00 GMT"
    old = sas.put(path, json=body, headers={"Content-Type": JOB, "If-Unmodified-Since": long_ago})
    assert (old.status_code, old.json()["errorCode"]) == (412, 1013)
    other = sas.put(path, json={**body, "id": "6efcf389-7d63-4929-b532-13be28460eea"},
                    headers={"Content-Type": current.headers["Content-Type"], "If-Match": current.headers["ETag"]})
    assert other.status_code == 400
    latest = sas.get(path)
    updated = sas.put(path, json=body, headers={"Content-Type": latest.headers["Content-Type"] + ";charset=UTF-8",
                                                "If-Match": latest.headers["ETag"]})
    assert updated.status_code == 200, updated.text
    assert updated.json()["stateDetails"] == "provider says hi" and updated.headers["ETag"] != latest.headers["ETag"]
    assert updated.json()["results"]["COMPUTE_SESSION"] == "s1"
    sas.put(f"{path}/state", params={"value": "canceled"})
    sas.wait(job["id"])
    done = sas.get(path)
    finished = sas.put(path, json=done.json(), headers={"Content-Type": JOB, "If-Match": done.headers["ETag"]})
    assert (finished.status_code, finished.json()["errorCode"]) == (405, 31501)


def test_delete_a_running_job_cancels_it_first(sas, service):
    job = running(sas)
    assert sas.delete(f"/jobExecution/jobs/{job['id']}").status_code == 204
    deadline = time.monotonic() + 15
    while sas.get(f"/jobExecution/jobs/{job['id']}").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sas.get(f"/jobExecution/jobs/{job['id']}").status_code == 404
    assert service.store.get(job["id"]) is None


def test_timed_out_run_is_timed_out(sas):
    job = sas.wait(sas.submit("ShortTimeoutJob")["id"])
    assert job["state"] == "timedOut" and "timed out" in job["error"]["message"]
    listed = sas.get("/jobExecution/jobs", params={"filter": f"and(eq(state,'timedOut'),eq(id,'{job['id']}'))"}).json()
    assert [i["id"] for i in listed["items"]] == [job["id"]]
    failed = sas.get("/jobExecution/jobs", params={"filter": f"and(eq(state,'failed'),eq(id,'{job['id']}'))"}).json()
    assert failed["items"] == []


def test_failed_job_has_an_error2_document(sas):
    job = sas.wait(sas.submit("FailingJob")["id"])
    assert job["state"] == "failed"
    assert {"errorCode", "message", "details", "links", "version", "httpStatusCode"} <= set(job["error"])
    assert "exit code 3" in job["error"]["message"]
    log = sas.get(f"{job['logLocation']}/content")
    assert log.status_code == 200 and "about to fail" in log.text
    file = sas.get(job["logLocation"]).json()
    assert file["id"] == job["id"] and file["size"] == len(log.content)


def test_lists_filter_sort_and_page(sas):
    tag = "list-check"
    ids = [sas.submit("QuickJob", name=tag)["id"] for _ in range(3)]
    for ref in ids:
        sas.wait(ref)
    query = {"filter": f"eq(name,'{tag}')", "sortBy": "creationTimeStamp:ascending", "limit": 2}
    first = sas.get("/jobExecution/jobs", params=query).json()
    assert [i["id"] for i in first["items"]] == ids[:2] and first["count"] == 3
    following = next(link for link in first["links"] if link["rel"] == "next")["href"]
    assert following == (f"/jobExecution/jobs?filter=eq(name,'{tag}')&sortBy=creationTimeStamp:ascending"
                         "&start=2&limit=2")
    second = sas.get(following).json()
    assert [i["id"] for i in second["items"]] == ids[2:] and "next" not in {link["rel"] for link in second["links"]}
    past = sas.get("/jobExecution/jobs", params={**query, "start": 10})
    assert past.status_code == 200 and past.json()["items"] == [] and past.json()["count"] == 3
    by_query = sas.post("/jobExecution/jobs", params={"sortBy": "id:descending"}, data=f"eq(name,'{tag}')",
                        headers={"Content-Type": "text/plain"}).json()
    assert [i["id"] for i in by_query["items"]] == sorted(ids, reverse=True)
    empty = sas.get("/jobExecution/jobs", params={**query, "limit": 0}).json()
    assert (empty["items"], empty["count"]) == ([], 3)


@pytest.mark.parametrize("query, code", [
    ({"filter": "nojakj(state,'x')"}, 1100), ({"start": -1}, 1125), ({"limit": -1}, 1126), ({"sortBy": "nosuch"}, 0)])
def test_bad_list_queries_are_400(sas, query, code):
    response = sas.get("/jobExecution/jobs", params=query)
    assert (response.status_code, response.json()["errorCode"]) == (400, code)


def test_state_filters_use_the_index(sas):
    parked = sas.submit("ParkedJob")
    page = sas.get("/jobExecution/jobs", params={"filter": "eq(state,'pending')", "limit": 1000}).json()
    assert parked["id"] in {i["id"] for i in page["items"]} and {i["state"] for i in page["items"]} == {"pending"}
    sas.put(f"/jobExecution/jobs/{parked['id']}/state", params={"value": "canceled"})


def test_missing_or_wrong_token_is_401_error2(as_user):
    for client in (as_user("nobody", ""), as_user("nobody", "nope")):
        response = client.get("/jobExecution/jobs")
        assert response.status_code == 401 and response.json()["httpStatusCode"] == 401
        assert response.headers["Content-Type"] == "application/vnd.sas.error+json"


def test_bearer_scheme_in_any_case(base_url):
    import requests
    response = requests.get(f"{base_url}/jobExecution/jobs", headers={"Authorization": "bearer tok-alice"}, timeout=10)
    assert response.status_code == 200
    response = requests.get(f"{base_url}/jobExecution/jobs", headers={"Authorization": "BEARER tok-alice"}, timeout=10)
    assert response.status_code == 200


def test_jobs_of_other_dialects_show_as_sas_jobs(sas, base_url):
    import requests
    native = requests.post(f"{base_url}/api/v1/executions", json={"definition": "QuickJob"},
                           headers={"Authorization": "Bearer tok-alice"}, timeout=10).json()
    job = sas.wait(native["id"])
    assert job["state"] == "completed" and job["submittedByApplication"] == "native"
    assert job["jobRequest"]["name"] == "QuickJob"


def test_basic_filtering_by_member_parameters(sas):
    tag = "basic-filter"
    ids = [sas.submit("QuickJob", name=tag)["id"] for _ in range(3)]
    for ref in ids:
        sas.wait(ref)
    first = sas.get("/jobExecution/jobs", params={"name": tag, "state": "completed", "limit": 2}).json()
    assert first["count"] == 3 and {i["id"] for i in first["items"]} <= set(ids)
    following = next(link for link in first["links"] if link["rel"] == "next")["href"]
    assert f"name={tag}" in following and "state=completed" in following
    rest = sas.get(following).json()["items"]
    assert {i["id"] for i in first["items"] + rest} == set(ids)
    none = sas.get("/jobExecution/jobs", params={"name": tag, "state": ["failed", "canceled"]}).json()
    assert none["count"] == 0


def test_with_query_checks_its_paging_parameters(sas):
    response = sas.post("/jobExecution/jobs", params={"start": "abc", "submitter": "x"}, data="eq(state,'running')",
                        headers={"Content-Type": "text/plain"})
    assert response.status_code == 400 and response.json()["httpStatusCode"] == 400
    malformed = sas.post("/jobExecution/jobs", data="eq(state,", headers={"Content-Type": "text/plain"})
    assert (malformed.status_code, malformed.json()["errorCode"]) == (400, 1100)


@pytest.mark.parametrize("path, body", [
    ("/jobExecution/jobs", {"jobDefinitionUri": "/x", "arguments": {"a": 1}}),
    ("/jobExecution/jobs", {"jobDefinitionUri": "/x", "properties": "none"}),
    ("/jobExecution/jobRequests", {"jobDefinitionUri": "/x", "createdByApplication": "not valid!"}),
    ("/jobDefinitions/definitions", {"type": "Compute", "parameters": [{"name": ""}]}),
    ("/jobExecution/jobs/@selection/state?value=canceled", {"resources": "x"}),
])
def test_bodies_that_fail_their_schema_are_400_naming_the_member(sas, path, body):
    method = "PUT" if "@selection/state" in path else "POST"
    response = sas.request(method, path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["message"] == "The request body is not valid." and len(error["details"]) > 2


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "/jobExecution/jobs", {"params": {"limit": "abc"}}),
    ("GET", "/jobExecution/jobs", {"params": {"filter": "eq(state," + "'x'," * 5000 + "'y')"}}),
    ("GET", "/jobExecution/jobs", {"params": {"filter": "and(" * 40 + "eq(state,'x')" + ")" * 40}}),
    ("GET", "/jobExecution/jobs", {"params": {"sortBy": ",,,"}}),
    ("GET", "/jobExecution/jobs/%00", {}),
    ("PUT", "/jobExecution/jobs/6efcf389-7d63-4929-b532-13be28460eea", {"headers": {"If-Match": "W/zz"}}),
    ("PUT", "/jobExecution/jobRequests/x", {"json": {}, "headers": {"If-Unmodified-Since": "yesterday"}}),
    ("POST", "/jobExecution/jobRequests/@selection/jobs", {"json": {"type": "uri", "resources": [5]}}),
    ("GET", "/files/files/not-a-uuid/content", {}),
    ("POST", "/SASLogon/oauth/token", {"data": b"\xff\xfe", "headers": {"Content-Type": "text/plain"}}),
])
def test_odd_input_is_never_a_500(sas, method, path, kwargs):
    assert 400 <= sas.request(method, path, **kwargs).status_code < 500


def test_a_start_far_past_the_end_is_an_empty_page(sas):
    sas.submit("QuickJob")
    page = sas.get("/jobExecution/jobs", params={"start": "99999999999999999999999", "limit": "5"})
    assert page.status_code == 200 and page.json()["items"] == [] and page.json()["count"] > 0
