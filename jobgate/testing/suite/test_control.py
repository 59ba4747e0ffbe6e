"""Execution control through one dialect: cancel, delete, restart, dead workers."""
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from jobgate.model import Principal
from jobgate.testing.driver import WireError
from jobgate.testing.requirements import requires
from jobgate.testing.suite.support import cancel_through_service, canonical, child_pid, eventually, gone, processes_with


@requires.cancel
def test_cancel_queued_removes_it_from_its_queue(driver, service):
    ref = driver.submit("ParkedJob")
    assert driver.get(ref).state == "QUEUED"
    execution = canonical(service, driver, ref)
    parked = service.queue.queue("parked")
    assert execution.id in parked.get_job_ids()
    driver.cancel(ref)
    assert driver.get(ref).state == "CANCELED"
    assert execution.id not in parked.get_job_ids()


@requires.cancel
def test_cancel_running_kills_the_whole_process_group(driver, service):
    ref = driver.submit("StubbornJob")
    assert driver.wait(ref, until={"RUNNING"}).state == "RUNNING"
    pid = child_pid(service, canonical(service, driver, ref))
    driver.cancel(ref)
    assert driver.wait(ref).state == "CANCELED"
    assert gone(pid), f"step child {pid} survived the cancel"
    assert canonical(service, driver, ref).message == "canceled by alice"


@requires.delete
def test_finished_execution_can_be_deleted(driver, service):
    ref = driver.submit("QuickJob")
    assert driver.wait(ref).state == "SUCCEEDED"
    execution = canonical(service, driver, ref)
    driver.delete(ref)
    with pytest.raises(WireError) as caught:
        driver.get(ref)
    assert (caught.value.status, caught.value.kind) == (404, "not_found")
    assert service.store.get(execution.id) is None


@requires.delete_unfinished_refused
def test_delete_of_running_execution_is_refused(driver, service):
    ref = driver.submit("SlowJob")
    driver.wait(ref, until={"RUNNING"})
    with pytest.raises(WireError) as caught:
        driver.delete(ref)
    assert caught.value.kind == "not_finished"
    assert driver.get(ref).state == "RUNNING"
    cancel_through_service(service, driver, ref)
    assert driver.wait(ref).state == "CANCELED"


@requires.delete_unfinished_stops
def test_delete_of_running_execution_stops_it_and_removes_it_once_ended(driver, service):
    ref = driver.submit("SlowJob")
    driver.wait(ref, until={"RUNNING"})
    execution = canonical(service, driver, ref)
    driver.delete(ref)
    with pytest.raises(WireError) as caught:
        driver.wait(ref, until=set(), timeout=20)
    assert (caught.value.status, caught.value.kind) == (404, "not_found")
    assert eventually(lambda: service.store.get(execution.id) is None, timeout=5)


@requires.restart
def test_restart_of_failed_execution_and_refusals(driver, service):
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


@requires.restart
def test_concurrent_restarts_make_one_execution(driver, service):
    """Restart is idempotent: racing restarts of one execution, and a later one, all get the
    one restart made (or a conflict); never a second new execution."""
    failed = driver.submit("FailingJob")
    assert driver.wait(failed).state == "FAILED"
    racing = 6
    start = threading.Barrier(racing)

    def attempt(_):
        start.wait()
        try:
            return driver.restart(failed)
        except WireError as error:
            return error
    with ThreadPoolExecutor(racing) as pool:
        outcomes = list(pool.map(attempt, range(racing)))
    made = {o for o in outcomes if isinstance(o, str)}
    assert len(made) == 1, outcomes
    assert all(o.kind == "conflict" for o in outcomes if isinstance(o, WireError)), outcomes
    (again,) = made
    assert driver.restart(failed) == again
    old = canonical(service, driver, failed)
    restarts = [e.id for e in service.scan(Principal("alice", "acme"), definition=old.definition_id)
                if e.restart_of == old.id]
    assert restarts == [canonical(service, driver, again).id]
    driver.wait(again)


def test_killed_worker_leaves_a_died_execution_and_nothing_running(driver, service, doomed_worker, requirements):
    ref = driver.submit("DoomedJob")
    assert driver.wait(ref, until={"RUNNING"}).state == "RUNNING"
    execution = canonical(service, driver, ref)
    pid = child_pid(service, execution)
    os.kill(doomed_worker.pid, signal.SIGKILL)
    doomed_worker.wait()
    assert driver.wait(ref, timeout=30).state == requirements.died_as
    assert service.store.get(execution.id).state.value == "DIED"
    assert gone(pid), "the step's process outlived its worker"
    leftovers = processes_with(b"JOBGATE_QUEUES=doomed", f"REDIS_URL={service.settings.redis_url}".encode())
    assert all(gone(p) for p in leftovers), f"processes of the killed worker remain: {leftovers}"
    started = service.queue.queue("doomed").started_job_registry
    assert not [j for j in started.get_job_ids() if j.startswith(execution.id)]
    again = driver.submit("DoomedJob")      # the non-concurrency slot was released
    cancel_through_service(service, driver, again)


__all__ = [name for name in dir() if name.startswith("test_")]
