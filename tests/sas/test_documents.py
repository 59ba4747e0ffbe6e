"""SAS's own samples (developer.sas.com, devsascom-rest-api-samples) against what jobgate answers:
the same members, the same shapes, timestamps and links as SAS writes them."""
import re

from tests.sas.conftest import JOB, JOB_REQUEST

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
#: the members of SAS's completed-job sample (getJobSampleResponse)
SAMPLE_JOB = {"creationTimeStamp", "modifiedTimeStamp", "createdBy", "modifiedBy", "version", "id", "jobRequest",
              "state", "endTimeStamp", "submittedByApplication", "heartbeatInterval", "elapsedTime", "results",
              "logLocation", "links"}
SAMPLE_REQUEST = {"version", "name", "jobDefinitionUri", "jobDefinition", "arguments", "properties",
                  "createdByApplication"}
SAMPLE_DEFINITION = {"creationTimeStamp", "modifiedTimeStamp", "createdBy", "modifiedBy", "version", "id", "name",
                     "type", "parameters", "links", "properties"}
LINK = {"method", "rel", "href", "uri"}


def rels(doc):
    return {link["rel"]: link for link in doc["links"]}


def test_minimal_submit_sample_gives_a_job_like_sass(sas):
    # POST /jobExecution/jobs, the samples' minimal body: only jobDefinitionUri
    response = sas.post("/jobExecution/jobs", json={"jobDefinitionUri": sas.definition_uri("QuickJob")},
                        headers={"Content-Type": JOB_REQUEST, "Accept": JOB})
    assert response.status_code == 201
    assert response.headers["Content-Type"] == JOB
    job = response.json()
    assert response.headers["Location"] == f"/jobExecution/jobs/{job['id']}"
    assert re.match(r'^"\w+"$', response.headers["ETag"]) and response.headers["Last-Modified"].endswith(" GMT")
    assert UUID.match(job["id"]) and job["state"] in ("pending", "running") and job["results"] == {}
    done = sas.wait(job["id"])
    assert done["state"] == "completed"
    assert SAMPLE_JOB <= set(done) and "error" not in done
    assert all(STAMP.match(done[k]) for k in ("creationTimeStamp", "modifiedTimeStamp", "endTimeStamp"))
    assert done["version"] == 4 and done["heartbeatInterval"] == 0 and done["submittedByApplication"] == "jobExecution"
    assert done["elapsedTime"] >= 0 and done["createdBy"] == "alice"
    assert done["logLocation"] == f"/files/files/{job['id']}"
    assert done["results"]["COMPUTE_JOB"] == job["id"]
    assert done["results"][f"{job['id']}.log.txt"] == done["logLocation"]
    assert all(isinstance(v, str) for v in done["results"].values())
    request = done["jobRequest"]
    assert SAMPLE_REQUEST <= set(request) and request["version"] == 3
    assert request["arguments"] == {"count": "3"}           # completed with the definition's default
    assert request["jobDefinitionUri"] == f"/jobDefinitions/definitions/{request['jobDefinition']['id']}"
    definition = request["jobDefinition"]
    assert SAMPLE_DEFINITION <= set(definition) and definition["version"] == 2
    assert definition["parameters"] == [{"version": 1, "name": "count", "defaultValue": "3", "type": "NUMERIC",
                                         "label": "count", "required": False}]
    links = rels(done)
    assert {"self", "state", "update", "delete", "updateState", "updateHeartbeatTimeStamp", "jobDefinition",
            "log"} <= set(links) and "jobRequest" not in links
    assert all(LINK <= set(link) and link["href"] == link["uri"] for link in done["links"])
    assert links["self"] == {"method": "GET", "rel": "self", "href": f"/jobExecution/jobs/{job['id']}",
                             "uri": f"/jobExecution/jobs/{job['id']}", "type": "application/vnd.sas.job.execution.job"}
    assert links["state"]["type"] == "text/plain" and links["updateState"]["method"] == "PUT"
    assert links["log"]["href"] == done["logLocation"]


def test_override_arguments_and_submitter_sample(sas):
    # POST /jobExecution/jobs?submitter=workflow with name, description and arguments
    body = {"name": "proc print example", "description": "ods output with age 14 cutoff",
            "jobDefinitionUri": sas.definition_uri("QuickJob"), "arguments": {"count": "4", "AGE": "14"}}
    response = sas.post("/jobExecution/jobs", params={"submitter": "workflow"}, json=body)
    assert response.status_code == 201
    job = sas.wait(response.json()["id"])
    assert job["submittedByApplication"] == "workflow"
    assert job["jobRequest"]["name"] == "proc print example"
    assert job["jobRequest"]["description"] == "ods output with age 14 cutoff"
    assert job["jobRequest"]["arguments"] == {"count": "4", "AGE": "14"}
    assert job["state"] == "completed" and '"counted": 4' in job["results"]["result.json"]


def test_state_poll_sample_is_a_bare_word(sas):
    job = sas.wait(sas.submit("QuickJob")["id"])
    response = sas.get(f"/jobExecution/jobs/{job['id']}/state", headers={"Accept": "text/plain"})
    assert response.text == "completed" and response.headers["Content-Type"].startswith("text/plain")


def test_collection_head_sample(sas):
    for _ in range(3):
        sas.submit("QuickJob")
    page = sas.get("/jobExecution/jobs", params={"sortBy": "creationTimeStamp:descending", "limit": 2}).json()
    assert {"links", "name", "accept", "start", "count", "items", "limit", "version"} == set(page)
    assert (page["name"], page["accept"], page["start"], page["limit"], page["version"]) == (
        "jobs", "application/vnd.sas.job.execution.job", 0, 2, 2)
    links = rels(page)
    assert links["self"]["href"] == "/jobExecution/jobs?sortBy=creationTimeStamp:descending&start=0&limit=2"
    assert links["next"]["href"] == "/jobExecution/jobs?sortBy=creationTimeStamp:descending&start=2&limit=2"
    assert links["collection"]["itemType"] == "application/vnd.sas.job.execution.job"
    assert links["up"]["href"] == "/jobExecution/"
    assert (links["submitJob"]["method"], links["submitJob"]["responseType"]) == (
        "POST", "application/vnd.sas.job.execution.job")
    assert links["submitJobs"]["href"] == "/jobExecution/jobRequests/@selection/jobs"
    assert (links["updateStates"]["method"], links["updateStates"]["href"]) == (
        "PUT", "/jobExecution/jobs/@selection/state")
    created = [item["creationTimeStamp"] for item in page["items"]]
    assert created == sorted(created, reverse=True)


def test_not_found_is_sass_get_job_404(sas):
    ref = "41e44582-e556-448e-95a0-5340d94ce55e"
    response = sas.get(f"/jobExecution/jobs/{ref}")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/vnd.sas.error+json"
    error = response.json()
    assert list(error) == ["errorCode", "message", "details", "links", "version", "httpStatusCode"]
    assert (error["errorCode"], error["message"], error["links"], error["version"], error["httpStatusCode"]) == (
        0, f"Job not found with ID: {ref}.", [], 2, 404)
    assert error["details"][0].startswith("traceId: ") and error["details"][1] == f"path: /jobExecution/jobs/{ref}"


def test_put_without_precondition_is_sass_428(sas):
    job = sas.submit("SlowJob")
    response = sas.put(f"/jobExecution/jobs/{job['id']}", json=job, headers={"Content-Type": JOB})
    error = response.json()
    assert (response.status_code, error["errorCode"], error["httpStatusCode"]) == (428, 1010, 428)
    assert error["message"] == ('One of the following request header fields is required: "If-Match" or '
                                '"If-Unmodified-Since".')
    assert error["remediation"].startswith("In the request header, include one of the following values")
    wrong = sas.put(f"/jobExecution/jobs/{job['id']}", data="x",
                    headers={"Content-Type": "text/plain", "If-Match": '"1"'})
    assert (wrong.status_code, wrong.json()["httpStatusCode"]) == (415, 415)
    message = wrong.json()["message"]
    assert "(text/plain)" in message and "application/vnd.sas.job.execution.job+json" in message
    sas.delete(f"/jobExecution/jobs/{job['id']}")


def test_selection_sample_body_and_response(sas):
    jobs = [sas.submit("SlowJob") for _ in range(2)]
    body = {"version": 1, "type": "uri", "resources": [f"/jobExecution/jobs/{j['id']}" for j in jobs]
            + ["/jobExecution/jobs/de941a62-9099-4081-b696-23ffad922963"]}
    response = sas.put("/jobExecution/jobs/@selection/state", params={"value": "canceled"}, json=body,
                       headers={"Content-Type": "application/vnd.sas.selection+json"})
    assert response.status_code == 200
    page = response.json()
    assert (page["name"], page["links"], page["version"]) == ("items", [], 2)
    first, second, missing = page["items"]
    for item, job in ((first, jobs[0]), (second, jobs[1])):
        assert (item["id"], item["type"], item["version"]) == (job["id"], "application/vnd.sas.job.execution.job", 2)
        assert item["name"] == "SlowJob"
    assert (missing["httpStatusCode"], missing["errorCode"], missing["version"]) == (404, 0, 2)
    for job in jobs:
        assert sas.wait(job["id"])["state"] == "canceled"


def test_job_definition_sample_shape(sas):
    page = sas.get("/jobDefinitions/definitions", params={"filter": "eq(name,'QuickJob')"}).json()
    assert page["count"] == 1 and page["accept"] == "application/vnd.sas.job.definition"
    definition = page["items"][0]
    assert SAMPLE_DEFINITION <= set(definition) and UUID.match(definition["id"])
    one = sas.get(f"/jobDefinitions/definitions/{definition['id']}")
    assert one.status_code == 200 and one.json() == definition and one.headers["ETag"]
    assert rels(definition)["self"]["href"] == f"/jobDefinitions/definitions/{definition['id']}"
    assert definition["type"] == "jobgate" and definition["description"].startswith("Two steps")
