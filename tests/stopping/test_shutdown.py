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

from tests.stopping.conftest import ENDED, GRACE, all_gone, at_the_gate, ended, log_of, pids_at_the_gate, submit, until
from workers.shutdown import INTERRUPTED

#: how long a stopping worker may take at most: the grace, the kill grace (1 s in the suite),
#: the watcher's slack and the horse's bookkeeping (2 s each), and a margin for a loaded machine
STOPS_WITHIN = GRACE + 1 + 2 + 2 + 10


def stopped(worker) -> int:
    return worker.wait(STOPS_WITHIN)


def heroku_stop(stack, pids) -> None:
    """What Heroku does: SIGTERM to every process of the dyno at once (here worker, horse, step)."""
    for pid in (stack.worker.pid, pids["horse"], pids["step"]):
        os.kill(pid, signal.SIGTERM)
    assert stopped(stack.worker) == 0


def requeued(stack, execution_id) -> dict:
    found = until(stack, execution_id, "QUEUED", *ENDED)
    assert found["state"] == "QUEUED" and found["attempt"] == 2, found
    assert found["message"].startswith(INTERRUPTED), found
    return found


def runs_again_and_succeeds(stack, execution_id, gate) -> None:
    """A new worker takes the run queued again; it passes its gate this time."""
    seen = len(log_of(stack, execution_id))
    stack.add_worker()
    pids_at_the_gate(stack, execution_id, after=seen, timeout=60)     # the second attempt is at its gate
    gate.touch()
    done = ended(stack, execution_id)
    assert (done["state"], done["attempt"]) == ("SUCCEEDED", 2), done


def test_sigterm_to_a_busy_worker_gives_its_run_the_grace_then_queues_it_again(stack, tmp_path):
    with at_the_gate(stack, "RestartableGatedJob", tmp_path / "gate") as (ref, pids):
        asked = time.monotonic()
        stack.worker.send_signal(signal.SIGTERM)
        assert stopped(stack.worker) == 0
        assert time.monotonic() - asked >= GRACE              # the run had its grace
        requeued(stack, ref)
        assert all_gone([pids["step"]])
        assert INTERRUPTED in log_of(stack, ref)
        queued = Queue("default", connection=redis.Redis.from_url(stack.env["REDIS_URL"]))
        assert ref in queued.get_job_ids()                    # RQ tells the same story
        runs_again_and_succeeds(stack, ref, tmp_path / "gate")


def test_sigterm_to_worker_horse_and_step_at_once_queues_the_run_again_not_failed(stack, tmp_path):
    """The step dies of its SIGTERM at once, well within the grace."""
    with at_the_gate(stack, "RestartableGatedJob", tmp_path / "gate") as (ref, pids):
        heroku_stop(stack, pids)
        assert requeued(stack, ref)["steps"][0]["state"] == "CREATED"      # the next attempt starts afresh
        runs_again_and_succeeds(stack, ref, tmp_path / "gate")


def test_a_run_that_ends_within_the_grace_succeeds_and_the_worker_then_stops(stack, tmp_path):
    with at_the_gate(stack, "RestartableGatedJob", tmp_path / "gate") as (ref, _):
        stack.worker.send_signal(signal.SIGTERM)
        (tmp_path / "gate").touch()
        assert stopped(stack.worker) == 0
        done = ended(stack, ref)
        assert (done["state"], done["attempt"]) == ("SUCCEEDED", 1), done


def test_an_interrupted_run_that_may_not_run_again_ends_died_saying_so(stack, tmp_path):
    with at_the_gate(stack, "OnceGatedJob", tmp_path / "gate") as (ref, pids):
        heroku_stop(stack, pids)
        done = ended(stack, ref)
        assert (done["state"], done["message"], done["attempt"]) == ("DIED", INTERRUPTED, 1), done


def test_a_step_that_ignores_sigterm_is_killed_after_the_grace_and_queued_again(stack, tmp_path):
    with at_the_gate(stack, "StubbornGatedJob", tmp_path / "gate") as (ref, pids):
        stack.worker.send_signal(signal.SIGTERM)
        assert stopped(stack.worker) == 0
        requeued(stack, ref)
        assert all_gone([pids["step"]])
        runs_again_and_succeeds(stack, ref, tmp_path / "gate")


def test_a_python_step_that_never_looks_is_interrupted_within_the_bound(stack):
    """BusyJob's step sleeps for a minute, deaf to cancels: the watcher ends the run."""
    ref = submit(stack, "BusyJob")
    until(stack, ref, "RUNNING")
    stack.worker.send_signal(signal.SIGTERM)
    assert stopped(stack.worker) == 0
    done = ended(stack, ref)
    assert (done["state"], done["message"]) == ("DIED", INTERRUPTED), done


def test_a_run_whose_worker_was_killed_runs_again_when_its_job_has_retries_left(stack, tmp_path):
    with at_the_gate(stack, "RetriedGatedJob", tmp_path / "gate") as (ref, pids):
        stack.worker.kill()
        stack.worker.wait()
        assert all_gone([pids["step"]])                       # its orphaned horse took its step down
        runs_again_and_succeeds(stack, ref, tmp_path / "gate")   # the new worker sweeps it first
        assert "worker stopped heartbeating" in log_of(stack, ref)
