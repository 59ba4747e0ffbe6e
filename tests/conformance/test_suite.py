"""The conformance suite every dialect passes through its own wire driver."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conformance.conftest import DRIVERS, needs
from tests.conformance.driver import WireError
from tests.conftest import TOKENS


def test_submit_runs_to_success_with_step_records(driver):
    ref = driver.submit("QuickJob", {"greeting": "hello"})
    done = driver.wait(ref)
    assert done.state == "SUCCEEDED", done
    if "steps" in driver.capabilities:
        assert done.steps == [("Count", "SUCCEEDED"), ("Echo", "SUCCEEDED")]


def test_failing_step_fails_with_its_message(driver):
    done = driver.wait(driver.submit("FailingJob"))
    assert done.state == "FAILED"
    assert "exit code 3" in done.message
    if "steps" in driver.capabilities:
        assert done.steps == [("Explode", "FAILED")]


def test_raised_exception_fails_with_its_message(driver):
    done = driver.wait(driver.submit("RaisingJob"))
    assert done.state == "FAILED"
    assert "the widget broke" in done.message


def test_log_and_result_are_readable(driver):
    needs(driver, "log")
    ref = driver.submit("QuickJob", {"greeting": "bonjour"})
    assert driver.wait(ref).state == "SUCCEEDED"
    log = driver.log(ref)
    assert "greeting=bonjour" in log and "counted to 3" in log
    if "result" in driver.capabilities:
        assert driver.result(ref) == {"counted": 3}


def test_list_pages_with_total(driver):
    needs(driver, "paging")
    submitted = {driver.submit("QuickJob") for _ in range(3)}
    first, total = driver.page("QuickJob", 0, 2)
    second, total_again = driver.page("QuickJob", 2, 2)
    assert len(first) == 2 and total == total_again and total >= 3
    assert not set(first) & set(second)
    everything = set()
    for offset in range(0, total, 2):
        everything |= set(driver.page("QuickJob", offset, 2)[0])
    assert submitted <= everything and len(everything) == total
    for ref in submitted:
        driver.wait(ref)


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


def test_finished_execution_can_be_deleted(driver):
    needs(driver, "delete")
    ref = driver.submit("QuickJob")
    assert driver.wait(ref).state == "SUCCEEDED"
    driver.delete(ref)
    with pytest.raises(WireError) as caught:
        driver.get(ref)
    assert caught.value.status == 404


@pytest.mark.parametrize("reader_name", sorted(DRIVERS))
def test_execution_submitted_here_is_read_through_every_dialect(driver, reader_name, base_url, service):
    ref = driver.submit("QuickJob")
    assert driver.wait(ref).state == "SUCCEEDED"
    canonical = service.store.get(ref) or service.store.get(driver.get(ref).id)
    reader = DRIVERS[reader_name](base_url, TOKENS["alice"])
    seen = reader.get(reader.ref(canonical.id, canonical.seq))
    assert seen.state == "SUCCEEDED"
