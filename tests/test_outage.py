"""Redis goes away and comes back.

Meanwhile every route of every dialect answers 503 in its own fault format,
within 2 s, saying when to try again (Retry-After), never showing where Redis
is; a hung Redis (SIGSTOP) too. A run in
progress rides the outage out and ends as it really ended; a work horse lost
during it is recorded when Redis is back. The same gateway and worker go on,
without a restart. Each test has its own Redis, gateway and worker.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import redis as redis_lib
import requests
from redis.connection import AbstractConnection
from rq.registry import FailedJobRegistry

from jobgate.kit.blueprint import SERVICE
from jobgate.store.connection import GuardedPipeline, GuardedRedis, StoreUnavailable, connect, ping
from jobgate.testing import parts
from jobgate.tools import processes
from jobgate.tools.embedded import EmbeddedRedis, find_server_binary
from tests import sweep
from tests.conftest import ROOT
from tests.test_steps import process_gone, wait_for

#: the bound the issue sets on every answer while Redis is away
WITHIN = 2.0
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELED", "DIED"}
#: the session's catalog plus a shell step that waits for a gate file the test opens
CATALOG_EXTRA = """
[[job]]
id = "GatedJob"
description = "Waits for its gate file, says so, then leaves its done file"
  [[job.step]]
  id = "Gate"
  type = "shell"
    [job.step.params]
    argv = ["sh", "-c", '''echo horse=$PPID step=$$; echo waiting at the gate
      while [ ! -e "$JOBGATE_PARAM_GATE" ]; do sleep 0.05; done
      echo passed the gate; touch "$JOBGATE_PARAM_DONE"''']
"""
#: what a Redis client library says about where it failed to connect
CLIENT_WORDS = ("unix://", "redis://", "Connection refused", "No such file", "Error 111", "Timeout reading",
                "Timeout connecting", "redis.sock")


class TcpRedis:
    """The embedded server's binary on a loopback TCP port, so a leaked port would show."""

    def __init__(self, folder: Path):
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._proc = None

    @property
    def pid(self):
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def start(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "redis.log", "ab") as log:
            self._proc = subprocess.Popen(
                [find_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                 "--appendonly", "yes", "--save", "", "--daemonize", "no"], stdout=log, stderr=subprocess.STDOUT)
        assert wait_for(lambda: ping(self.url, 0.2), timeout=10), "TCP Redis did not start"
        return self.url

    def stop(self) -> None:
        if self._proc is not None:
            processes.stop(self._proc)
            self._proc = None


class Stack(parts.Stack):
    leaks: list[re.Pattern]      # what no answer may show: where Redis is


@pytest.fixture
def own_stack(request, gateway_env):
    """A Redis (unix socket, or TCP with indirect parametrization), gateway and worker of
    this test's own, so stopping Redis harms no other test."""
    folder = Path(tempfile.mkdtemp(prefix="jg-outage-"))
    if getattr(request, "param", "unix") == "tcp":
        server = TcpRedis(folder / "redis")
        leaks = [re.compile(rf"(?<![0-9A-Za-z]){server.port}(?![0-9A-Za-z])")]     # the gateway is on 127.0.0.1 too
    else:
        server = EmbeddedRedis(folder / "redis")
        leaks = [re.compile(re.escape(str(folder)))]
    leaks += [re.compile(re.escape(word)) for word in CLIENT_WORDS]
    stack = Stack(folder, gateway_env, extra_catalog=CATALOG_EXTRA, server=server, cwd=ROOT,
                  JOBGATE_SAHARA_JOB_TYPES=json.dumps(sweep.SAHARA_JOB_TYPES),
                  JOBGATE_SAS_JOB_TYPES=json.dumps({"Compute": sweep.SAHARA_JOB_TYPES["Shell"]}))
    assert wait_for(lambda: registered(stack.env["REDIS_URL"]) == 1, timeout=20), "the worker did not start"
    stack.leaks = leaks
    yield stack
    stack.close()
    shutil.rmtree(folder, ignore_errors=True)


def registered(url: str) -> int:
    """How many RQ workers Redis at `url` knows."""
    return len(redis_lib.Redis.from_url(url).smembers("rq:workers"))


def until_ended(http: requests.Session, base: str, execution_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        shown = http.get(f"{base}/api/v1/executions/{execution_id}", timeout=10).json()
        if shown["state"] in TERMINAL or time.monotonic() > deadline:
            return shown
        time.sleep(0.1)


def goes_on(stack: Stack) -> None:
    """The same gateway and worker, without a restart: a new run succeeds."""
    http = stack.http()
    submitted = http.post(f"{stack.url}/api/v1/executions", json={"definition": "QuickJob"}, timeout=10)
    assert submitted.status_code == 201, submitted.text
    assert until_ended(http, stack.url, submitted.json()["id"])["state"] == "SUCCEEDED"
    assert stack.worker.poll() is None


def problems(call: sweep.Call, response: requests.Response, took: float, leaks: list[re.Pattern]) -> list[str]:
    """What is wrong with one answer given while Redis is away (nothing: [])."""
    found = []
    if took >= WITHIN:
        found.append(f"took {took:.2f} s")
    shown = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    found += [f"shows {leak.pattern!r}" for leak in leaks if leak.search(shown)]
    wanted = 503 if call.needs_store else 200
    if response.status_code != wanted:
        found.append(f"answered {response.status_code}, not {wanted}")
    elif call.needs_store:
        try:
            json_body = "json" in response.headers.get("Content-Type", "")
            is_fault = call.style.is_fault(response.json() if json_body else response.text)
        except (ValueError, KeyError, TypeError, AttributeError):
            is_fault = False
        if not is_fault:
            found.append(f"a 503 that is not a {call.style.name} fault document")
        if not response.headers.get("Retry-After", "").isdigit():
            found.append("a 503 without Retry-After (seconds)")
    return [f"{call}: {problem}: {response.text[:300]}" for problem in found]


@pytest.mark.parametrize("own_stack", ["unix", "tcp"], indirect=True)
def test_every_route_answers_503_in_its_own_format_while_redis_is_away(own_stack):
    ids = sweep.prepare(own_stack.url)
    planned = sweep.calls(own_stack.gateway.app, ids)
    assert {call.style.name for call in planned} >= {"native", "ocapi", "ocapi-webdav", "oauth", "sahara", "keystone",
                                                   "datameer", "datameer-v2", "cdq", "sas"}
    assert sum(call.method != "GET" for call in planned) >= 20          # the writes are there too
    own_stack.server.stop()
    found = []
    for call in planned:
        started = time.monotonic()
        response = call.send(own_stack.url)
        found += problems(call, response, time.monotonic() - started, own_stack.leaks)
    assert not found, "\n".join(found)

    own_stack.server.start()
    http = own_stack.http()
    parked = http.get(f"{own_stack.url}/api/v1/executions/{ids.execution}", timeout=10).json()
    assert parked["state"] == "QUEUED"                     # nothing acknowledged is lost
    for call in planned:
        if call.method == "GET":                           # every dialect answers again
            assert call.send(own_stack.url).status_code < 500, call
    goes_on(own_stack)


def test_a_hung_redis_answers_503_within_2_s(own_stack):
    ids = sweep.prepare(own_stack.url)
    planned = sweep.calls(own_stack.gateway.app, ids)
    first_get = {}
    for call in planned:
        if call.method == "GET" and call.needs_store:
            first_get.setdefault(call.style.name, call)
    assert set(first_get) >= {"native", "ocapi", "ocapi-webdav", "sahara", "datameer", "datameer-v2", "cdq"}
    probes = list(first_get.values()) + [c for c in planned if (c.method, c.rule) == ("POST", "/api/v1/executions")]
    pid = own_stack.server.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        found = []
        for call in probes:
            started = time.monotonic()
            response = call.send(own_stack.url)
            found += problems(call, response, time.monotonic() - started, own_stack.leaks)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert not found, "\n".join(found)
    assert own_stack.http().get(f"{own_stack.url}/api/v1/executions", timeout=10).status_code == 200
    goes_on(own_stack)


def test_a_run_rides_out_an_outage_and_ends_as_it_really_ended(own_stack, tmp_path):
    http, base = own_stack.http(), own_stack.url
    gate, done = tmp_path / "gate", tmp_path / "done"
    execution = http.post(f"{base}/api/v1/executions", timeout=10, json={
        "definition": "GatedJob", "parameters": {"gate": str(gate), "done": str(done)}}).json()
    log = f"{base}/api/v1/executions/{execution['id']}/log"
    assert wait_for(lambda: "waiting at the gate" in http.get(log, timeout=10).text, timeout=30)
    own_stack.server.stop()
    gate.touch()
    # the step's process ends, and logs, while Redis is away
    assert wait_for(done.exists, timeout=30)
    own_stack.server.start()
    ended = until_ended(http, base, execution["id"])
    assert (ended["state"], [s["state"] for s in ended["steps"]]) == ("SUCCEEDED", ["SUCCEEDED"]), ended
    text = http.get(log, timeout=10).text
    assert "passed the gate" in text and "[Gate] succeeded" in text, text
    goes_on(own_stack)


def test_a_horse_lost_during_an_outage_is_recorded_when_redis_is_back(own_stack, tmp_path):
    http, base = own_stack.http(), own_stack.url
    execution = http.post(f"{base}/api/v1/executions", timeout=10, json={
        "definition": "GatedJob", "parameters": {"gate": str(tmp_path / "never"),
                                                 "done": str(tmp_path / "done")}}).json()
    log = f"{base}/api/v1/executions/{execution['id']}/log"
    assert wait_for(lambda: "waiting at the gate" in http.get(log, timeout=10).text, timeout=30)
    horse, step = (int(n) for n in re.search(r"horse=(\d+) step=(\d+)", http.get(log, timeout=10).text).groups())
    own_stack.server.stop()
    try:
        os.kill(horse, signal.SIGKILL)            # the work horse of our own worker dies
        assert wait_for(lambda: process_gone(horse), timeout=10)
        own_stack.server.start()
        ended = until_ended(http, base, execution["id"])
        assert ended["state"] in ("FAILED", "DIED"), ended          # ended by the worker, or by the sweep
        assert wait_for(lambda: process_gone(step), timeout=10)      # its step's processes went with it
        failed = FailedJobRegistry("default", connection=redis_lib.Redis.from_url(own_stack.server.url))
        assert wait_for(lambda: execution["id"] in failed.get_job_ids(), timeout=10)   # RQ tells the same story
    finally:
        if not process_gone(step):
            os.killpg(step, signal.SIGKILL)
    goes_on(own_stack)


@pytest.fixture
def lone_redis():
    folder = Path(tempfile.mkdtemp(prefix="jg-hang-"))
    server = EmbeddedRedis(folder / "redis")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_a_redis_that_hangs_inside_a_watched_transaction_is_store_unavailable(lone_redis):
    """Leaving the WATCH must not wait on Redis again, nor swap the error for a raw timeout."""
    client = connect(lone_redis.url)
    client.set("jg:test:watched", "1")

    def write(pipe):
        os.kill(lone_redis.pid, signal.SIGSTOP)
        pipe.get("jg:test:watched")

    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable):
            client.transaction(write, "jg:test:watched")
        took = time.monotonic() - started
    finally:
        os.kill(lone_redis.pid, signal.SIGCONT)
    assert took < WITHIN
    assert client.get("jg:test:watched") == b"1"


def test_a_worker_started_while_redis_is_away_waits_for_it(own_stack, tmp_path):
    own_stack.server.stop()
    with open(tmp_path / "worker.log", "wb") as log:
        late = subprocess.Popen([sys.executable, "-m", "jobgate", "worker"], cwd=ROOT, stdout=log, stderr=log,
                                env={**own_stack.env, "JOBGATE_QUEUES": "parked"})
    try:
        assert wait_for(lambda: b"waits for it" in (tmp_path / "worker.log").read_bytes(), timeout=30)
        assert late.poll() is None
        own_stack.server.start()
        # the late worker serves the queue no other worker listens on
        http = own_stack.http()
        parked = http.post(f"{own_stack.url}/api/v1/executions", json={"definition": "ParkedJob"}, timeout=10).json()
        assert until_ended(http, own_stack.url, parked["id"])["state"] == "SUCCEEDED"
        assert late.poll() is None
    finally:
        processes.stop(late)
    goes_on(own_stack)


def test_every_redis_command_a_request_sends_goes_through_the_guard(own_stack, monkeypatch):
    """Why an outage is a 503 everywhere: whatever a request sends to Redis (commands, pipelines,
    WATCH/UNWATCH, Lua scripts, RQ's queue, job and worker calls) is sent from inside the guarded
    client's entry points, on every route, writes and refusals included."""
    local = threading.local()

    def counted(method):
        def guarded(self, *args, **kwargs):
            local.depth = getattr(local, "depth", 0) + 1
            try:
                return method(self, *args, **kwargs)
            finally:
                local.depth -= 1
        return guarded

    for cls, name in ((GuardedRedis, "execute_command"), (GuardedPipeline, "execute"),
                      (GuardedPipeline, "immediate_execute_command"), (GuardedPipeline, "reset")):
        monkeypatch.setattr(cls, name, counted(getattr(cls, name)))
    sent, bypassed = [], []
    send = AbstractConnection.send_packed_command

    def watched(self, command, check_health=True):
        if getattr(local, "in_request", False):
            (bypassed if not getattr(local, "depth", 0) else sent).append(command)
        return send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", watched)
    app = own_stack.gateway.app
    serve = app.wsgi_app

    def marked(environ, start_response):
        local.in_request = True
        try:
            return serve(environ, start_response)
        finally:
            local.in_request = False

    monkeypatch.setattr(app, "wsgi_app", marked)

    ids = sweep.prepare(own_stack.url)
    http = own_stack.http()
    for _ in range(2):       # the second is refused inside the WATCH of the first's slot (UNWATCH on the way out)
        http.post(f"{own_stack.url}/api/v1/executions", json={"definition": "ExclusiveJob"}, timeout=10)
    answers = [(str(call), call.send(own_stack.url).status_code) for call in sweep.calls(app, ids)]
    answers.append(("GET /readyz", http.get(f"{own_stack.url}/readyz", timeout=10).status_code))   # Worker.count
    assert [answer for answer in answers if answer[1] >= 500] == []
    # RQ's paths the service takes outside requests: stop-job (Job.fetch, PUBLISH), a dead run's hand-back
    service = app.extensions[SERVICE]
    parked = http.post(f"{own_stack.url}/api/v1/executions", json={"definition": "ParkedJob"}, timeout=10).json()
    local.in_request = True
    try:
        service.queue.stop(parked["id"])
        service.queue.abandon(parked["id"], "parked", "checked by a test")
    finally:
        local.in_request = False
    assert sent and bypassed == [], bypassed[:5]
