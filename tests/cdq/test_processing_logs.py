"""CDQ processing logs: a storage's results of finished jobs per log, filtered and paged next-after."""
import json
import uuid

from tests.cdq.conftest import fault


def _curate(cdq, storage, records, **input_):
    job = cdq.start("DATA_CURATION_JOB", storageId=storage, input={"records": records, "storageId": storage, **input_})
    return job["id"]


def test_curation_log_holds_finished_jobs_results(cdq, tmp_path, cdq_for):
    storage = uuid.uuid4().hex
    rows = [{"businessPartnerId": f"bp-{i}", "externalId": f"e-{i}", "dataSourceId": "ds",
             "data": {"score": i, "note": "n"}, **({"fail": "bad"} if i == 1 else {})} for i in range(4)]
    done = _curate(cdq, storage, rows)
    assert cdq.wait(done)["jobStatus"] == "FINISHED"
    running = _curate(cdq, storage, rows[:1], gate=str(tmp_path))        # waits on its gate: not finished
    path = f"/jobs/processinglogs/{storage}/CURATION_LOG"
    log = cdq.ok("GET", path)
    assert log["total"] == 4 and [e["externalId"] for e in log["values"]] == ["e-0", "e-1", "e-2", "e-3"]
    assert {e["jobId"] for e in log["values"]} == {done}
    entry = log["values"][0]
    assert (entry["processingLogId"], entry["storageId"], entry["status"]) == ("CURATION_LOG", storage, "OK")
    assert json.loads(entry["resultData"]) == {"score": 0, "note": "n"} and entry["createdAt"].endswith("Z")
    first = cdq.ok("GET", path, params={"limit": 3, "excludeFeatures": "NUMBER_OF_TOTAL"})
    assert "total" not in first and len(first["values"]) == 3
    rest = cdq.ok("GET", path, params={"limit": 3, "startAfter": first["nextStartAfter"]})
    assert [e["externalId"] for e in rest["values"]] == ["e-3"] and "nextStartAfter" not in rest
    failed = cdq.ok("GET", path, params={"status": "FAILED", "businessPartnerId": "bp-1,bp-2"})
    assert [e["externalId"] for e in failed["values"]] == ["e-1"]
    picked = cdq.ok("GET", path, params={"externalId": ["e-2"], "resultDataFields": "score"})["values"]
    assert json.loads(picked[0]["resultData"]) == {"score": 2}
    bare = cdq.ok("GET", path, params={"excludeFeatures": "FETCH_RESULT_DATA", "limit": 1})["values"][0]
    assert "resultData" not in bare
    assert cdq.ok("GET", path, params={"createdAtFrom": "2999-01-01T00:00:00Z"})["values"] == []
    assert cdq.ok("GET", f"/jobs/processinglogs/{storage}/VALIDATION_LOG")["values"] == []
    assert cdq_for("carol").ok("GET", path)["values"] == []
    (tmp_path / "1").touch()
    assert cdq.wait(running)["jobStatus"] == "FINISHED"
    assert cdq.ok("GET", path)["total"] == 5


def test_processing_log_refusals(cdq):
    fault(cdq.call("GET", "/jobs/processinglogs/s/NO_SUCH_LOG"), 404, "NOT_FOUND")
    assert fault(cdq.call("GET", "/jobs/processinglogs/s/CURATION_LOG", params={"limit": 5001}),
                 400, "BAD_REQUEST").startswith("limit")
    assert fault(cdq.call("GET", "/jobs/processinglogs/s/CURATION_LOG", params={"status": "MAYBE"}),
                 400, "BAD_REQUEST").startswith("status")
