"""Workers outlive Redis (issue 12, point 1): a 20 s outage, the one measured to end a run DIED
or FAILED, ends no worker; the run in progress finishes its step meanwhile and records its end
when Redis is back; what was queued then drains, with nothing restarted. A horse lost during an
outage leaves a run that is retried when its job allows."""
import os
import signal
import time

from tests.stopping.conftest import all_gone, at_the_gate, ended, log_of, shown, submit
from tests.test_steps import process_gone, wait_for

OUTAGE = 20.0


def test_a_busy_worker_outlives_a_long_outage_and_then_drains_its_queue(stack, tmp_path):
    with at_the_gate(stack, "RestartableGatedJob", tmp_path / "gate") as (running, pids):
        queued = [submit(stack, "QuickJob") for _ in range(3)]      # one worker: these wait behind it
        worker = stack.worker.pid
        stack.server.stop()
        (tmp_path / "gate").touch()                            # the step ends while Redis is away
        assert all_gone([pids["step"]])
        time.sleep(OUTAGE)
        assert stack.worker.poll() is None
        stack.server.start()
        for ref in (running, *queued):
            done = ended(stack, ref, timeout=60)
            assert (done["state"], done["attempt"]) == ("SUCCEEDED", 1), (done["message"], log_of(stack, ref))
        assert stack.worker.poll() is None and stack.worker.pid == worker


def test_a_horse_lost_during_an_outage_leaves_a_run_retried_when_its_job_allows(stack, tmp_path):
    with at_the_gate(stack, "RetriedGatedJob", tmp_path / "gate") as (ref, pids):
        stack.server.stop()
        os.kill(pids["horse"], signal.SIGKILL)
        assert all_gone([pids["horse"], pids["step"]])         # its step went with it, Redis or not
        stack.server.start()
        assert wait_for(lambda: shown(stack, ref)["attempt"] == 2, timeout=60), shown(stack, ref)
        assert "work horse ended" in shown(stack, ref)["message"]          # it says why
        (tmp_path / "gate").touch()
        done = ended(stack, ref, timeout=60)
        assert (done["state"], done["attempt"]) == ("SUCCEEDED", 2), done
        assert not process_gone(stack.worker.pid)
