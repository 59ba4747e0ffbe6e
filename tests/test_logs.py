"""Logs (jobgate.tools.logs): with JOBGATE_LOG_FORMAT=json the gateway under gunicorn and a
worker write one JSON object a line, gunicorn's and RQ's lines included, carrying the
request id (a client's sane X-Request-Id kept), dialect, tenant and execution id; text
stays the default."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import pytest
import requests

from jobgate.testing import parts
from jobgate.tools import processes

ENDED = ("SUCCEEDED", "FAILED", "CANCELED", "DIED")


def lines(path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip()]


def records(path) -> list[dict]:
    return [json.loads(line) for line in lines(path)]


@pytest.fixture(scope="module")
def logged(gateway_env, pytestconfig, tmp_path_factory):
    """A gateway (gunicorn) and a worker of their own logging JSON, one job run through them
    over the native API: the client's X-Request-Id, the response, and both log files."""
    folder = tmp_path_factory.mktemp("logs")
    queue = f"logs-{uuid.uuid4().hex[:8]}"             # only this worker serves it
    env = {**gateway_env, "JOBGATE_LOG_FORMAT": "json"}
    gateway = parts.ServedGateway(env, pytestconfig.rootpath, workers=1, log=folder / "gateway.log")
    worker = parts.start_worker({**env, "JOBGATE_QUEUES": queue}, pytestconfig.rootpath, log=folder / "worker.log")
    request_id = f"client-{uuid.uuid4()}"
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {parts.TOKENS['alice']}"
    try:
        gateway.start()
        api = f"{gateway.url}/api/v1"
        definition = f"Logged{uuid.uuid4().hex[:8]}"
        created = http.post(f"{api}/definitions", json={"id": definition, "queue": queue,
                                                        "steps": [{"type": "sleep", "params": {"seconds": 0}}]})
        assert created.status_code == 201, created.text
        submitted = http.post(f"{api}/executions", json={"definition": definition},
                              headers={"X-Request-Id": request_id})
        assert submitted.status_code == 201, submitted.text
        execution = submitted.json()
        deadline = time.monotonic() + 20
        while execution["state"] not in ENDED and time.monotonic() < deadline:
            time.sleep(0.1)
            execution = http.get(f"{api}/executions/{execution['id']}").json()
        insane = http.get(f"{api}/executions/{execution['id']}", headers={"X-Request-Id": "two words"})
    finally:
        gateway.stop()
        processes.stop(worker)
    return {"request_id": request_id, "submitted": submitted, "execution": execution, "insane": insane,
            "gateway": folder / "gateway.log", "worker": folder / "worker.log"}


def test_every_gateway_line_is_json_and_the_access_and_app_lines_name_the_request(logged):
    found = records(logged["gateway"])
    assert logged["submitted"].headers["X-Request-Id"] == logged["request_id"]
    ours = [r for r in found if r.get("request_id") == logged["request_id"]]
    (access,) = [r for r in ours if r["logger"] == "gunicorn.access"]
    assert "POST /api/v1/executions" in access["message"] and access["level"] == "INFO" and access["time"]
    (submitted,) = [r for r in ours if r["logger"] == "jobgate.service"]
    for line in (access, submitted):
        assert (line["dialect"], line["tenant"]) == ("native", "acme"), line
    assert submitted["execution_id"] == logged["submitted"].json()["id"]
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["message"] for r in found)


def test_an_insane_request_id_is_replaced_by_a_new_one(logged):
    given = logged["insane"].headers["X-Request-Id"]
    assert logged["insane"].status_code == 200 and given and given != "two words"
    (access,) = [r for r in records(logged["gateway"]) if r.get("request_id") == given]
    assert access["logger"] == "gunicorn.access" and access["tenant"] == "acme"


def test_every_worker_line_is_json_and_rqs_lines_about_the_job_name_its_execution(logged):
    execution = logged["execution"]
    assert execution["state"] == "SUCCEEDED", execution
    found = records(logged["worker"])
    about = [r for r in found if r.get("execution_id") == execution["id"]]
    completed = [r for r in about if r["logger"] == "rq.worker" and "Successfully completed" in r["message"]]
    assert completed and completed[0]["tenant"] == "acme", about
    assert any(r["logger"] == "rq.worker" and "started with PID" in r["message"] for r in found)


def test_text_stays_the_default(gateway_env, pytestconfig):
    queue = f"logs-empty-{uuid.uuid4().hex[:8]}"
    done = subprocess.run([sys.executable, "-m", "jobgate", "worker", "--burst"], cwd=pytestconfig.rootpath,
                          env={**gateway_env, "JOBGATE_QUEUES": queue}, capture_output=True, text=True, timeout=60)
    started = next(line for line in done.stdout.splitlines() if "started with PID" in line)
    assert not started.startswith("{") and " rq.worker INFO Worker " in started, done.stdout + done.stderr
