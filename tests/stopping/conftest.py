"""What the tests of stopping workers share: jobs whose shell step waits at a gate file the
test opens, a stack of the test's own (Redis, worker, gateway) serving them, or `jobgate up`
on a Redis of the test's own, and looks at the run over the native API and at processes
through /proc."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from jobgate.testing import parts
from jobgate.tools import processes
from tests.conftest import ROOT
from tests.test_cli import free_port
from tests.test_steps import process_gone

#: the shutdown grace of this stack's workers, in seconds
GRACE = 2
#: the states a run ends in
ENDED = ("SUCCEEDED", "FAILED", "CANCELED", "DIED")
#: the step: says which horse runs it, and its own pid, then waits for the file $JOBGATE_PARAM_GATE
GATE = '''echo horse=$PPID step=$$; echo waiting at the gate
      while [ ! -e "$JOBGATE_PARAM_GATE" ]; do sleep 0.05; done
      echo passed the gate'''


def gated(job_id: str, *, restartable: bool = False, retries: int = 0, prelude: str = "") -> str:
    return f"""
[[job]]
id = "{job_id}"
restartable = {str(restartable).lower()}
retries = {retries}
  [[job.step]]
  id = "Gate"
  type = "shell"
    [job.step.params]
    argv = ["sh", "-c", '''{prelude}{GATE}''']
"""


CATALOG = "".join([
    gated("RestartableGatedJob", restartable=True),
    gated("RetriedGatedJob", retries=1),
    gated("OnceGatedJob"),
    gated("StubbornGatedJob", restartable=True, prelude="trap '' TERM; "),
    # starts a child that leaves the step's process group and session, and one that stays
    gated("EscapingJob", restartable=True, prelude="setsid sleep 300 & echo escaped=$!; sleep 300 & echo child=$!; "),
])


@pytest.fixture
def stack(gateway_env):
    """A Redis, one worker (shutdown grace GRACE) and a gateway of this test's own."""
    folder = Path(tempfile.mkdtemp(prefix="jg-stop-"))       # short: a unix socket's path is
    made = parts.Stack(folder, gateway_env, extra_catalog=CATALOG, cwd=ROOT, JOBGATE_SHUTDOWN_GRACE=str(GRACE))
    yield made
    made.close()
    shutil.rmtree(folder, ignore_errors=True)


def submit(stack: parts.Stack, job: str, **parameters) -> str:
    response = stack.http().post(f"{stack.url}/api/v1/executions", timeout=10,
                                 json={"definition": job, "parameters": parameters})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def shown(stack: parts.Stack, execution_id: str) -> dict:
    return stack.http().get(f"{stack.url}/api/v1/executions/{execution_id}", timeout=10).json()


def log_of(stack: parts.Stack, execution_id: str) -> str:
    return stack.http().get(f"{stack.url}/api/v1/executions/{execution_id}/log", timeout=10).text


def until(stack: parts.Stack, execution_id: str, *states: str, timeout: float = 30) -> dict:
    """The execution once it is in one of `states` (it as it stands after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        found = shown(stack, execution_id)
        if found["state"] in states or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def ended(stack, execution_id: str, timeout: float = 30) -> dict:
    return until(stack, execution_id, *ENDED, timeout=timeout)


@contextmanager
def at_the_gate(stack, job: str, gate: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """A run of `job` waiting at `gate`: its id and the pids it says; none of them outlives the test."""
    ref = submit(stack, job, gate=str(gate))
    pids = pids_at_the_gate(stack, ref)
    try:
        yield ref, pids
    finally:
        kill_leftovers(pids.values())


def pids_at_the_gate(stack: parts.Stack, execution_id: str, after: int = 0, timeout: float = 30) -> dict[str, int]:
    """The pids the step says (horse, step, child, escaped) once it waits at its gate: those its
    latest attempt said, past the first `after` characters of the log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_of(stack, execution_id)[after:]
        if "waiting at the gate" in text:
            return {name: int(pid) for name, pid in re.findall(r"\b(horse|step|child|escaped)=(\d+)", text)}
        time.sleep(0.1)
    raise AssertionError(f"{execution_id} never reached its gate: {log_of(stack, execution_id)}")


def all_gone(pids, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not all(process_gone(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def kill_leftovers(pids) -> None:
    """After a failed test: no sleep of its own stays behind."""
    for pid in pids:
        if not process_gone(pid):
            os.kill(pid, signal.SIGKILL)


class Up:
    """`jobgate up` running as a subprocess, its gateway at `url`."""

    def __init__(self, process: subprocess.Popen, url: str, stack: parts.Stack):
        self.process, self.url, self.stack = process, url, stack

    def http(self, who: str = "alice"):
        return self.stack.http(who)

    def workers(self) -> list[int]:
        """The pids of its workers: its children running `jobgate worker`."""
        found = []
        for pid in processes.descendants(self.process.pid):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    argv = cmdline.read().split(b"\0")
                with open(f"/proc/{pid}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError):
                continue
            if parent == self.process.pid and b"worker" in argv:
                found.append(pid)
        return found


@pytest.fixture
def jobgate_up(gateway_env):
    """`jobgate up --workers 2` (shutdown grace GRACE) on a Redis of the test's own (REDIS_URL),
    serving the suite's jobs and these, once both workers run."""
    folder = Path(tempfile.mkdtemp(prefix="jg-up-"))
    own = parts.Stack(folder, gateway_env, extra_catalog=CATALOG, workers=0, cwd=ROOT,
                      JOBGATE_SHUTDOWN_GRACE=str(GRACE))
    port = free_port()
    with open(folder / "up.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "jobgate", "up", "--port", str(port), "--workers", "2"],
                                   cwd=folder, env=own.env, stdout=log, stderr=log)
    up = Up(process, f"http://127.0.0.1:{port}", own)
    deadline = time.monotonic() + 60
    while len(up.workers()) < 2 or not ready(up.url):
        assert time.monotonic() < deadline and process.poll() is None, (folder / "up.log").read_text()
        time.sleep(0.2)
    yield up
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    own.close()
    shutil.rmtree(folder, ignore_errors=True)


def ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False
