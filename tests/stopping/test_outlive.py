"""Workers outlive Redis (issue 12, point 1): a 20 s outage, the one measured to end a run DIED
or FAILED, ends no worker; the run in progress finishes its step meanwhile and records its end
when Redis is back; what was queued then drains, with nothing restarted. A horse lost during an
outage leaves a run that is retried when its job allows."""
import os
import signal
import time

from tests.stopping.conftest import all_gone, kill_leftovers, log_of, pids_at_the_gate, shown, submit, until
from tests.test_steps import process_gone, wait_for

OUTAGE = 20.0
ENDED = ("SUCCEEDED", "FAILED", "CANCELED", "DIED")


def test_a_busy_worker_outlives_a_long_outage_and_then_drains_its_queue(stack, tmp_path):
    gate = tmp_path / "gate"
    running = submit(stack, "RestartableGatedJob", gate=str(gate))
    pids = pids_at_the_gate(stack, running)
    queued = [submit(stack, "QuickJob") for _ in range(3)]      # one worker: these wait behind it
    worker = stack.worker.pid
    try:
        stack.server.stop()
        gate.touch()                                           # the step ends while Redis is away
        assert all_gone([pids["step"]])
        time.sleep(OUTAGE)
        assert stack.worker.poll() is None
        stack.server.start()
        for ref in (running, *queued):
            done = until(stack, ref, *ENDED, timeout=60)
            assert (done["state"], done["attempt"]) == ("SUCCEEDED", 1), (done["message"], log_of(stack, ref))
        assert stack.worker.poll() is None and stack.worker.pid == worker
    finally:
        kill_leftovers([pids["step"]])


def test_a_horse_lost_during_an_outage_leaves_a_run_retried_when_its_job_allows(stack, tmp_path):
    gate = tmp_path / "gate"
    ref = submit(stack, "RetriedGatedJob", gate=str(gate))
    pids = pids_at_the_gate(stack, ref)
    try:
        stack.server.stop()
        os.kill(pids["horse"], signal.SIGKILL)
        assert all_gone([pids["horse"], pids["step"]])         # its step went with it
        stack.server.start()
        assert wait_for(lambda: shown(stack, ref)["attempt"] == 2, timeout=60), shown(stack, ref)
        assert "work horse ended" in shown(stack, ref)["message"]          # it says why
        gate.touch()
        done = until(stack, ref, *ENDED, timeout=60)
        assert (done["state"], done["attempt"]) == ("SUCCEEDED", 2), done
        assert not process_gone(stack.worker.pid)
    finally:
        kill_leftovers([pids["step"]])
