"""What a Nagios check of a Datameer job does (check_datameer_job_status / _job_details): read the
job status and the latest run's details for a configuration id and classify OK / WARNING / CRITICAL."""
import json
import re

import pytest

#: the plugins' classification of v1 jobStatus
OK = {"RUNNING", "WAITING_FOR_OTHER_JOB", "COMPLETED", "QUEUED"}
WARNING = {"COMPLETED_WITH_Warnings", "CANCELED", "CANCELLED"}
CRITICAL = {"ERROR"}


def check(datameer, configuration: int) -> tuple[str, str]:
    """(level, message) as the plugin prints them; any `error` object or non-JSON body is CRITICAL."""
    def read(path):
        response = datameer.call("GET", path)
        try:
            document = json.loads(response.text)
        except ValueError:
            return None, "invalid json returned"
        if isinstance(document, dict) and "error" in document:
            return None, document["error"]
        return document, ""

    status, problem = read(f"/rest/job-configuration/job-status/{configuration}")
    if status is None:
        return "CRITICAL", problem
    history, problem = read(f"/rest/job-configuration/job-history/{configuration}?start=0&length=1")
    if history is None:
        return "CRITICAL", problem
    if not history:
        return "UNKNOWN", "job has not been run yet"
    if not isinstance(history[0]["id"], int):
        return "UNKNOWN", "non-integer id returned in history"
    details, problem = read(f"/rest/job-execution/job-details/{history[0]['id']}")
    if details is None:
        return "CRITICAL", problem
    for key in ("failureCount", "successCount"):
        if not isinstance(details[key], int):
            return "UNKNOWN", f"non-integer {key}"
    if not all(isinstance(value, int) for value in details["counters"].values()):
        return "UNKNOWN", "non-integer counter"
    if "startTime" not in details or "stopTime" not in details:
        return "UNKNOWN", "no start or stop time"
    word = status["jobStatus"]
    level = "OK" if word in OK else "WARNING" if word in WARNING else "CRITICAL" if word in CRITICAL else "UNKNOWN"
    return level, (f"job {configuration} last run {status['id']} status '{word}', "
                   f"{details['successCount']} succeeded, {details['failureCount']} failed")


@pytest.mark.parametrize("job, level, word", [("QuickJob", "OK", "COMPLETED"), ("FailingJob", "CRITICAL", "ERROR")])
def test_check_of_an_ended_job(datameer, config_id, job, level, word):
    run = datameer.trigger(config_id(job))
    datameer.wait(run)
    found, message = check(datameer, config_id(job))
    assert found == level, message
    assert f"status '{word}'" in message


def test_check_of_a_canceled_job_warns(datameer, config_id):
    run = datameer.trigger(config_id("ParkedJob"))
    datameer.ok("POST", f"/rest/job-execution/job-kill/{run}")
    assert check(datameer, config_id("ParkedJob"))[0] == "WARNING"


def test_check_of_an_unknown_configuration_is_critical_with_the_servers_reason(datameer):
    level, message = check(datameer, 987654)
    assert level == "CRITICAL" and "doesn't exist" in message


def test_check_with_wrong_credentials_is_critical(as_user, config_id):
    level, message = check(as_user("alice", "wrong"), config_id("QuickJob"))
    assert (level, message) == ("CRITICAL", "Bad credentials")


def test_report_script_takes_the_only_number_in_a_history_item_as_the_run(datameer, config_id):
    """The TAM report script: `egrep -o "[0-9]+"` over a length=1 history must yield just the run id."""
    run = datameer.trigger(config_id("SalesWorkbook"))
    datameer.wait(run)
    text = datameer.call("GET", f"/rest/job-configuration/job-history/{config_id('SalesWorkbook')}?start=0&length=1").text
    assert re.findall(r"[0-9]+", text) == [str(run)]
    details = datameer.call("GET", f"/rest/job-execution/job-details/{run}").text
    for key in ("startTime", "stopTime", "jobStatus"):
        assert len([line for line in details.splitlines() if f'"{key}": ' in line]) == 1, key
