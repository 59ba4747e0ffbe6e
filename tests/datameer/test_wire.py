"""Datameer over real HTTP: both trigger forms, every identifier form, the documented shapes of
real runs, stop and kill, faults in both formats, Basic auth, pretty-printed bodies."""
import json
import re

import pytest

from jobgate.model import Principal
from tests.datameer.conftest import encoded

MEDIUM = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$")
SQL_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{1,3}$")
SALES = "/Data/Workbooks/Sales.wbk"
NO_FILE = {"status": "failure", "reason": "File doesn't exist or isn't accessible with current permissions"}


@pytest.mark.parametrize("path", ["/rest/job-execution?configuration={}", "/rest/job-execution/?configuration={}"])
def test_v1_trigger_with_and_without_slash_runs_to_completed(datameer, config_id, path):
    quick = config_id("QuickJob")
    response = datameer.call("POST", path.format(quick))
    assert response.status_code == 200, response.text
    run = response.json()["id"]
    done = datameer.wait(run)
    assert done["jobStatus"] == "COMPLETED"
    assert datameer.ok("GET", f"/rest/job-configuration/job-history/{quick}?start=0&length=1") == [
        {"id": run, "jobStatus": "COMPLETED"}]
    latest = datameer.ok("GET", f"/rest/job-configuration/job-status/{quick}")
    assert latest["id"] >= run and latest["jobStatus"] in {"COMPLETED", "QUEUED", "RUNNING"}


def test_completed_run_in_v1_details_and_v2_status(datameer, config_id):
    quick = config_id("QuickJob")
    run = datameer.trigger(quick)
    details = datameer.wait(run)
    assert set(details) >= {"jobStatus", "startTime", "stopTime", "successCount", "failureCount", "counters"}
    assert SQL_TIMESTAMP.match(details["startTime"]) and SQL_TIMESTAMP.match(details["stopTime"]), details
    assert (details["successCount"], details["failureCount"]) == (3, 0)
    assert details["counters"] == {"RECORDS": 3, "DROPPED_RECORDS": 0, "TOTAL_RECORDS": 3, "counted": 3}
    status = datameer.ok("GET", f"/api/job-execution/{quick}/status")
    if status["job-execution-id"] == run:       # no other run of QuickJob started meanwhile
        assert list(status) == ["status", "file-id", "job-execution-id", "job-status", "start-time", "stop-time"]
        assert status["job-status"] == "COMPLETED" and status["file-id"] == quick
        assert MEDIUM.match(status["start-time"]) and MEDIUM.match(status["stop-time"]), status


def test_file_identifiers_all_name_one_file(datameer, service):
    definition = service.definition(Principal("alice", "acme"), "SalesWorkbook")
    run = datameer.ok("POST", f"/api/job-execution/{encoded(SALES)}/trigger",
                      headers={"Content-Type": "application/json"})
    assert run["job-execution-user"] == "alice" and run["job-execution-trigger"] == "RESTAPI"
    assert datameer.wait(run["job-execution-id"])["jobStatus"] == "COMPLETED"
    for ref in [encoded(SALES), SALES, SALES.lstrip("/"), str(definition.seq), definition.uuid,
                definition.uuid.upper()]:
        status = datameer.ok("GET", f"/api/job-execution/{ref}/status")
        assert (status["file-id"], status["job-execution-id"]) == (definition.seq, run["job-execution-id"]), ref


def test_derived_path_names_a_job_without_one(datameer, config_id):
    status = datameer.ok("GET", f"/api/job-execution/{encoded('/Data/Jobs/QuickJob')}/status")
    assert status.get("file-id") in (None, config_id("QuickJob"))
    response = datameer.call("GET", f"/api/job-execution/{encoded('/Data/Jobs/SalesWorkbook')}/status")
    assert (response.status_code, response.json()) == (404, NO_FILE), "a job with its own path has no derived one"


def test_never_run_is_empty_in_v1_and_none_in_v2(as_user, config_id):
    carol = as_user("carol")      # tenant globex never runs SalesWorkbook
    response = carol.call("GET", f"/rest/job-configuration/job-status/{config_id('SalesWorkbook')}")
    assert (response.status_code, response.text) == (200, "{}\n")
    response = carol.call("GET", f"/api/job-execution/{encoded(SALES)}/status")
    assert response.text == '{\n  "status": "success",\n  "job-status": "_NONE"\n}\n'
    assert carol.ok("GET", f"/rest/job-configuration/job-history/{config_id('SalesWorkbook')}") == []


def test_running_then_stopped_through_v2(datameer, config_id):
    slow = config_id("SlowJob")
    run = datameer.ok("POST", f"/api/job-execution/{slow}/trigger")["job-execution-id"]
    assert datameer.wait(run, until={"RUNNING"})["jobStatus"] == "RUNNING"
    status = datameer.ok("GET", f"/api/job-execution/{slow}/status")
    assert list(status) == ["status", "file-id", "job-execution-id", "job-status", "start-time", "estimate-time",
                            "job-progress"]
    assert status["job-status"] == "RUNNING" and MEDIUM.match(status["start-time"])
    assert isinstance(status["job-progress"], str) and status["job-progress"].isdigit()
    assert re.match(r"^\d+s$", status["estimate-time"])
    assert {"id": run, "jobConfigurationId": slow, "jobStatus": "RUNNING"} in datameer.ok("GET", "/rest/jobs/list-running")
    running = datameer.ok("GET", "/api/job-execution/list-running")
    assert running["status"] == "success"
    assert [item["job-status"] for item in running["job-executions"] if item["job-execution-id"] == run] == ["RUNNING"]
    stopped = datameer.call("POST", f"/api/job-execution/{slow}/stop", headers={"Content-Type": "application/json"})
    assert (stopped.status_code, stopped.content) == (200, b"")
    assert datameer.wait(run)["jobStatus"] == "CANCELED"
    status = datameer.ok("GET", f"/api/job-execution/{slow}/status")
    assert status["job-status"] == "CANCELED" and MEDIUM.match(status["start-time"]) and MEDIUM.match(status["stop-time"])
    again = datameer.call("POST", f"/api/job-execution/{slow}/stop")
    assert (again.status_code, again.json()) == (409, {"status": "failure", "reason": "Job isn't running"})
    killed = datameer.call("POST", f"/rest/job-execution/job-kill/{run}")
    assert killed.status_code == 409 and set(killed.json()) == {"error"} and "already ended" in killed.json()["error"]


def test_queued_then_killed_through_v1(datameer, config_id):
    parked = config_id("ParkedJob")
    run = datameer.trigger(parked)
    status = datameer.ok("GET", f"/api/job-execution/{parked}/status")
    assert status == {"status": "success", "file-id": parked, "job-execution-id": run, "job-status": "QUEUED",
                      "start-time": None}
    assert datameer.ok("POST", f"/rest/job-execution/job-kill/{run}") == {"id": run, "jobStatus": "CANCELED"}
    status = datameer.ok("GET", f"/api/job-execution/{parked}/status")
    assert list(status) == ["status", "file-id", "job-execution-id", "job-status", "start-time", "stop-time"]
    assert status["start-time"] is None and MEDIUM.match(status["stop-time"])
    details = datameer.details(run)
    assert details["startTime"] is None and SQL_TIMESTAMP.match(details["stopTime"])


def test_delete_data_of_an_ended_run(datameer, config_id):
    run = datameer.trigger(config_id("SalesWorkbook"))
    datameer.wait(run)
    assert datameer.ok("DELETE", f"/rest/data/{run}") == {"id": run}
    gone = datameer.call("GET", f"/rest/job-execution/job-details/{run}")
    assert gone.status_code == 404 and set(gone.json()) == {"error"}


@pytest.mark.parametrize("path", ["/rest/job-configuration/job-status/987654", "/rest/job-configuration/job-status/QuickJob",
                                  "/rest/job-configuration/job-history/987654", "/rest/job-execution/job-details/987654321",
                                  "/rest/job-execution/job-details/not-a-number", "/rest/no/such/thing"])
def test_v1_unknown_is_404_with_an_error(datameer, path):
    response = datameer.call("GET", path)
    assert response.status_code == 404 and list(response.json()) == ["error"] and response.json()["error"]


@pytest.mark.parametrize("path", ["/api/job-execution/987654/status", "/api/job-execution/%2FData%2Fnope.wbk/status",
                                  "/api/job-execution/00000000-0000-4000-8000-000000000000/status"])
def test_v2_unknown_file_is_404_failure(datameer, path):
    response = datameer.call("GET", path)
    assert (response.status_code, response.json()) == (404, NO_FILE)
    assert datameer.call("POST", path.replace("/status", "/trigger")).status_code == 404


def test_another_tenants_run_is_not_found(datameer, as_user, config_id):
    run = datameer.trigger(config_id("SalesWorkbook"))
    carol = as_user("carol")
    for method, path in [("GET", f"/rest/job-execution/job-details/{run}"),
                         ("POST", f"/rest/job-execution/job-kill/{run}"), ("DELETE", f"/rest/data/{run}")]:
        assert carol.call(method, path).status_code == 404, path
    assert run not in [item["id"] for item in carol.ok("GET", "/rest/jobs/list-running")]
    datameer.wait(run)


@pytest.mark.parametrize("path", ["/rest/job-execution", "/rest/job-execution?configuration=abc",
                                  "/rest/job-execution?configuration=-1"])
def test_v1_trigger_without_a_valid_configuration_is_400(datameer, path):
    response = datameer.call("POST", path)
    assert response.status_code == 400 and "configuration" in response.json()["error"]


@pytest.mark.parametrize("query", ["start=-1", "length=0", "length=many"])
def test_v1_history_with_bad_paging_is_400(datameer, config_id, query):
    response = datameer.call("GET", f"/rest/job-configuration/job-history/{config_id('QuickJob')}?{query}")
    assert response.status_code == 400 and list(response.json()) == ["error"]


def test_v1_history_pages_newest_first(datameer, config_id):
    sales = config_id("SalesWorkbook")
    runs = [datameer.trigger(sales) for _ in range(3)]
    newest = datameer.ok("GET", f"/rest/job-configuration/job-history/{sales}?start=0&length=2")
    following = datameer.ok("GET", f"/rest/job-configuration/job-history/{sales}?start=2&length=1")
    assert [item["id"] for item in newest] == runs[::-1][:2] and following[0]["id"] == runs[0]
    for run in runs:
        datameer.wait(run)


@pytest.mark.parametrize("auth", [None, ("alice", "wrong"), ("nobody", "s3cret")])
@pytest.mark.parametrize("path, body_keys", [("/rest/jobs/list-running", ["error"]),
                                             ("/api/job-execution/list-running", ["status", "reason"])])
def test_missing_or_wrong_basic_credentials_are_401(base_url, auth, path, body_keys):
    from tests.datameer.conftest import Datameer
    response = Datameer(base_url, auth).call("GET", path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="Datameer"'
    assert list(response.json()) == body_keys


def test_a_hashed_password_is_accepted(as_user):
    assert isinstance(as_user("bob").ok("GET", "/rest/jobs/list-running"), list)


def test_bodies_are_pretty_printed_one_property_per_line(datameer, config_id):
    run = datameer.trigger(config_id("SalesWorkbook"))
    datameer.wait(run)
    for path in [f"/rest/job-execution/job-details/{run}", f"/api/job-execution/{encoded(SALES)}/status",
                 "/rest/job-configuration/job-status/987654"]:
        text = datameer.call("GET", path).text
        assert text == json.dumps(json.loads(text), indent=2) + "\n", path
    lines = datameer.call("GET", f"/rest/job-execution/job-details/{run}").text.splitlines()
    assert '  "jobStatus": "COMPLETED",' in lines
    assert any(re.match(r'^  "startTime": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+",$', line) for line in lines)
