"""One worker's warm work horse (workers.horse): job after job on the same horse, a fresh one after a
crash, a leak or a forced cancel, and every step type still stopped by cancel on a horse that has
run jobs before. Each job says which horse ran it: its shell step's parent."""
from __future__ import annotations

import re
import shutil
import signal
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from jobgate.testing import parts
from tests.conftest import ROOT
from tests.stopping.conftest import all_gone, ended, kill_leftovers, log_of, shown, submit, until

#: the suite's kill grace (1 s), the watcher's slack (2 s) and poll, and a margin for a loaded machine
STOPPED_WITHIN = 8.0


def python_job(job_id: str, callable_: str, retries: int = 0) -> str:
    return f"""
[[job]]
id = "{job_id}"
retries = {retries}
  [[job.step]]
  id = "Run"
  type = "python"
  params = {{ callable = "{callable_}" }}
"""


def catalog(slow_url: str) -> str:
    return "".join([
        '[[job]]\nid = "WhichHorse"\n[[job.step]]\nid = "Say"\ntype = "shell"\n'
        'params = { argv = ["sh", "-c", "echo horse=$PPID"] }\n',
        '[[job]]\nid = "WarmNoop"\n[[job.step]]\nid = "Nothing"\ntype = "sleep"\nparams = { seconds = 0 }\n',
        '[[job]]\nid = "LongShell"\n[[job.step]]\nid = "Wait"\ntype = "shell"\n'
        'params = { argv = ["sh", "-c", "sleep 60"] }\n',
        '[[job]]\nid = "LongSleep"\n[[job.step]]\nid = "Wait"\ntype = "sleep"\nparams = { seconds = 60 }\n',
        python_job("LongPython", "tests.jobs:busy"),
        f'[[job]]\nid = "LongHttp"\n[[job.step]]\nid = "Ask"\ntype = "http"\n'
        f'params = {{ url = "{slow_url}", timeout = 60 }}\n',
        python_job("Crash", "tests.jobs:crash"),
        python_job("CrashOnce", "tests.jobs:crash", retries=1),
        python_job("Leak", "tests.jobs:leak"),
    ])


class Slow(BaseHTTPRequestHandler):
    """Answers after a minute (or when the server closes): an http step a cancel must stop."""

    def do_POST(self):
        self.server.closing.wait(60)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def stack(gateway_env):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.closing, server.daemon_threads = threading.Event(), True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = Path(tempfile.mkdtemp(prefix="jg-warm-"))
    made = parts.Stack(folder, gateway_env, cwd=ROOT,
                       extra_catalog=catalog(f"http://127.0.0.1:{server.server_address[1]}/slow"))
    yield made
    made.close()
    server.closing.set()
    server.shutdown()
    server.server_close()
    shutil.rmtree(folder, ignore_errors=True)


def horse_of(stack, execution_id: str) -> int:
    """The pid of the horse that ran a WhichHorse run, once it succeeded."""
    assert ended(stack, execution_id)["state"] == "SUCCEEDED", shown(stack, execution_id)
    return int(re.search(r"horse=(\d+)", log_of(stack, execution_id)).group(1))


def test_many_jobs_in_a_row_all_succeed_on_one_warm_horse(stack):
    horse = horse_of(stack, submit(stack, "WhichHorse"))
    refs = [submit(stack, "WarmNoop") for _ in range(100)]
    asked = [submit(stack, "WhichHorse") for _ in range(3)]
    states = [ended(stack, ref)["state"] for ref in refs]
    assert states.count("SUCCEEDED") == 100, states
    assert [horse_of(stack, ref) for ref in asked] == [horse] * 3      # no fork per job


@pytest.mark.parametrize("how", ["exit", "segfault"])
def test_a_crash_of_a_warm_horse_does_not_lose_the_next_job(stack, how):
    horse = horse_of(stack, submit(stack, "WhichHorse"))
    crashed, after = submit(stack, "Crash", how=how), submit(stack, "WhichHorse")     # queued behind it
    run = ended(stack, crashed)
    assert run["state"] == "DIED" and "Work-horse terminated unexpectedly" in run["message"], run
    assert horse_of(stack, after) != horse          # the next job ran, on a fresh horse


def test_a_memory_error_fails_its_run_and_the_horse_runs_on(stack):
    horse = horse_of(stack, submit(stack, "WhichHorse"))
    run = ended(stack, submit(stack, "Crash", how="memory"))
    assert run["state"] == "FAILED" and "MemoryError" in run["message"], run
    assert horse_of(stack, submit(stack, "WhichHorse")) == horse


def test_a_run_whose_horse_crashed_is_retried_when_its_job_allows(stack):
    ref = submit(stack, "CrashOnce", how="segfault", upto=1, seconds=2)
    deadline = time.monotonic() + 30
    while shown(stack, ref)["attempt"] < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    again = shown(stack, ref)         # its second attempt says why it is one
    assert again["state"] in ("QUEUED", "RUNNING"), again
    assert "signal 11" in again["message"] and "queued again as attempt 2" in again["message"], again
    run = ended(stack, ref)
    assert (run["state"], run["attempt"]) == ("SUCCEEDED", 2), run


def test_a_leaking_step_gets_its_horse_replaced(stack):
    horse = horse_of(stack, submit(stack, "WhichHorse"))
    assert ended(stack, submit(stack, "Leak", megabytes=300))["state"] == "SUCCEEDED"
    assert horse_of(stack, submit(stack, "WhichHorse")) != horse


@pytest.mark.parametrize("job, same_horse", [("LongShell", True), ("LongSleep", True),
                                             ("LongPython", False), ("LongHttp", False)])
def test_cancel_stops_every_step_type_on_a_warm_horse(stack, job, same_horse):
    """Steps that stop when asked leave the horse warm; one that cannot be asked (a python call, an
    HTTP request) has its horse killed after the kill grace, and the next job gets a fresh one."""
    horse = horse_of(stack, submit(stack, "WhichHorse"))
    ref = submit(stack, job)
    assert until(stack, ref, "RUNNING")["state"] == "RUNNING"
    time.sleep(0.5)                       # into its step
    asked = time.monotonic()
    response = stack.http().post(f"{stack.url}/api/v1/executions/{ref}/cancel", timeout=10)
    assert response.status_code == 200, response.text
    run = until(stack, ref, "CANCELED", "FAILED", "DIED", "SUCCEEDED", timeout=STOPPED_WITHIN)
    assert run["state"] == "CANCELED" and time.monotonic() - asked <= STOPPED_WITHIN, run
    assert (horse_of(stack, submit(stack, "WhichHorse")) == horse) is same_horse


def test_an_idle_horse_ends_with_its_killed_worker(gateway_env):
    folder = Path(tempfile.mkdtemp(prefix="jg-warm-"))
    own = parts.Stack(folder, gateway_env, cwd=ROOT, extra_catalog=catalog("http://127.0.0.1:9/"))
    horse = None
    try:
        horse = horse_of(own, submit(own, "WhichHorse"))
        own.worker.send_signal(signal.SIGKILL)
        own.worker.wait(10)
        assert all_gone([horse]), f"horse {horse} outlived its worker"     # it read the end of its pipe
    finally:
        kill_leftovers([horse] if horse else [])
        own.close()
        shutil.rmtree(folder, ignore_errors=True)
