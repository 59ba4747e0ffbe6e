"""CDQ job results: records a running job's python step writes, paged with startAfter while it runs,
filtered as the reference lists, and the last one of a job type for a storage (fetchLast)."""
import uuid

import pytest

from tests.cdq import samples
from tests.cdq.conftest import fault

STORAGE = samples.FETCH_LAST["storageId"]


def _records(n, **extra):
    return [{"businessPartnerId": f"bp-{i}", "externalId": f"ext-{i}", "dataSourceId": f"ds-{i % 2}",
             "countryShortName": "CH", "data": {"row": i}, **({"fail": "Missing storageId."} if i == 2 else {}),
             **extra} for i in range(n)]


def _curate(cdq, records, storage=STORAGE, **input_):
    job = cdq.start("DATA_CURATION_JOB", storageId=storage, input={"records": records, "storageId": storage, **input_})
    return job["id"]


def test_a_running_jobs_results_are_paged_while_processed_items_grow(cdq, tmp_path):
    job_id = _curate(cdq, _records(6), gate=str(tmp_path))
    seen, processed, after = [], [], None
    for n in range(1, 7):
        (tmp_path / str(n)).touch()
        while True:         # page on from where the last page ended until record n is there
            query = {"storageId": STORAGE, "limit": 2, **({"startAfter": after} if after else {})}
            page = cdq.ok("GET", f"/jobs/{job_id}/results", params=query)
            seen += page["values"]
            after = seen[-1]["id"] if seen else None
            if len(seen) >= n:
                break
        job = cdq.wait(job_id, until={"RUNNING", "FINISHED"})
        while job.get("processedItems", 0) < n:
            job = cdq.ok("GET", f"/v2/jobs/{job_id}")
        processed.append(job["processedItems"])
    assert processed == [1, 2, 3, 4, 5, 6] and [r["externalId"] for r in seen] == [f"ext-{i}" for i in range(6)]
    assert [r["id"] for r in seen] == sorted(r["id"] for r in seen) and len({r["id"] for r in seen}) == 6
    assert [r["status"] for r in seen] == ["OK", "OK", "FAILED", "OK", "OK", "OK"]
    done = cdq.wait(job_id)
    assert (done["jobStatus"], done["totalItems"], done["processedItems"], done["failedItems"]) == ("FINISHED", 6, 6, 1)
    assert seen[0]["resultData"] == '{"row": 0}' and seen[0]["jobId"] == job_id
    assert seen[0]["jobType"] == "DATA_CURATION_JOB"


def test_results_filters_and_envelope(cdq):
    job_id = _curate(cdq, _records(5))
    assert cdq.wait(job_id)["jobStatus"] == "FINISHED"
    path = f"/jobs/{job_id}/results"
    everything = cdq.ok("GET", path, params={"storageId": STORAGE})
    assert set(everything) == {"limit", "total", "values"} and everything["total"] == 5 and everything["limit"] == 100
    first = cdq.ok("GET", path, params={"storageId": STORAGE, "limit": 3})
    assert set(first) == samples.RESULTS_PAGE_KEYS - {"startAfter"}
    assert first["nextStartAfter"] == first["values"][-1]["id"]
    rest = cdq.ok("GET", path, params={"storageId": STORAGE, "startAfter": first["nextStartAfter"],
                                       "features": "USE_NEXT_START_AFTER"})
    assert rest["startAfter"] == first["nextStartAfter"] and len(rest["values"]) == 2 and "nextStartAfter" not in rest
    def external_ids(**query):
        return [r["externalId"] for r in cdq.ok("GET", path, params={"storageId": STORAGE, **query})["values"]]
    assert external_ids(businessPartnerId="bp-1,bp-3") == ["ext-1", "ext-3"]
    assert external_ids(businessPartnerId=["bp-4", "bp-0"], dataSourceId="ds-0") == ["ext-0", "ext-4"]
    assert external_ids(externalId="ext-2", status="FAILED") == ["ext-2"]
    assert external_ids(status="FAILED", dataSourceId="ds-1") == []
    assert external_ids(status="OK") == ["ext-0", "ext-1", "ext-3", "ext-4"]
    assert cdq.ok("GET", path, params={"storageId": "another-storage"}) == {"limit": 100, "total": 0, "values": []}


@pytest.mark.parametrize("query, field", [
    ({}, "storageId"), ({"storageId": STORAGE, "limit": 5001}, "limit"), ({"storageId": STORAGE, "status": "BAD"},
                                                                         "status"),
    ({"storageId": STORAGE, "startAfter": "zz"}, "startAfter"),
    ({"storageId": STORAGE, "businessPartnerId": ",".join(str(i) for i in range(501))}, "businessPartnerId"),
])
def test_bad_results_query_is_a_400_naming_the_field(cdq, query, field):
    job = cdq.start()
    assert fault(cdq.call("GET", f"/jobs/{job['id']}/results", params=query), 400, "BAD_REQUEST").startswith(field)


def test_results_of_unknown_or_foreign_jobs_are_404(cdq, cdq_for):
    fault(cdq.call("GET", f"/jobs/{uuid.uuid4()}/results", params={"storageId": STORAGE}), 404, "NOT_FOUND")
    job = cdq.start()
    fault(cdq_for("carol").call("GET", f"/jobs/{job['id']}/results", params={"storageId": STORAGE}), 404, "NOT_FOUND")


def test_fetch_last_as_documented(cdq, cdq_for):
    storage = uuid.uuid4().hex
    fault(cdq.call("POST", "/jobs/results/fetchLast", json={**samples.FETCH_LAST, "storageId": storage}),
          404, "NOT_FOUND")
    older = _curate(cdq, _records(2), storage)
    newer = _curate(cdq, _records(3, addressId="address-id", addressExternalId="1"), storage)
    for job_id in (older, newer):
        assert cdq.wait(job_id)["jobStatus"] == "FINISHED"
    response = cdq.call("POST", "/jobs/results/fetchLast", json={**samples.FETCH_LAST, "storageId": storage},
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    last = response.json()
    assert (last["jobId"], last["externalId"], last["jobType"], last["status"]) == (newer, "ext-2", "DATA_CURATION_JOB",
                                                                                    "FAILED")
    assert set(last) <= set(samples.JOB_RESULT) and len(last["id"]) == 24 and last["executedAt"].endswith("Z")
    assert all(type(last[k]) is type(samples.JOB_RESULT[k]) for k in last)
    fault(cdq_for("carol").call("POST", "/jobs/results/fetchLast", json={**samples.FETCH_LAST, "storageId": storage}),
          404, "NOT_FOUND")
    assert fault(cdq.call("POST", "/jobs/results/fetchLast", json={"jobType": "DATA_CURATION_JOB"}),
                 400, "BAD_REQUEST").startswith("storageId")
    assert cdq.call("DELETE", f"/v2/jobs/{newer}").status_code == 204
    again = cdq.ok("POST", "/jobs/results/fetchLast", json={**samples.FETCH_LAST, "storageId": storage})
    assert again["jobId"] == older
