"""Executions through one dialect's wire: runs, failures, steps, logs and results,
faults, credentials, tenants and exclusive jobs."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from jobgate.testing.driver import WireError
from jobgate.testing.requirements import requires


def test_submit_runs_to_success(driver):
    ref = driver.submit("QuickJob", {"greeting": "hello"})
    done = driver.wait(ref)
    assert (done.id, done.state, done.definition) == (ref, "SUCCEEDED", "QuickJob"), done
    assert done.ended is not None


@requires.shows_start_times
def test_a_run_shows_when_it_started_and_ended(driver):
    done = driver.wait(driver.submit("QuickJob"))
    assert done.started and done.ended and done.started <= done.ended, done


def test_failing_step_fails_with_its_message(driver):
    done = driver.wait(driver.submit("FailingJob"))
    assert done.state == "FAILED"
    assert "exit code 3" in done.message


def test_raised_exception_fails_with_its_message(driver):
    done = driver.wait(driver.submit("RaisingJob"))
    assert done.state == "FAILED"
    assert "the widget broke" in done.message


@requires.steps
def test_steps_show_their_own_states(driver):
    succeeded = driver.wait(driver.submit("QuickJob"))
    assert succeeded.steps == [("Count", "SUCCEEDED"), ("Echo", "SUCCEEDED")]
    failed = driver.wait(driver.submit("FailingJob"))
    assert failed.steps == [("Explode", "FAILED")]


@requires.log
def test_log_is_readable(driver):
    ref = driver.submit("QuickJob", {"greeting": "bonjour"})
    assert driver.wait(ref).state == "SUCCEEDED"
    log = driver.log(ref)
    assert "greeting=bonjour" in log and "counted to 3" in log


@requires.result
def test_result_is_readable(driver):
    ref = driver.submit("QuickJob", {"count": 4})
    assert driver.wait(ref).state == "SUCCEEDED"
    assert driver.result(ref) == {"counted": 4}


def test_unknown_execution_is_not_found(driver):
    with pytest.raises(WireError) as caught:
        driver.get(driver.ref("00000000-0000-4000-8000-000000000000", 987654321))
    assert (caught.value.status, caught.value.kind) == (404, "not_found")


@pytest.mark.parametrize("token", ["", "not-a-real-token"])
def test_missing_or_wrong_credential_is_401(as_user, token):
    with pytest.raises(WireError) as caught:
        as_user("nobody", token).submit("QuickJob")
    assert (caught.value.status, caught.value.kind) == (401, "unauthorized")


def test_other_tenant_sees_not_found(as_user):
    alice, carol = as_user("alice"), as_user("carol")
    ref = alice.submit("QuickJob")
    with pytest.raises(WireError) as caught:
        carol.get(ref)
    assert (caught.value.status, caught.value.kind) == (404, "not_found")
    assert alice.wait(ref).state == "SUCCEEDED"


def test_concurrent_submits_of_exclusive_job_accept_exactly_one(driver):
    def attempt(_):
        try:
            return driver.submit("ExclusiveJob")
        except WireError as error:
            return error
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    accepted = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, WireError)]
    assert len(accepted) == 1, outcomes
    assert all(e.kind == "already_running" for e in refused), refused
    assert driver.wait(accepted[0]).state == "SUCCEEDED"


__all__ = [name for name in dir() if name.startswith("test_")]
