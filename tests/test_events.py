"""Server-sent events over HTTP, from a gunicorn-served gateway (one process) and the suite's workers."""
import socket
import subprocess
import sys
import time

import pytest
import redis
import requests

from jobgate.testing.parts import TOKENS, ServedGateway
from jobgate.tools.events import received
from tests.test_steps import wait_for

DATA = "/s/-/dw/data/v23_2"          # OCAPI's data API, for a job submitted through another dialect
#: seconds between heartbeats of this module's gateway
HEARTBEAT = 1
#: streams held at once while other requests must still answer
HELD = 40


@pytest.fixture(scope="module")
def server(gateway_env, pytestconfig, workers, tmp_path_factory):
    env = {**gateway_env, "JOBGATE_EVENTS_HEARTBEAT": str(HEARTBEAT)}
    served = ServedGateway(env, pytestconfig.rootpath, workers=1, log=tmp_path_factory.mktemp("sse") / "gunicorn.log")
    served.start()
    yield served
    served.stop()


def auth(who="alice", **headers):
    return {"Authorization": f"Bearer {TOKENS[who]}", **headers}


def submit(server, definition, who="alice"):
    answer = requests.post(f"{server.url}/api/v1/executions", json={"definition": definition}, headers=auth(who),
                           timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def stream(server, path, who="alice", **headers):
    """An open event stream, its opening line read (so it is listening from here on)."""
    response = requests.get(server.url + path, headers=auth(who, **headers), stream=True, timeout=(5, 30))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/event-stream")
    lines = response.iter_lines(decode_unicode=True)
    assert next(lines).startswith(":")
    return response, lines


def until(lines, done):
    """The events read until one satisfying `done` (included)."""
    seen = []
    for event in received(lines):
        seen.append(event)
        if done(event):
            return seen
    raise AssertionError(f"the stream ended before the awaited event: {[(e.type, e.data) for e in seen]}")


def whole(server, execution_id, who="alice", **headers):
    """Every event of an execution's stream, read until the gateway closes it."""
    response, lines = stream(server, f"/api/v1/executions/{execution_id}/events", who, **headers)
    with response:
        return list(received(lines))


def ended(event, execution_id):
    return event.type == "state" and event.data["execution"] == execution_id and event.data["state"] in (
        "SUCCEEDED", "FAILED", "CANCELED", "DIED")


def test_a_runs_events_arrive_in_order_and_the_stream_closes_at_its_end(server):
    execution_id = submit(server, "QuickJob")
    events = whole(server, execution_id)
    assert all(e.data["execution"] == execution_id and e.data["id"] == e.id for e in events)
    ids = [tuple(map(int, e.id.split("-"))) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    states = [e.data["state"] for e in events if e.type == "state"]
    assert states == ["QUEUED", "RUNNING", "SUCCEEDED"]
    assert events[-1].type == "state" and events[-1].data["from"] == "RUNNING"
    steps = [(e.type, e.data["step"]["id"]) for e in events if e.type.startswith("step.")]
    assert steps == [("step.started", "Count"), ("step.ended", "Count"), ("step.started", "Echo"),
                     ("step.ended", "Echo")]
    assert any(e.type == "progress" for e in events)
    logged = "".join(e.data["text"] for e in events if e.type == "log")
    log = requests.get(f"{server.url}/api/v1/executions/{execution_id}/log", headers=auth(), timeout=10).text
    assert logged == log and "[Count] started" in logged


def test_the_wire_format_is_id_event_and_one_json_data_line(server):
    execution_id = submit(server, "FailingJob")
    response = requests.get(f"{server.url}/api/v1/executions/{execution_id}/events", headers=auth(), timeout=30)
    frames = response.text.split("\n\n")
    assert frames[0].startswith(":") and frames[-1] == ""
    first = frames[1].split("\n")
    assert first[0].startswith("id: ") and first[1] == "event: state" and first[2].startswith('data: {"id":')
    assert response.headers["Cache-Control"] == "no-cache"


def test_last_event_id_resumes_with_no_gap_or_duplicate(server):
    execution_id = submit(server, "QuickJob")
    events = whole(server, execution_id)
    for cut in (0, 3, len(events) - 2):
        again = whole(server, execution_id, **{"Last-Event-ID": events[cut].id})
        assert [e.id for e in again] == [e.id for e in events[cut + 1:]]
    # live: the tenant stream, left after two events of a run and rejoined after it ended
    response, lines = stream(server, "/api/v1/events?definition=QuickJob")
    live_id = submit(server, "QuickJob")
    with response:
        before = until(lines, lambda e: e.data["execution"] == live_id and e.data["state"] == "RUNNING")
    whole(server, live_id)                  # it has ended
    response, lines = stream(server, "/api/v1/events?definition=QuickJob", **{"Last-Event-ID": before[-1].id})
    with response:
        after = until(lines, lambda e: ended(e, live_id))
    told = [e for e in before + after if e.data["execution"] == live_id]
    assert len({e.id for e in told}) == len(told)
    assert [what(e) for e in told] == [what(e) for e in whole(server, live_id) if e.type != "log"]
    assert [e.data["state"] for e in told if e.type == "state"] == ["QUEUED", "RUNNING", "SUCCEEDED"]


def what(event):
    """What an event tells, the same in the tenant's stream and the execution's (their ids differ)."""
    return event.type, event.data["state"], event.data.get("step", {}).get("id"), event.data.get("progress")


def test_the_tenant_stream_filters_by_definition_state_and_origin(server):
    native, native_lines = stream(server, "/api/v1/events?definition=FailingJob&state=FAILED&origin=native")
    ocapi, ocapi_lines = stream(server, "/api/v1/events?definition=FailingJob&origin=ocapi")
    with native, ocapi:
        failed, quick = submit(server, "FailingJob"), submit(server, "QuickJob")
        whole(server, failed), whole(server, quick)
        answer = requests.post(f"{server.url}{DATA}/jobs/FailingJob/executions", json={"parameters": []},
                               headers=auth(), timeout=10)
        assert answer.status_code < 300, answer.text
        through_ocapi = requests.get(f"{server.url}/api/v1/executions/{answer.json()['id']}", headers=auth(),
                                     timeout=10).json()["id"]
        whole(server, through_ocapi)
        marker = submit(server, "FailingJob")
        told = until(native_lines, lambda e: ended(e, marker))
        assert [(e.data["execution"], e.data["state"]) for e in told] == [(failed, "FAILED"), (marker, "FAILED")]
        told = until(ocapi_lines, lambda e: ended(e, through_ocapi))
        assert {e.data["execution"] for e in told} == {through_ocapi}
        assert [e.data["state"] for e in told if e.type == "state"] == ["QUEUED", "RUNNING", "FAILED"]
        assert all((e.data["origin"], e.data["definition"]) == ("ocapi", "FailingJob") for e in told)


def test_another_tenants_events_never_appear(server):
    theirs, lines = stream(server, "/api/v1/events", who="carol")
    with theirs:
        alices = submit(server, "QuickJob")
        whole(server, alices)
        carols = submit(server, "QuickJob", who="carol")
        told = until(lines, lambda e: ended(e, carols))
    assert alices not in {e.data["execution"] for e in told}
    assert {e.data["execution"] for e in told if e.data["definition"] == "QuickJob"} == {carols}
    refused = requests.get(f"{server.url}/api/v1/executions/{alices}/events", headers=auth("carol"), timeout=10)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "execution_not_found"


def test_bad_requests_are_native_faults_before_any_stream(server):
    execution_id = submit(server, "FailingJob")
    for path, headers in ((f"/api/v1/executions/{execution_id}/events", {"Last-Event-ID": "yesterday"}),
                          ("/api/v1/events", {"Last-Event-ID": "1-2-3"}),
                          ("/api/v1/events?state=SLEEPING", {}), ("/api/v1/events?origin=no%20such", {})):
        answer = requests.get(server.url + path, headers=auth(**headers), timeout=10)
        assert 400 <= answer.status_code < 500 and "error" in answer.json(), (path, answer.text)
    assert requests.get(f"{server.url}/api/v1/events", timeout=10).status_code == 401


def hold(server, path) -> socket.socket:
    """A stream held open on a raw socket, its headers and opening line received."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: jobgate\r\nAuthorization: Bearer {TOKENS['alice']}\r\n\r\n".encode())
    head = b""
    while b": stream open" not in head:
        chunk = sock.recv(4096)
        assert chunk, head
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return sock


def test_held_streams_do_not_starve_other_requests_nor_time_out(server, redis_url):
    assert wait_for(lambda: reading(redis_url) == 0, timeout=10 * HEARTBEAT)     # the other tests' streams ended
    running = submit(server, "SlowJob")
    held = [hold(server, "/api/v1/events" if n % 2 else f"/api/v1/executions/{running}/events")
            for n in range(HELD)]
    try:
        # each waits on Redis (XREAD BLOCK), not in a loop: all at once, between two heartbeats
        # (a stream that just sent one is briefly not blocked)
        assert wait_for(lambda: reading(redis_url) == HELD, timeout=4 * HEARTBEAT), reading(redis_url)
        for _ in range(3):
            started = time.monotonic()
            assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
            read = requests.get(f"{server.url}/api/v1/executions/{running}", headers=auth(), timeout=5)
            assert read.status_code == 200 and time.monotonic() - started < 5
        # past the request budget (1.5 s) and several heartbeats, a held stream is still open and beating
        sock = held[0]
        sock.settimeout(10)
        beats = b""
        deadline = time.monotonic() + 4 * HEARTBEAT + 10
        while beats.count(b": keep-alive") < 3 and time.monotonic() < deadline:
            beats += sock.recv(4096)
        assert beats.count(b": keep-alive") >= 3 and b"503" not in beats
    finally:
        for sock in held:
            sock.close()
        requests.post(f"{server.url}/api/v1/executions/{running}/cancel", headers=auth(), timeout=10)
    # the client gone, its stream ends with the next heartbeat it cannot send: Redis waits for it no more
    assert wait_for(lambda: reading(redis_url) == 0, timeout=10 * HEARTBEAT), reading(redis_url)


def reading(redis_url) -> int:
    """Redis clients waiting in XREAD BLOCK (this module's gateway is the only one streaming)."""
    return sum(1 for c in redis.Redis.from_url(redis_url).client_list() if c["cmd"] == "xread" and "b" in c["flags"])


def cli(server, *args, timeout=60):
    return subprocess.run([sys.executable, "-m", "jobgate", *args, "--url", server.url, "--token", TOKENS["alice"]],
                          capture_output=True, text=True, timeout=timeout)


def test_jobgate_logs_f_and_watch_follow_the_stream_to_the_end(server):
    execution_id = submit(server, "QuickJob")
    followed = cli(server, "logs", "-f", execution_id)
    assert followed.returncode == 0, followed.stderr
    log = requests.get(f"{server.url}/api/v1/executions/{execution_id}/log", headers=auth(), timeout=10).text
    assert followed.stdout == log and "[Echo] succeeded" in log
    failing = submit(server, "FailingJob")
    watched = cli(server, "watch", failing, "--follow-log")
    assert watched.returncode == 1, watched.stderr
    lines = watched.stdout.splitlines()
    assert any("RUNNING" in line and "step 1/1 Explode" in line for line in lines)
    assert any(" FAILED " in line and "step 1/1 Explode" in line for line in lines), lines
    message = requests.get(f"{server.url}/api/v1/executions/{failing}", headers=auth(), timeout=10).json()["message"]
    assert "about to fail" in watched.stdout and lines[-1] == message
