"""The v2 sequential trigger: runs one after another, each once the one before completed; the rest
canceled when one fails; nothing runs when a file is unknown."""

import itertools

SEQUENTIAL = "/api/job-execution/sequential-trigger"


def test_runs_one_after_another(datameer, config_id, service):
    files = [config_id("QuickJob"), "/Data/Workbooks/Sales.wbk", "Data/Jobs/QuickJob"]
    answer = datameer.ok("POST", SEQUENTIAL, json={"files": files})
    assert answer["status"] == "success" and answer["job-execution-trigger"] == "RESTAPI"
    assert [item["file-id"] for item in answer["job-executions"]] == [
        config_id("QuickJob"), config_id("SalesWorkbook"), config_id("QuickJob")]
    runs = [item["job-execution-id"] for item in answer["job-executions"]]
    assert answer["job-execution-id"] == runs[0]
    assert [datameer.wait(run)["jobStatus"] for run in runs] == ["COMPLETED"] * 3
    executions = [service.store.get(run) for run in runs]
    for before, after in itertools.pairwise(executions):
        assert after.started >= before.ended


def test_a_failure_cancels_the_rest(datameer, config_id):
    answer = datameer.ok("POST", SEQUENTIAL, json={"files": [config_id("FailingJob"), config_id("QuickJob"),
                                                             config_id("SalesWorkbook")]})
    runs = [item["job-execution-id"] for item in answer["job-executions"]]
    assert [datameer.wait(run)["jobStatus"] for run in runs] == ["ERROR", "CANCELED", "CANCELED"]


def test_a_waiting_run_shows_waiting_for_other_job_until_its_predecessor_is_stopped(datameer, config_id):
    answer = datameer.ok("POST", SEQUENTIAL, json={"files": [config_id("SlowJob"), config_id("SalesWorkbook")]})
    first, second = [item["job-execution-id"] for item in answer["job-executions"]]
    assert datameer.wait(first, until={"RUNNING"})["jobStatus"] == "RUNNING"
    assert datameer.details(second)["jobStatus"] == "WAITING_FOR_OTHER_JOB"
    assert {"id": second, "jobConfigurationId": config_id("SalesWorkbook"), "jobStatus": "WAITING_FOR_OTHER_JOB"} in (
        datameer.ok("GET", "/rest/jobs/list-running"))
    datameer.ok("POST", f"/rest/job-execution/job-kill/{first}")
    assert [datameer.wait(run)["jobStatus"] for run in (first, second)] == ["CANCELED", "CANCELED"]


def test_an_unknown_file_runs_nothing(datameer, config_id):
    parked = config_id("ParkedJob")
    before = datameer.ok("GET", f"/rest/job-configuration/job-history/{parked}?start=0&length=1")
    response = datameer.call("POST", SEQUENTIAL, json={"files": [parked, "/Data/nope.wbk"]})
    assert response.status_code == 404 and response.json()["status"] == "failure"
    assert datameer.ok("GET", f"/rest/job-configuration/job-history/{parked}?start=0&length=1") == before


def test_an_exclusive_job_already_running_cancels_what_was_accepted(datameer, config_id):
    exclusive = config_id("ExclusiveJob")
    holder = datameer.ok("POST", f"/api/job-execution/{exclusive}/trigger")["job-execution-id"]
    response = datameer.call("POST", SEQUENTIAL, json={"files": [config_id("ParkedJob"), exclusive]})
    assert response.status_code == 409 and response.json()["status"] == "failure"
    latest = datameer.ok("GET", f"/rest/job-configuration/job-status/{config_id('ParkedJob')}")
    assert latest["jobStatus"] == "CANCELED"
    datameer.wait(holder)


def test_no_list_is_400(datameer):
    for body in [{}, {"files": []}, {"files": [True]}, ["1"]]:
        response = datameer.call("POST", SEQUENTIAL, json=body)
        assert response.status_code == 400 and response.json()["status"] == "failure", body
