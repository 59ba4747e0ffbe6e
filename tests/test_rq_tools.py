"""RQ's own tools tell jobgate's story: `rq worker` runs executions, and `rq info` and RQ's
registries count them as jobgate counts them by state (issue 13, point 1).

Each test runs RQ's own `rq worker` command on a queue of its own, against the suite's Redis,
submits through the native API over HTTP, and compares the real `rq info` output (and RQ's
canceled registry, which `rq info` does not show) with jobgate's states."""
from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from rq import Queue, Worker
from rq.job import Job, JobStatus
from rq.registry import CanceledJobRegistry

from jobgate.store import keys
from jobgate.store.connection import connect
from jobgate.tools import processes
from tests.conftest import ROOT

ALICE = {"Authorization": "Bearer tok-alice"}
ENDED = ("SUCCEEDED", "FAILED", "CANCELED", "DIED")
RQ = [str(Path(sys.executable).with_name("rq"))]       # RQ's own command, of this Python


def api(base_url, method, path, **kwargs):
    response = requests.request(method, f"{base_url}/api/v1{path}", headers=ALICE, timeout=10, **kwargs)
    assert response.status_code < 300, response.text
    return response.json()


def define(base_url, queue: str, *steps: dict, **fields) -> str:
    name = f"Rq{uuid.uuid4().hex[:10]}"
    api(base_url, "POST", "/definitions", json={"id": name, "queue": queue, "steps": list(steps), **fields})
    return name


def submit(base_url, definition: str, **body) -> str:
    return api(base_url, "POST", "/executions", json={"definition": definition, **body})["id"]


def wait(base_url, ref: str, states=ENDED, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = api(base_url, "GET", f"/executions/{ref}")
        if body["state"] in states or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def rq_info(redis_url: str, queue: str, env: dict) -> dict[str, int]:
    """`rq info --raw` for one queue: its queued, executing, finished and failed counts."""
    shown = subprocess.run([*RQ, "info", "--raw", "--only-queues", "-u", redis_url, queue], env=env,
                           capture_output=True, text=True, timeout=30, check=True).stdout
    found = re.search(rf"^queue {re.escape(queue)} (\d+), (\d+) executing, (\d+) finished, (\d+) failed$",
                      shown, re.MULTILINE)
    assert found, shown
    return dict(zip(("queued", "executing", "finished", "failed"), map(int, found.groups()), strict=True))


def jobgate_counts(base_url, refs: list[str]) -> dict[str, int]:
    """jobgate's states of `refs`, in `rq info`'s terms (and RQ's canceled registry's)."""
    states = Counter(api(base_url, "GET", f"/executions/{ref}")["state"] for ref in refs)
    return {"queued": states["QUEUED"] + states["CREATED"], "executing": states["RUNNING"],
            "finished": states["SUCCEEDED"], "failed": states["FAILED"] + states["DIED"],
            "canceled": states["CANCELED"]}


def rq_counts(redis_url: str, queue: str, env: dict) -> dict[str, int]:
    return {**rq_info(redis_url, queue, env),
            "canceled": CanceledJobRegistry(queue, connection=connect(redis_url)).count}


def start_rq_worker(env: dict, queue: str, log: Path, *options: str) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([*RQ, "worker", "-u", env["REDIS_URL"], *options, queue], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture
def queue() -> str:
    return f"rqtools-{uuid.uuid4().hex[:8]}"


def test_a_plain_rq_worker_files_failures_as_failed_and_rq_info_counts_as_jobgate_does(
        base_url, gateway_env, redis_url, queue, tmp_path):
    ok = define(base_url, queue, {"id": "Nap", "type": "sleep", "params": {"seconds": 0}})
    failing = define(base_url, queue, {"id": "Validate", "type": "python",
                                       "params": {"callable": "jobgate.testing.jobs:explode"}})
    refs = [submit(base_url, ok), submit(base_url, failing), submit(base_url, failing), submit(base_url, ok)]
    canceled = refs[3]
    api(base_url, "POST", f"/executions/{canceled}/cancel")          # while queued: no worker on its queue yet

    log = tmp_path / "rq-worker.log"
    worker = start_rq_worker(gateway_env, queue, log, "--burst")
    try:
        assert worker.wait(timeout=60) == 0, log.read_text()
    finally:
        processes.stop(worker)

    ended = {ref: wait(base_url, ref) for ref in refs}
    assert [ended[ref]["state"] for ref in refs] == ["SUCCEEDED", "FAILED", "FAILED", "CANCELED"]
    assert rq_counts(redis_url, queue, gateway_env) == jobgate_counts(base_url, refs) == {
        "queued": 0, "executing": 0, "finished": 1, "failed": 2, "canceled": 1}

    client = connect(redis_url)
    failed = Job.fetch(refs[1], connection=client)
    assert failed.get_status() is JobStatus.FAILED
    assert ended[refs[1]]["message"] in failed.latest_result().exc_string    # at the end of the traceback
    assert failed.description == f"{failing} for acme via native (execution {refs[1]})"
    assert Job.fetch(canceled, connection=client).get_status() is JobStatus.CANCELED
    shown = log.read_text()
    assert f"Successfully completed {ok} for acme via native (execution {refs[0]})" in shown
    assert f"Successfully completed {failing}" not in shown


def test_rq_worker_with_jobgates_worker_class_mirrors_cancels_of_running_runs_and_does_its_upkeep(
        base_url, gateway_env, redis_url, queue, tmp_path):
    slow = define(base_url, queue, {"id": "Nap", "type": "sleep", "params": {"seconds": 60}})
    failing = define(base_url, queue, {"id": "Validate", "type": "python",
                                       "params": {"callable": "jobgate.testing.jobs:explode"}})
    quick = define(base_url, queue, {"id": "Nap", "type": "sleep", "params": {"seconds": 0}})
    # a step that never looks at a cancel or its deadline: its watcher ends the run and RQ's stop-job kills the horse
    deaf = {"id": "Busy", "type": "python", "params": {"callable": "tests.jobs:busy"}}
    stubborn, overrun = define(base_url, queue, deaf), define(base_url, queue, deaf, timeout=1)
    log = tmp_path / "rq-worker.log"
    worker = start_rq_worker(gateway_env, queue, log, "-w", "workers.worker.JobgateWorker")
    try:
        running, forced = submit(base_url, slow), submit(base_url, stubborn)
        for ref in (running, forced):          # one after the other: the worker runs one at a time
            assert wait(base_url, ref, ("RUNNING", *ENDED))["state"] == "RUNNING", log.read_text()
            api(base_url, "POST", f"/executions/{ref}/cancel")
        failed, timed_out = submit(base_url, failing), submit(base_url, overrun)
        # a delayed start, which the worker's own maintenance (not RQ's --with-scheduler) releases
        later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat(timespec="milliseconds")
        delayed = submit(base_url, quick, start_at=later.replace("+00:00", "Z"))
        refs = [running, forced, failed, timed_out, delayed]
        assert [wait(base_url, ref)["state"] for ref in refs] == [
            "CANCELED", "CANCELED", "FAILED", "FAILED", "SUCCEEDED"], log.read_text()

        client = connect(redis_url)
        deadline = time.monotonic() + 10          # a horse files its job just after its run has ended
        while time.monotonic() < deadline and Job.fetch(refs[-1], connection=client).get_status() is not (
                JobStatus.FINISHED):
            time.sleep(0.1)
        assert rq_counts(redis_url, queue, gateway_env) == jobgate_counts(base_url, refs) == {
            "queued": 0, "executing": 0, "finished": 1, "failed": 2, "canceled": 2}, log.read_text()
        assert [Job.fetch(ref, connection=client).get_status() for ref in refs] == [
            JobStatus.CANCELED, JobStatus.CANCELED, JobStatus.FAILED, JobStatus.FAILED, JobStatus.FINISHED]
        for ref, definition in ((failed, failing), (timed_out, overrun)):
            message = api(base_url, "GET", f"/executions/{ref}")["message"]
            assert Job.fetch(ref, connection=client).latest_result().exc_string == f"{definition} FAILED: {message}"
        (ours,) = Worker.all(queue=Queue(queue, connection=client))
        assert client.zscore(keys.WORKER_BEATS, ours.key) is not None       # counted live as jobgate's workers are
    finally:
        processes.stop(worker)
