"""A stopping worker loses no run (issue 12, point 2).

SIGTERM to a busy worker, alone or with its work horse and step as Heroku sends it, stops it
taking jobs and gives the run its shutdown grace; a run still going then is interrupted and
queued again as its next attempt (its job restartable or with retries left), or ends DIED
saying it was interrupted, never FAILED. A run whose worker was killed outright is retried
when its job has retries left. Each test has its own Redis, worker and gateway (conftest's stack).
"""
import os
import signal
import time

import redis
from rq import Queue

from tests.stopping.conftest import GRACE, all_gone, kill_leftovers, log_of, pids_at_the_gate, submit, until
from workers.shutdown import INTERRUPTED

#: how long a stopping worker may take at most: the grace, the kill grace (1 s in the suite),
#: the watcher's slack and the horse's bookkeeping (2 s each), and a margin for a loaded machine
STOPS_WITHIN = GRACE + 1 + 2 + 2 + 10


def stopped(worker) -> int:
    return worker.wait(STOPS_WITHIN)


def requeued(stack, execution_id) -> dict:
    found = until(stack, execution_id, "QUEUED", "SUCCEEDED", "FAILED", "CANCELED", "DIED")
    assert found["state"] == "QUEUED" and found["attempt"] == 2, found
    assert found["message"].startswith(INTERRUPTED), found
    return found


def runs_again_and_succeeds(stack, execution_id, gate) -> None:
    """A new worker takes the run queued again; it passes its gate this time."""
    seen = len(log_of(stack, execution_id))
    stack.add_worker()
    pids_at_the_gate(stack, execution_id, after=seen)       # the second attempt is at its gate
    gate.touch()
    done = until(stack, execution_id, "SUCCEEDED", "FAILED", "CANCELED", "DIED")
    assert (done["state"], done["attempt"]) == ("SUCCEEDED", 2), done


def test_sigterm_to_a_busy_worker_gives_its_run_the_grace_then_queues_it_again(stack, tmp_path):
    gate = tmp_path / "gate"
    ref = submit(stack, "RestartableGatedJob", gate=str(gate))
    pids = pids_at_the_gate(stack, ref)
    try:
        asked = time.monotonic()
        stack.worker.send_signal(signal.SIGTERM)
        assert stopped(stack.worker) == 0
        assert time.monotonic() - asked >= GRACE              # the run had its grace
        requeued(stack, ref)
        assert all_gone([pids["step"]])
        assert INTERRUPTED in log_of(stack, ref)
        queued = Queue("default", connection=redis.Redis.from_url(stack.env["REDIS_URL"]))
        assert ref in queued.get_job_ids()                    # RQ tells the same story
        runs_again_and_succeeds(stack, ref, gate)
    finally:
        kill_leftovers([pids["step"]])


def test_sigterm_to_worker_horse_and_step_at_once_queues_the_run_again_not_failed(stack, tmp_path):
    """Heroku's stop: every process of the dyno gets SIGTERM; the step dies of it at once."""
    gate = tmp_path / "gate"
    ref = submit(stack, "RestartableGatedJob", gate=str(gate))
    pids = pids_at_the_gate(stack, ref)
    try:
        for pid in (stack.worker.pid, pids["horse"], pids["step"]):
            os.kill(pid, signal.SIGTERM)
        assert stopped(stack.worker) == 0
        found = requeued(stack, ref)
        assert found["steps"][0]["state"] == "CREATED"        # the next attempt starts afresh
        runs_again_and_succeeds(stack, ref, gate)
    finally:
        kill_leftovers([pids["step"]])


def test_a_run_that_ends_within_the_grace_succeeds_and_the_worker_then_stops(stack, tmp_path):
    gate = tmp_path / "gate"
    ref = submit(stack, "RestartableGatedJob", gate=str(gate))
    pids_at_the_gate(stack, ref)
    stack.worker.send_signal(signal.SIGTERM)
    gate.touch()
    assert stopped(stack.worker) == 0
    done = until(stack, ref, "SUCCEEDED", "FAILED", "CANCELED", "DIED")
    assert (done["state"], done["attempt"]) == ("SUCCEEDED", 1), done


def test_an_interrupted_run_that_may_not_run_again_ends_died_saying_so(stack, tmp_path):
    ref = submit(stack, "OnceGatedJob", gate=str(tmp_path / "gate"))
    pids = pids_at_the_gate(stack, ref)
    try:
        for pid in (stack.worker.pid, pids["horse"], pids["step"]):
            os.kill(pid, signal.SIGTERM)
        assert stopped(stack.worker) == 0
        ended = until(stack, ref, "SUCCEEDED", "FAILED", "CANCELED", "DIED")
        assert (ended["state"], ended["message"], ended["attempt"]) == ("DIED", INTERRUPTED, 1), ended
    finally:
        kill_leftovers([pids["step"]])


def test_a_step_that_ignores_sigterm_is_killed_after_the_grace_and_queued_again(stack, tmp_path):
    gate = tmp_path / "gate"
    ref = submit(stack, "StubbornGatedJob", gate=str(gate))
    pids = pids_at_the_gate(stack, ref)
    try:
        stack.worker.send_signal(signal.SIGTERM)
        assert stopped(stack.worker) == 0
        requeued(stack, ref)
        assert all_gone([pids["step"]])
        runs_again_and_succeeds(stack, ref, gate)
    finally:
        kill_leftovers([pids["step"]])


def test_a_python_step_that_never_looks_is_interrupted_within_the_bound(stack):
    """BusyJob's step sleeps for a minute, deaf to cancels: the watcher ends the run."""
    ref = submit(stack, "BusyJob")
    until(stack, ref, "RUNNING")
    stack.worker.send_signal(signal.SIGTERM)
    assert stopped(stack.worker) == 0
    ended = until(stack, ref, "SUCCEEDED", "FAILED", "CANCELED", "DIED")
    assert (ended["state"], ended["message"]) == ("DIED", INTERRUPTED), ended


def test_a_run_whose_worker_was_killed_runs_again_when_its_job_has_retries_left(stack, tmp_path):
    gate = tmp_path / "gate"
    ref = submit(stack, "RetriedGatedJob", gate=str(gate))
    pids = pids_at_the_gate(stack, ref)
    try:
        stack.worker.kill()
        stack.worker.wait()
        assert all_gone([pids["step"]])                       # its orphaned horse took its step down
        seen = len(log_of(stack, ref))
        stack.add_worker()                                    # sweeps the dead run, then runs it again
        pids_at_the_gate(stack, ref, after=seen, timeout=60)
        again = until(stack, ref, "RUNNING")
        assert again["attempt"] == 2 and "worker stopped heartbeating" in log_of(stack, ref), again
        gate.touch()
        done = until(stack, ref, "SUCCEEDED", "FAILED", "CANCELED", "DIED")
        assert (done["state"], done["attempt"]) == ("SUCCEEDED", 2), done
    finally:
        kill_leftovers([pids["step"]])
