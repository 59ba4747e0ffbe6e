"""Documents as the reference gives them: property names, types, values, headers."""
import re
from datetime import datetime

import pytest

from jobgate.testing.parts import TOKENS
from tests.ocapi import samples
from tests.ocapi.check import typed
from tests.ocapi.conftest import Ocapi

V17 = "/dw/data/v17_2"


@pytest.fixture(scope="module")
def finished(base_url):
    """One QuickJob run to success through the 17.2 paths: (client, POST document, final document)."""
    client = Ocapi(base_url, TOKENS["alice"], data=V17)
    posted = client.run("QuickJob", [{"name": "greeting", "value": "hello"}])
    return client, posted, client.wait("QuickJob", posted["id"])


def test_the_reference_samples_fit_the_type_tables():
    typed(samples.GET_17_2, samples.EXECUTION_TYPES)
    typed(samples.POST_23_2, samples.EXECUTION_TYPES)


def test_finished_execution_has_exactly_the_properties_of_the_17_2_sample(finished):
    _, _, done = finished
    typed(done, samples.EXECUTION_TYPES)
    assert set(done) == set(samples.GET_17_2)
    assert set(done["exit_status"]) == set(samples.GET_17_2["exit_status"])
    for step in done["step_executions"]:
        assert set(step) == set(samples.GET_17_2["step_executions"][0])
        assert set(step["exit_status"]) == set(samples.GET_17_2["step_executions"][0]["exit_status"])


def test_finished_execution_values(finished):
    _, posted, done = finished
    assert (done["_v"], done["_type"], done["id"], done["job_id"]) == ("17.2", "job_execution", posted["id"], "QuickJob")
    assert (done["execution_status"], done["status"]) == ("finished", "OK")
    assert done["exit_status"] == {"_type": "status", "code": "OK", "status": "ok"}
    assert done["is_log_file_existing"] is True and done["is_restart"] is False
    assert done["client_id"] == "alice" and done["execution_scopes"] == ["Organization"]
    started, ended = (datetime.fromisoformat(done[k].replace("Z", "+00:00")) for k in ("start_time", "end_time"))
    assert done["duration"] == round((ended - started).total_seconds() * 1000)
    assert [(s["step_id"], s["step_type_id"], s["step_type_info"], s["status"], s["execution_status"])
            for s in done["step_executions"]] == [("Count", "python", "jobgate.testing.jobs:count", "OK", "finished"),
                                                  ("Echo", "shell", "sh", "OK", "finished")]
    assert [s["exit_status"] for s in done["step_executions"]] == [
        {"_type": "status", "code": "OK", "message": "", "status": "ok"}] * 2
    assert len({s["id"] for s in done["step_executions"]}) == 2


def test_log_file_name_is_named_after_the_creation_millisecond(finished):
    _, posted, done = finished
    created = posted["modification_time"]
    stamp = re.sub(r"\D", "", created)
    assert done["log_file_name"] == posted["log_file_name"] == f"Job-QuickJob-{stamp}.log"


def test_resource_state_is_a_hash_that_follows_the_canonical_version(finished):
    client, posted, done = finished
    again = client.call("GET", f"/jobs/QuickJob/executions/{done['id']}").json()
    assert re.fullmatch(r"[0-9a-f]{64}", done["_resource_state"])
    assert again["_resource_state"] == done["_resource_state"] != posted["_resource_state"]


def test_list_is_a_job_execution_result_without_item_resource_states(finished):
    client, _, done = finished
    response = client.call("GET", "/jobs/QuickJob/executions", params={"count": 1})
    result = response.json()
    typed(result, samples.RESULT_TYPES)
    assert samples.LIST_17_2_KEYS <= set(result)
    assert (result["_v"], result["_type"], result["count"], result["start"]) == ("17.2", "job_execution_result", 1, 0)
    item = result["data"][0]
    assert "_resource_state" not in item and item["_v"] == "17.2" and item["_type"] == "job_execution"


def test_pending_execution_matches_the_23_2_system_job_sample(ocapi):
    client = Ocapi(ocapi.base_url, TOKENS["alice"], data="/s/-/dw/data/v23_2")
    sent = [{"name": "ImportMode", "value": "merge"}, {"name": "ImportFile", "value": "siteGenesis.zip"}]
    posted = client.run("ParkedJob", sent)
    try:
        typed(posted, samples.EXECUTION_TYPES)
        assert set(posted) - {"_resource_state", "duration"} == set(samples.POST_23_2)
        assert (posted["_v"], posted["execution_status"], posted["status"]) == ("23.2", "pending", "PENDING")
        assert posted["parameters"] == samples.POST_23_2["parameters"]
        assert posted["is_log_file_existing"] is False
    finally:
        ocapi.native("POST", f"/executions/{posted['id']}/cancel")
    aborted = client.call("GET", f"/jobs/ParkedJob/executions/{posted['id']}").json()
    assert (aborted["execution_status"], aborted["status"], aborted["exit_status"]["status"]) == (
        "aborted", "ABORTED", "error")


def test_running_execution_shows_running_and_no_end(ocapi):
    posted = ocapi.run("SlowJob")
    try:
        running = ocapi.wait("SlowJob", posted["id"], until={"RUNNING"})
        typed(running, samples.EXECUTION_TYPES)
        assert (running["execution_status"], running["status"]) == ("running", "RUNNING")
        assert "end_time" not in running and "exit_status" not in running
        assert [(s["step_id"], s["status"], s["execution_status"]) for s in running["step_executions"]] == [
            ("Spin", "RUNNING", "running")]
    finally:
        ocapi.native("POST", f"/executions/{posted['id']}/cancel")


def test_failed_execution_sets_code_and_status_with_the_message(ocapi):
    done = ocapi.wait("FailingJob", ocapi.run("FailingJob")["id"])
    typed(done, samples.EXECUTION_TYPES)
    assert (done["execution_status"], done["status"]) == ("finished", "ERROR")
    assert (done["exit_status"]["code"], done["exit_status"]["status"]) == ("ERROR", "error")
    assert "exit code 3" in done["exit_status"]["message"]
    (step,) = done["step_executions"]
    assert (step["status"], step["exit_status"]["code"], step["exit_status"]["status"]) == ("ERROR", "ERROR", "error")
    assert "exit code 3" in step["exit_status"]["message"]


def test_restarted_execution_shows_is_restart(ocapi):
    failed = ocapi.wait("FailingJob", ocapi.run("FailingJob")["id"])
    again = ocapi.native("POST", f"/executions/{failed['id']}/restart").json()
    document = ocapi.call("GET", f"/jobs/FailingJob/executions/{again['seq']}").json()
    assert document["is_restart"] is True and failed["is_restart"] is False


@pytest.mark.parametrize("version, has_path, has_parameters", [
    ("v17_2", False, False), ("v19_5", False, False), ("v23_2", False, True), ("v25_6", True, True)])
def test_newer_properties_appear_from_their_version(finished, version, has_path, has_parameters):
    client, posted, _ = finished
    document = client.call("GET", f"//dw/data/{version}/jobs/QuickJob/executions/{posted['id']}").json()
    assert document["_v"] == version[1:].replace("_", ".")
    assert ("log_file_path" in document) is has_path
    assert ("parameters" in document) is has_parameters
    if has_path:
        assert document["log_file_path"] == f"/Sites/LOGS/jobs/QuickJob/{document['log_file_name']}"
    if has_parameters:
        assert document["parameters"] == [{"_type": "job_execution_parameter", "name": "greeting", "value": "hello"}]


@pytest.mark.parametrize("path", ["/jobs/QuickJob/executions", "/jobs/NoSuchJob/executions"])
def test_sample_response_headers_on_documents_and_faults(finished, path):
    client, _, _ = finished
    response = client.call("GET", path)
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert response.headers["Cache-Control"] == "no-cache,no-store,must-revalidate"
    assert response.headers["Expires"] == "Thu, 01-Jan-1970 00:00:00 GMT"
