"""Every documented example of the reference, sent as the portal shows it, answered in its shape."""
from datetime import datetime

from tests.cdq import samples
from tests.cdq.conftest import fault


def _types_match(ours: dict, theirs: dict) -> None:
    """Each field we show is one the sample shows, of the same JSON kind (numbers where it prints strings)."""
    assert set(ours) <= set(theirs), set(ours) - set(theirs)
    for key, value in ours.items():
        sample = theirs[key]
        if isinstance(sample, str) and sample.isdigit():
            assert isinstance(value, int), key
        else:
            assert type(value) is type(sample), key


def test_update_result_data_as_documented(cdq):
    job = cdq.wait(cdq.start("DATA_CURATION_JOB", storageId=samples.JOB["storageId"])["id"])
    response = cdq.call("PUT", f"/jobs/{job['id']}/resultdata", json=samples.UPDATE_RESULT_DATA,
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    document = response.json()
    assert document["resultData"] == "{'param1': 'value1'}" and document["id"] == job["id"]
    assert document["type"] == "DATA_CURATION_JOB" and document["jobStatus"] == "FINISHED"
    _types_match(document, samples.JOB)
    for stamp in ("createdAt", "modifiedAt", "startedAt", "finishedAt"):
        assert datetime.fromisoformat(document[stamp].replace("Z", "+00:00")).tzinfo is not None
    assert cdq.ok("GET", f"/v2/jobs/{job['id']}")["resultData"] == "{'param1': 'value1'}"


def test_result_data_over_65535_characters_is_a_400_naming_it(cdq):
    job = cdq.start()
    assert cdq.call("PUT", f"/jobs/{job['id']}/resultdata", json={"resultData": "x" * 65535}).status_code == 200
    message = fault(cdq.call("PUT", f"/jobs/{job['id']}/resultdata", json={"resultData": "x" * 65536}),
                    400, "BAD_REQUEST")
    assert message.startswith("resultData:")
    fault(cdq.call("PUT", f"/jobs/{job['id']}/resultdata", json={"resultData": 5}), 400, "BAD_REQUEST")
