"""/readyz counts the workers alive now: a SIGKILLed one stops counting within the stale window
(while RQ's registry still lists it), none is a 503 saying why, and JOBGATE_READY_WORKERS=0
serves a gateway that runs without workers."""
from __future__ import annotations

import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest
import requests
from rq import Worker

from jobgate.settings import Settings
from jobgate.store.connection import connect
from jobgate.testing import parts
from tests.conftest import ROOT

#: the stack's stale window (s); its workers beat every HEARTBEAT seconds
STALE = 3
HEARTBEAT = 0.5


@pytest.fixture
def stack(gateway_env):
    """A Redis, one worker and a gateway of this test's own: the suite's workers do not count."""
    folder = Path(tempfile.mkdtemp(prefix="jg-ready-"))       # short: a unix socket's path is
    made = parts.Stack(folder, gateway_env, cwd=ROOT, JOBGATE_STALE_AFTER=str(STALE),
                       JOBGATE_HEARTBEAT_INTERVAL=str(HEARTBEAT))
    yield made
    made.close()
    shutil.rmtree(folder, ignore_errors=True)


def readyz(url: str) -> requests.Response:
    return requests.get(f"{url}/readyz", timeout=5)


def test_a_killed_worker_stops_counting_within_the_stale_window(stack):
    answer = readyz(stack.url)
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "redis": "ok", "workers": 1}
    time.sleep(STALE + 1)         # idle, RQ beats no more: its own beats keep it counted
    assert readyz(stack.url).json()["workers"] == 1

    stack.worker.send_signal(signal.SIGKILL)
    stack.worker.wait(10)
    killed = time.monotonic()
    while readyz(stack.url).status_code == 200 and time.monotonic() - killed < STALE + 2:
        time.sleep(0.2)
    answer = readyz(stack.url)
    assert time.monotonic() - killed < STALE + 2, "still counted after the stale window"
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable" and body["workers"] == 0 and body["needed"] == 1
    assert "0 live worker(s), 1 needed" in body["reason"]
    # what readyz counted before: RQ still lists the dead worker, for minutes
    assert Worker.count(connection=connect(stack.env["REDIS_URL"])) == 1
    assert requests.get(f"{stack.url}/healthz", timeout=5).json() == {"status": "ok"}


def test_a_gateway_may_be_ready_without_workers(stack):
    parts.processes.stop(stack.worker)
    alone = parts.Gateway(Settings.from_env({**stack.env, "JOBGATE_READY_WORKERS": "0"}))
    try:
        answer = readyz(alone.url)
        assert answer.status_code == 200 and answer.json() == {"status": "ok", "redis": "ok", "workers": 0}
    finally:
        alone.close()
