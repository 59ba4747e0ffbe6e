"""Stored job requests: create, get (and its summary by Accept), conditional PUT, delete, the jobs run
from them, @selection/jobs; providers; definitions created through /jobDefinitions."""
from jobgate.testing.parts import TOKENS
from tests.sas.conftest import JOB_REQUEST, Sas

SUMMARY = "application/vnd.sas.summary+json"


def create(sas, name, **more):
    body = {"name": name, "description": "d", "jobDefinitionUri": sas.definition_uri("QuickJob"),
            "arguments": {"count": "2", "dropped": None}, **more}
    response = sas.post("/jobExecution/jobRequests", json=body, headers={"Content-Type": JOB_REQUEST})
    assert response.status_code == 201, response.text
    return response


def test_create_get_summary_put_delete(sas):
    created = create(sas, "jr-crud")
    request = created.json()
    path = f"/jobExecution/jobRequests/{request['id']}"
    assert created.headers["Location"] == path and created.headers["ETag"] and created.headers["Last-Modified"]
    assert request["arguments"] == {"count": "2"} and request["version"] == 3 and request["createdBy"] == "alice"
    assert {"self", "alternate", "update", "delete", "jobs", "submitJob"} <= {link["rel"] for link in request["links"]}
    got = sas.get(path, headers={"Accept": JOB_REQUEST})
    assert got.json() == request and got.headers["Content-Type"] == JOB_REQUEST
    summary = sas.get(path, headers={"Accept": SUMMARY})
    assert summary.headers["Content-Type"] == SUMMARY
    assert summary.json() | {"links": []} == {
        "id": request["id"], "name": "jr-crud", "type": "application/vnd.sas.job.execution.job.request",
        "description": "d", "links": [], "version": 2}
    changed = {**request, "name": "jr-crud-2"}
    assert sas.put(path, json=changed, headers={"Content-Type": JOB_REQUEST}).json()["errorCode"] == 1010
    stale = sas.put(path, json=changed, headers={"Content-Type": JOB_REQUEST, "If-Match": '"99"'})
    assert stale.json()["errorCode"] == 1013
    updated = sas.put(path, json=changed, headers={"Content-Type": JOB_REQUEST, "If-Match": got.headers["ETag"]})
    assert updated.status_code == 200 and updated.json()["name"] == "jr-crud-2"
    assert updated.json()["creationTimeStamp"] == request["creationTimeStamp"]
    assert updated.headers["ETag"] != got.headers["ETag"]
    assert sas.put(path, json={**changed, "id": "x"}, headers={"If-Match": updated.headers["ETag"]}).status_code == 400
    assert sas.delete(path).status_code == 204
    assert sas.get(path).status_code == 404 and sas.delete(path).status_code == 404


def test_list_filter_and_sort_job_requests(sas):
    first, second = create(sas, "jr-b").json(), create(sas, "jr-a").json()
    uri = first["jobDefinitionUri"]
    page = sas.get("/jobExecution/jobRequests", params={"filter": f"in('jobDefinitionUri','{uri}')",
                                                       "sortBy": "modifiedTimeStamp:descending"}).json()
    ids = [item["id"] for item in page["items"]]
    assert ids.index(second["id"]) < ids.index(first["id"]) and page["count"] >= 2
    named = sas.get("/jobExecution/jobRequests", params={"filter": "startsWith(name,'jr-')", "limit": 1000}).json()
    names = [item["name"] for item in named["items"]]
    assert names == sorted(names)                                   # default name:ascending
    carol = Sas(sas.base, TOKENS["carol"])
    assert carol.get(f"/jobExecution/jobRequests/{first['id']}").status_code == 404


def test_jobs_of_a_request(sas):
    request = create(sas, "jr-jobs", expiresAfter="PT1H").json()
    submit = next(link for link in request["links"] if link["rel"] == "submitJob")
    response = sas.post(submit["href"], params={"submitter": "workflow"})
    assert response.status_code == 201 and response.headers["Location"].endswith(response.json()["id"])
    job = sas.wait(response.json()["id"])
    assert job["state"] == "completed" and job["submittedByApplication"] == "workflow"
    kept = job["jobRequest"]
    assert (kept["id"], kept["createdBy"], kept["creationTimeStamp"]) == (
        request["id"], "alice", request["creationTimeStamp"])
    assert kept["arguments"] == {"count": "2"} and kept["expiresAfter"] == "PT1H"
    rels = {link["rel"]: link["href"] for link in job["links"]}
    assert rels["jobRequest"] == f"/jobExecution/jobRequests/{request['id']}"
    other = sas.submit("QuickJob")
    listed = sas.get(f"/jobExecution/jobRequests/{request['id']}/jobs").json()
    assert [item["id"] for item in listed["items"]] == [job["id"]] and other["id"] != job["id"]
    queried = sas.post(f"/jobExecution/jobRequests/{request['id']}/jobs", data="eq(state,'completed')",
                       headers={"Content-Type": "text/plain"})
    assert queried.status_code == 200 and [item["id"] for item in queried.json()["items"]] == [job["id"]]
    assert sas.post(submit["href"], json={"x": 1}).status_code == 400
    assert sas.post(submit["href"], params={"submitter": "a", "sumbitter": "b"}).status_code == 400


def test_selection_of_job_requests(sas):
    request = create(sas, "jr-selection").json()
    body = {"version": 1, "type": "uri", "resources": [f"/jobExecution/jobRequests/{request['id']}",
                                                       "/jobExecution/jobRequests/a1fd3a90-0000-4000-8000-000000000000"]}
    response = sas.post("/jobExecution/jobRequests/@selection/jobs", json=body,
                        headers={"Content-Type": "application/vnd.sas.selection+json"})
    job, missing = response.json()["items"]
    assert job["jobRequest"]["id"] == request["id"] and sas.wait(job["id"])["state"] == "completed"
    assert (missing["httpStatusCode"], missing["message"]) == (
        404, "Job request not found with ID: a1fd3a90-0000-4000-8000-000000000000.")
    wrong = sas.post("/jobExecution/jobRequests/@selection/jobs", json={**body, "type": "id"})
    assert wrong.status_code == 400


def test_providers(sas):
    page = sas.get("/jobExecution/providers").json()
    assert [item["id"] for item in page["items"]] == ["jobgate"] and page["name"] == "providers"
    one = sas.get("/jobExecution/providers/jobgate").json()
    assert (one["id"], one["heartbeatInterval"]) == ("jobgate", 0)
    assert sas.get("/jobExecution/providers/Compute").status_code == 404


def test_definitions_of_served_types(typed_base):
    sas = Sas(typed_base, TOKENS["alice"])
    code = "ods html style=HTMLBlue;\nproc print data=sashelp.class; run; quit;\nods html close;"
    body = {"name": "Simple proc print", "type": "Compute", "code": code,
            "parameters": [{"version": 1, "name": "count", "defaultValue": "2", "type": "NUMERIC",
                            "label": "Count", "required": False}]}
    created = sas.post("/jobDefinitions/definitions", json=body)
    assert created.status_code == 201, created.text
    definition = created.json()
    assert created.headers["Location"] == f"/jobDefinitions/definitions/{definition['id']}"
    assert (definition["type"], definition["code"], definition["parameters"]) == ("Compute", code, body["parameters"])
    job = sas.post("/jobExecution/jobs", json={"jobDefinitionUri": created.headers["Location"]}).json()
    done = sas.wait(job["id"])
    # the operator's step ran, not the definition's code
    assert done["state"] == "completed" and '"counted": 2' in done["results"]["result.json"]
    assert "proc print" not in sas.get(f"{done['logLocation']}/content").text
    providers = [item["id"] for item in sas.get("/jobExecution/providers").json()["items"]]
    assert providers == ["Compute", "jobgate"]
    refused = sas.post("/jobDefinitions/definitions", json={**body, "type": "casl"})
    assert refused.status_code == 400 and "Compute" in refused.json()["remediation"]
    assert sas.delete(created.headers["Location"]).status_code == 204
    assert sas.get(created.headers["Location"]).status_code == 404
    catalog = sas.definition_uri("QuickJob")
    assert sas.delete(catalog).status_code == 400
