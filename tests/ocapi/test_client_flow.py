"""A command-line client's whole round: token, run with parameters, poll, read the outcome or the fault."""
import pytest

from tests.ocapi.cli_client import CommandLineClient, JobFault


@pytest.fixture
def cli(base_url):
    client = CommandLineClient(base_url)
    client.auth("alice", "s3cret")
    return client


def test_run_until_done_and_read_the_log(cli):
    execution = cli.run_sync("QuickJob", greeting="from-the-cli")
    assert execution["status"] == "OK" and execution["exit_status"]["status"] == "ok"
    assert execution["is_log_file_existing"] and "greeting=from-the-cli" in cli.log(execution)


def test_failed_run_reports_error_status(cli):
    execution = cli.run_sync("FailingJob")
    assert execution["status"] == "ERROR"
    assert execution["exit_status"]["status"] == "error" and "exit code 3" in execution["exit_status"]["message"]


def test_unknown_job_and_busy_job_are_read_as_faults(cli):
    with pytest.raises(JobFault) as caught:
        cli.run("NoSuchJob", a="1")
    assert (caught.value.status, caught.value.type) == (404, "JobNotFoundException")
    assert caught.value.message == "No job with ID 'NoSuchJob' found."
    first = cli.run("ExclusiveJob")
    with pytest.raises(JobFault) as caught:
        cli.run("ExclusiveJob")
    assert (caught.value.status, caught.value.type) == (400, "JobAlreadyRunningException")
    cli.http.post(f"{cli.instance}/api/v1/executions/{first['id']}/cancel", timeout=10,
                  headers={"authorization": f"Bearer {cli.token}"}).raise_for_status()   # OCAPI has no cancel


def test_unknown_execution_is_read_as_a_fault(cli):
    with pytest.raises(JobFault) as caught:
        cli.status("QuickJob", "424242424")
    assert (caught.value.status, caught.value.type) == (404, "JobExecutionNotFoundException")
