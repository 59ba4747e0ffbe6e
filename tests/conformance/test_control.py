"""Execution control through every dialect: cancel, delete, restart, dead workers."""
import os
import re
import signal
import time

import pytest
import redis
from rq.registry import StartedJobRegistry

from jobgate.tools import processes
from jobgate.model import Principal
from tests.conformance.conftest import needs
from tests.conformance.driver import WireError
from tests.conftest import start_worker


def canonical(service, driver, ref):
    return service.store.get(ref) or service.store.get(driver.get(ref).id)


def clean_up(service, driver, ref):
    """Cancel through the service, for dialects that have no cancel of their own."""
    service.cancel(Principal("alice", "acme"), canonical(service, driver, ref).id)


def child_pid(service, execution, timeout=15):
    """The pid a step printed as `child=PID` into its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(rb"child=(\d+)", service.store.read_log(execution.id))
        if found:
            return int(found.group(1))
        time.sleep(0.1)
    raise AssertionError("the step never printed its child pid")


def gone(pid, timeout=10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def test_cancel_queued_removes_it_from_its_queue(driver, service):
    needs(driver, "cancel")
    ref = driver.submit("ParkedJob")
    assert driver.get(ref).state == "QUEUED"
    execution = canonical(service, driver, ref)
    assert execution.id.encode() in service.redis.lrange("rq:queue:parked", 0, -1)
    driver.cancel(ref)
    assert driver.get(ref).state == "CANCELED"
    assert execution.id.encode() not in service.redis.lrange("rq:queue:parked", 0, -1)


def test_cancel_running_kills_the_whole_process_group(driver, service):
    needs(driver, "cancel")
    ref = driver.submit("StubbornJob")
    assert driver.wait(ref, until={"RUNNING"}).state == "RUNNING"
    pid = child_pid(service, canonical(service, driver, ref))
    driver.cancel(ref)
    assert driver.wait(ref).state == "CANCELED"
    assert gone(pid), f"step child {pid} survived the cancel"
    assert canonical(service, driver, ref).message == "canceled by alice"


def test_delete_of_running_execution_is_refused_or_stops_it(driver, service):
    needs(driver, "delete")
    ref = driver.submit("SlowJob")
    driver.wait(ref, until={"RUNNING"})
    if driver.deletes_unfinished:
        driver.delete(ref)
        with pytest.raises(WireError) as caught:
            driver.wait(ref, until=set(), timeout=20)
        assert caught.value.status == 404
        return
    with pytest.raises(WireError) as caught:
        driver.delete(ref)
    assert caught.value.kind == "not_finished"
    clean_up(service, driver, ref)
    assert driver.wait(ref).state == "CANCELED"


def test_restart_of_failed_execution_and_refusals(driver, service):
    needs(driver, "restart")
    failed = driver.submit("FailingJob")
    assert driver.wait(failed).state == "FAILED"
    again = driver.restart(failed)
    assert driver.wait(again).state == "FAILED"
    assert canonical(service, driver, again).restart_of == canonical(service, driver, failed).id
    succeeded = driver.submit("QuickJob")
    driver.wait(succeeded)
    with pytest.raises(WireError) as caught:
        driver.restart(succeeded)
    assert caught.value.kind == "not_restartable"


def processes_with(*markers: bytes) -> list[int]:
    """Pids whose environment holds every marker (this suite's doomed worker and its forks)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                variables = environ.read().split(b"\0")
        except (FileNotFoundError, PermissionError, NotADirectoryError, ProcessLookupError):
            continue
        if all(marker in variables for marker in markers):
            found.append(int(entry))
    return found


@pytest.fixture
def doomed_worker(gateway_env):
    process = start_worker({**gateway_env, "JOBGATE_QUEUES": "doomed"})
    yield process
    processes.stop(process)


def test_killed_worker_leaves_a_died_execution_and_nothing_running(driver, service, doomed_worker):
    ref = driver.submit("DoomedJob")
    assert driver.wait(ref, until={"RUNNING"}).state == "RUNNING"
    execution = canonical(service, driver, ref)
    pid = child_pid(service, execution)
    os.kill(doomed_worker.pid, signal.SIGKILL)
    doomed_worker.wait()
    assert driver.wait(ref, timeout=30).state == driver.died_as
    assert service.store.get(execution.id).state.value == "DIED"
    assert gone(pid), "the step's process outlived its worker"
    leftovers = processes_with(b"JOBGATE_QUEUES=doomed", f"REDIS_URL={service.settings.redis_url}".encode())
    assert all(gone(p) for p in leftovers), f"processes of the killed worker remain: {leftovers}"
    started = StartedJobRegistry("doomed", connection=redis.Redis.from_url(service.settings.redis_url))
    assert not [j for j in started.get_job_ids() if j.startswith(execution.id)]
    again = driver.submit("DoomedJob")      # the non-concurrency slot was released
    clean_up(service, driver, again)
