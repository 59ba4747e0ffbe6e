"""`jobgate up` supervises its workers and stops cleanly (issue 12, points 1 and 2): a worker that
dies is started again; Ctrl-C or SIGTERM stops the workers first, their run queued again, and
leaves no process of any step behind, escaped from its process group or not."""
import os
import signal
import subprocess

import pytest

from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.tools.supervise import Supervisor
from tests.stopping.conftest import all_gone, at_the_gate, ended, submit
from tests.test_steps import process_gone, wait_for
from workers.shutdown import INTERRUPTED


def test_up_starts_a_worker_again_when_one_dies(jobgate_up):
    before = jobgate_up.workers()
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_for(lambda: len(jobgate_up.workers()) == 2 and victim not in jobgate_up.workers(), timeout=30), \
        jobgate_up.workers()
    assert before[1] in jobgate_up.workers()                 # the other one was left alone
    done = ended(jobgate_up, submit(jobgate_up, "QuickJob"))
    assert done["state"] == "SUCCEEDED", done
    assert jobgate_up.process.poll() is None


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_up_leaves_no_step_process_and_loses_no_run(jobgate_up, tmp_path, stop):
    with at_the_gate(jobgate_up, "EscapingJob", tmp_path / "gate") as (ref, pids):
        assert not process_gone(pids["escaped"])
        jobgate_up.process.send_signal(stop)
        assert jobgate_up.process.wait(60) == 0
        assert all_gone(pids.values(), timeout=0.5)           # gone by the time `up` is
        service = Service.from_settings(Settings.from_env(jobgate_up.stack.env))
        after = service.store.get(ref)
        assert (after.state.value, after.attempt) == ("QUEUED", 2) and after.message.startswith(INTERRUPTED)


def test_a_supervised_process_that_exits_is_started_again_and_stop_ends_them_all():
    pool = Supervisor(["sleep", "300"], 2, name="sleeper", stderr=subprocess.DEVNULL)
    pool.start()
    try:
        first, second = pool.children
        first.kill()
        assert wait_for(lambda: (pool.tend(), pool.children[0] not in (None, first))[1], timeout=10)
        assert pool.children[1] is second and len(pool.running) == 2
        pool.stop(grace=5)
        assert pool.running == [] and first.poll() is not None
    finally:
        for child in pool.children:
            if child is not None and child.poll() is None:
                child.kill()
