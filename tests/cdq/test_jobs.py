"""CDQ jobs over the wire: start, read, list with the reference's filters and cursor, update,
cancel, delete, job types; each refusal in CDQ's error document."""
import uuid

import pytest

from tests.cdq.conftest import STORAGE, fault


def test_start_resolves_the_type_to_the_catalog_job_and_runs_it(cdq):
    job = cdq.start("QuickJob", name="Process vendor data.", description="why", storageId=STORAGE,
                    workspaceId="c074b9f3-abf0-4f8e-9a20-74deb6cfa2a4", tags=["t1"], labels=[{"name": "k"}],
                    input={"greeting": "hi"}, dockerImageUrl="data-curation")
    assert uuid.UUID(job["id"]) and job["type"] == "QuickJob" and job["jobStatus"] == "SCHEDULED"
    assert (job["name"], job["storageId"], job["tags"], job["labels"]) == ("Process vendor data.", STORAGE, ["t1"],
                                                                          [{"name": "k"}])
    assert job["organizationId"] == "acme" and job["user"] == "alice" and job["dockerImageUrl"] == "data-curation"
    assert "lastJobStatus" not in job and "startedAt" not in job and "reportUri" not in job
    done = cdq.wait(job["id"])
    assert (done["jobStatus"], done["lastJobStatus"], done["progress"]) == ("FINISHED", "RUNNING", 100)
    assert (done["totalItems"], done["processedItems"], done["failedItems"]) == (3, 3, 0)
    assert done["createdAt"].endswith("Z") and len(done["finishedAt"]) == len("2019-09-07T00:00:00Z")
    assert done["resultData"] == '{"counted": 3}'


def test_unknown_type_is_a_400_naming_type(cdq):
    message = fault(cdq.call("POST", "/v2/jobs", json={"type": "NO_SUCH_JOB"}), 400, "BAD_REQUEST")
    assert message.startswith("type:")
    assert fault(cdq.call("POST", "/v2/jobs", json={"name": "x"}), 400, "BAD_REQUEST").startswith("type:")


def test_another_organization_is_refused_at_start_and_hidden_after(cdq, cdq_for):
    assert fault(cdq.call("POST", "/v2/jobs", json={"type": "QuickJob", "organizationId": "globex"}),
                 400, "BAD_REQUEST").startswith("organizationId:")
    job = cdq.start()
    carol = cdq_for("carol")
    for method, path in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/cancel")):
        kwargs = {"json": {}} if method == "PUT" else {}
        fault(carol.call(method, f"/v2/jobs/{job['id']}{path}", **kwargs), 404, "NOT_FOUND")
    fault(carol.call("PUT", f"/jobs/{job['id']}/resultdata", json={"resultData": "{}"}), 404, "NOT_FOUND")


@pytest.mark.parametrize("ref", [str(uuid.uuid4()), "12", "not-an-id"])
def test_unknown_job_is_404(cdq, ref):
    fault(cdq.call("GET", f"/v2/jobs/{ref}"), 404, "NOT_FOUND")


def test_update_replaces_given_fields_and_keeps_the_others(cdq):
    job = cdq.start(name="first", description="d", tags=["a"])
    updated = cdq.ok("PUT", f"/v2/jobs/{job['id']}", json={"name": "second", "labels": [{"k": "v"}]})
    assert (updated["name"], updated["description"], updated["tags"], updated["labels"]) == (
        "second", "d", ["a"], [{"k": "v"}])
    assert fault(cdq.call("PUT", f"/v2/jobs/{job['id']}", json={"jobStatus": "FAILED"}), 400,
                 "BAD_REQUEST").startswith("jobStatus:")


def test_cancel_then_delete(cdq):
    job = cdq.start("ParkedJob")
    fault(cdq.call("DELETE", f"/v2/jobs/{job['id']}"), 409, "JOB_NOT_FINISHED")
    canceled = cdq.ok("POST", f"/v2/jobs/{job['id']}/cancel")
    assert (canceled["jobStatus"], canceled["lastJobStatus"]) == ("CANCELED", "SCHEDULED")
    fault(cdq.call("POST", f"/v2/jobs/{job['id']}/cancel"), 409, "CONFLICT")
    assert cdq.call("DELETE", f"/v2/jobs/{job['id']}").status_code == 204
    fault(cdq.call("GET", f"/v2/jobs/{job['id']}"), 404, "NOT_FOUND")


def test_a_dependent_job_waits_then_runs(cdq):
    head = cdq.start("QuickJob")
    tail = cdq.start(jobDependencies=[{"jobId": head["id"]}])
    assert tail["jobDependencies"] == [{"jobId": head["id"]}]
    assert tail["jobStatus"] in ("WAITING", "SCHEDULED", "RUNNING", "FINISHED")
    done = cdq.wait(tail["id"])
    assert done["jobStatus"] == "FINISHED" and cdq.wait(head["id"])["jobStatus"] == "FINISHED"


def test_job_types_are_the_catalog_jobs(cdq):
    types = {t["type"]: t for t in cdq.ok("GET", "/v2/jobs/types")["values"]}
    assert types["DATA_CURATION_JOB"]["name"] == "Data curation" and "QuickJob" in types


def _ids(page):
    return [job["id"] for job in page["values"]]


def test_list_filters_sort_and_cursor(cdq):
    tag = uuid.uuid4().hex[:8]
    started = [cdq.start(tags=[tag, f"{tag}-{i % 2}"], storageId=f"{tag}-s")["id"] for i in range(5)]
    query = {"tags": tag, "limit": 2, "features": "NUMBER_OF_TOTAL"}
    first = cdq.ok("GET", "/v2/jobs", params=query)
    assert first["total"] == 5 and first["limit"] == 2 and _ids(first) == started[:2]
    second = cdq.ok("GET", "/v2/jobs", params={**query, "startAfter": first["nextStartAfter"]})
    assert second["startAfter"] == first["nextStartAfter"] and _ids(second) == started[2:4]
    third = cdq.ok("GET", "/v2/jobs", params={**query, "startAfter": second["nextStartAfter"]})
    assert _ids(third) == started[4:] and "nextStartAfter" not in third
    newest = cdq.ok("GET", "/v2/jobs", params={"tags": tag, "sort": "-createdAt"})
    assert _ids(newest) == started[::-1] and "total" not in newest
    either = cdq.ok("GET", "/v2/jobs", params={"tags": f"{tag}-0,{tag}-1"})
    assert _ids(either) == started
    both = cdq.ok("GET", "/v2/jobs", params=[("tags", tag), ("tags", f"{tag}-1"), ("features", "TAGS_CONJUNCTION")])
    assert _ids(both) == started[1::2]
    assert _ids(cdq.ok("GET", "/v2/jobs", params={"storageId": f"{tag}-s", "user": "alice"})) == started
    assert _ids(cdq.ok("GET", "/v2/jobs", params={"tags": tag, "user": "bob"})) == []
    assert _ids(cdq.ok("GET", "/v2/jobs", params={"tags": tag, "organizationId": "globex"})) == []
    for job_id in started:
        cdq.wait(job_id)


def test_list_by_types_and_statuses_repeated_or_comma_separated(cdq):
    tag = uuid.uuid4().hex[:8]
    done = [cdq.wait(cdq.start(t, tags=[tag])["id"]) for t in ("QuickJob", "FailingJob", "DATA_VALIDATION_JOB")]
    by_type = {"QuickJob": done[0]["id"], "FailingJob": done[1]["id"], "DATA_VALIDATION_JOB": done[2]["id"]}
    comma = cdq.ok("GET", "/v2/jobs", params={"tags": tag, "jobType": "QuickJob, FailingJob"})
    repeated = cdq.ok("GET", "/v2/jobs", params=[("tags", tag), ("jobType", "QuickJob"), ("jobType", "FailingJob")])
    assert _ids(comma) == _ids(repeated) == [by_type["QuickJob"], by_type["FailingJob"]]
    failed = cdq.ok("GET", "/v2/jobs", params={"tags": tag, "jobStatus": "FAILED,CANCELED"})
    assert _ids(failed) == [by_type["FailingJob"]]
    indexed = cdq.ok("GET", "/v2/jobs", params={"jobType": "FailingJob", "jobStatus": "FAILED",
                                                "features": "NUMBER_OF_TOTAL", "limit": 100, "sort": "-createdAt"})
    assert by_type["FailingJob"] in _ids(indexed) and indexed["total"] >= 1
    assert _ids(cdq.ok("GET", "/v2/jobs", params={"tags": tag, "jobStatus": "PERSISTED"})) == []


@pytest.mark.parametrize("query, field", [
    ({"jobStatus": "DONE"}, "jobStatus"), ({"limit": 101}, "limit"), ({"limit": 0}, "limit"),
    ({"sort": "name"}, "sort"), ({"features": "EVERYTHING"}, "features"), ({"startAfter": "x"}, "startAfter"),
    ({"startAfter": str(uuid.UUID(int=7))}, "startAfter"), ({"jobType": "A B"}, "jobType"),
])
def test_bad_list_query_is_a_400_naming_the_field(cdq, query, field):
    assert fault(cdq.call("GET", "/v2/jobs", params=query), 400, "BAD_REQUEST").startswith(f"{field}")


def test_routing_and_body_faults_are_cdq_documents(cdq):
    fault(cdq.call("GET", "/nowhere"), 404, "NOT_FOUND")
    fault(cdq.call("PATCH", "/v2/jobs"), 405, "METHOD_NOT_ALLOWED")
    fault(cdq.call("POST", "/v2/jobs", data="{not json", headers={"Content-Type": "application/json"}),
          400, "BAD_REQUEST")
