"""Signed webhooks: subscriptions through the native API, deliveries from the workers to a local
receiver (verified as Standard Webhooks says), retries, the delivery log, a worker killed
mid-delivery, the allow-list at registration and at delivery, and an execution's callback_url.

A Redis, workers and a gateway of this module's own (parts.Stack), whose allow-list admits
127.0.0.1, with short retries and leases."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis

from jobgate.rules.outbound import Policy, Refused
from jobgate.settings import Settings
from jobgate.store import events, keys
from jobgate.store.feed import Feed
from jobgate.store.webhooks import Webhooks
from jobgate.testing import parts
from jobgate.testing.suite.support import eventually
from tests.conftest import ROOT
from tests.test_schedules import private_db
from workers import outbound

BACKOFF, LEASE, ATTEMPTS = 0.3, 3.0, 3
SETTINGS = {"JOBGATE_WEBHOOK_ALLOW": "127.0.0.1", "JOBGATE_WEBHOOK_BACKOFF": str(BACKOFF),
            "JOBGATE_WEBHOOK_TIMEOUT": "2", "JOBGATE_WEBHOOK_LEASE": str(LEASE),
            "JOBGATE_WEBHOOK_ATTEMPTS": str(ATTEMPTS)}
HANG = "hang"


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread, recording what it is sent. `answers(id, n)` says
    how it answers the n-th request (from 1) of one webhook-id: a status, (status, headers), or
    HANG (no answer until `release`)."""

    def __init__(self, answers=lambda webhook_id, n: 200):
        self.requests: list[dict] = []
        self.released, self.lock = threading.Event(), threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    seen = {k.lower(): v for k, v in self.headers.items()}
                    n = 1 + sum(r["headers"]["webhook-id"] == seen.get("webhook-id") for r in receiver.requests)
                    receiver.requests.append({"headers": seen, "body": body, "port": self.client_address[1],
                                              "at": time.monotonic()})
                answer = answers(seen.get("webhook-id"), n)
                if answer == HANG:
                    receiver.released.wait(30)
                    answer = 200
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def verified(secret: str, request: dict) -> bool:
    """Standard Webhooks' check: v1 HMAC-SHA256 of "id.timestamp.body", keyed by the secret's bytes."""
    headers = request["headers"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    version, _, given = headers["webhook-signature"].partition(",")
    return version == "v1" and hmac.compare_digest(given, expected)


def make_stack(gateway_env, workers: int):
    folder = Path(tempfile.mkdtemp(prefix="jg-wh-"))       # short: a unix socket's path is
    return folder, parts.Stack(folder, gateway_env, cwd=ROOT, workers=workers, **SETTINGS)


@pytest.fixture(scope="module")
def stack(gateway_env):
    folder, made = make_stack(gateway_env, workers=2)
    yield made
    made.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def subscribe(stack):
    """subscribe(url, events) -> the created webhook (deleted after the test)."""
    made = []

    def create(url: str, kinds: list[str], http=None) -> dict:
        answer = (http or stack.http()).post(f"{stack.url}/api/v1/webhooks", json={"url": url, "events": kinds},
                                             timeout=10)
        assert answer.status_code == 201, answer.text
        made.append((http or stack.http(), answer.json()["id"]))
        return answer.json()

    yield create
    for http, webhook_id in made:
        http.delete(f"{stack.url}/api/v1/webhooks/{webhook_id}", timeout=10)


def submit(stack, definition: str, **body) -> dict:
    answer = stack.http().post(f"{stack.url}/api/v1/executions", json={"definition": definition, **body},
                               timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def deliveries(stack, webhook_id: str) -> list[dict]:
    answer = stack.http().get(f"{stack.url}/api/v1/webhooks/{webhook_id}/deliveries", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def settled(stack, webhook_id: str, count: int):
    """The webhook's log once it holds `count` deliveries, none pending."""
    def probe():
        found = deliveries(stack, webhook_id)
        return found if len(found) >= count and all(d["state"] != "pending" for d in found) else None
    return eventually(probe, timeout=20, interval=0.2)


def test_a_runs_state_events_arrive_signed_and_are_in_the_delivery_log(stack, receiver, subscribe):
    webhook = subscribe(receiver.url, ["state"])
    assert webhook["secret"].startswith("whsec_") and webhook["events"] == ["state"]
    shown = stack.http().get(f"{stack.url}/api/v1/webhooks/{webhook['id']}", timeout=10).json()
    assert shown["url"] == receiver.url and "secret" not in shown          # shown once, at creation
    run = submit(stack, "QuickJob")

    def states():
        return [e["data"]["state"] for e in receiver.events() if e["data"]["execution"] == run["id"]]
    assert eventually(lambda: "SUCCEEDED" in states(), timeout=20), receiver.events()
    assert sorted(states()) == sorted(["QUEUED", "RUNNING", "SUCCEEDED"])
    for request in receiver.requests:
        assert verified(webhook["secret"], request), request["headers"]
        assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 60
        assert not verified(webhook["secret"], {**request, "body": request["body"] + b" "})
    assert all(e["type"] == "state" for e in receiver.events())
    logged = settled(stack, webhook["id"], 3)
    assert {d["id"] for d in logged} == {r["headers"]["webhook-id"] for r in receiver.requests}
    assert all(d["state"] == "succeeded" and [a["status"] for a in d["attempts"]] == [200] for d in logged)


def test_a_failing_receiver_is_retried_with_backoff_until_it_succeeds(stack, subscribe):
    receiver = Receiver(lambda webhook_id, n: {1: 500, 2: 503}.get(n, 200))
    try:
        webhook = subscribe(receiver.url, ["state"])
        run = submit(stack, "ParkedJob")            # no worker runs it: one event, its QUEUED
        (delivery,) = settled(stack, webhook["id"], 1)
        assert delivery["state"] == "succeeded" and delivery["execution"] == run["id"]
        assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
        assert delivery["attempts"][0]["error"].startswith("HTTP 500")
        arrivals = [r["at"] for r in receiver.requests]
        assert len(arrivals) == 3 and len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
        assert arrivals[1] - arrivals[0] >= BACKOFF and arrivals[2] - arrivals[1] >= BACKOFF * 6
        assert all(verified(webhook["secret"], r) for r in receiver.requests)
        stack.http().post(f"{stack.url}/api/v1/executions/{run['id']}/cancel", timeout=10)
    finally:
        receiver.close()


def test_a_delivery_that_never_succeeds_is_marked_failed_and_redirects_are_not_followed(stack, subscribe):
    elsewhere = Receiver()
    receiver = Receiver(lambda webhook_id, n: (307, {"Location": elsewhere.url}))
    try:
        webhook = subscribe(receiver.url, ["state"])
        run = submit(stack, "ParkedJob")
        (delivery,) = settled(stack, webhook["id"], 1)
        assert delivery["state"] == "failed" and delivery["next_attempt"] is None
        assert [a["status"] for a in delivery["attempts"]] == [307] * ATTEMPTS
        assert len(receiver.requests) == ATTEMPTS and elsewhere.requests == []
        stack.http().post(f"{stack.url}/api/v1/executions/{run['id']}/cancel", timeout=10)
    finally:
        receiver.close()
        elsewhere.close()


def test_callback_url_is_told_of_state_changes_and_progress_signed_with_its_own_secret(stack, receiver):
    run = submit(stack, "QuickJob", callback_url=receiver.url)
    secret = run["callback_secret"]
    assert run["callback_url"] == receiver.url and secret.startswith("whsec_")
    assert eventually(lambda: any(e["data"].get("state") == "SUCCEEDED" and e["type"] == "state"
                                  for e in receiver.events()), timeout=20), receiver.events()
    kinds = {e["type"] for e in receiver.events()}
    assert kinds == {"state", "progress"}
    assert {e["data"]["execution"] for e in receiver.events()} == {run["id"]}
    assert all(verified(secret, r) for r in receiver.requests)
    shown = stack.http().get(f"{stack.url}/api/v1/executions/{run['id']}", timeout=10).json()
    assert shown["callback_url"] == receiver.url and "callback_secret" not in shown


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",      # cloud metadata
    "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://172.16.0.1/hook",
    "http://[::1]:8080/hook",                        # loopback, but not the 127.0.0.1 the allow-list admits
    "http://127.0.0.2/hook",
    "ftp://127.0.0.1/hook", "not a url", "http://user:pw@127.0.0.1/hook", "http://127.0.0.1:99999/",
])
def test_urls_the_allow_list_does_not_admit_are_refused_at_registration(stack, url):
    before = stack.http().get(f"{stack.url}/api/v1/webhooks", timeout=10).json()["items"]
    answer = stack.http().post(f"{stack.url}/api/v1/webhooks", json={"url": url, "events": ["state"]}, timeout=10)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "url_refused" and error["details"]["url"] and error["request_id"]
    refused = stack.http().post(f"{stack.url}/api/v1/executions", json={"definition": "QuickJob",
                                                                        "callback_url": url}, timeout=10)
    assert refused.status_code == 422 and refused.json()["error"]["details"]["callback_url"]
    assert stack.http().get(f"{stack.url}/api/v1/webhooks", timeout=10).json()["items"] == before


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "http://127.0.0.1/", "events": ["state", "nonsense"]}, "events"),
    ({"url": "http://127.0.0.1/", "events": []}, "events"),
    ({"url": "http://127.0.0.1/", "events": ["state"], "secret": "whsec_short"}, "secret"),
    ({"events": ["state"]}, "url"),
])
def test_bad_subscriptions_are_refused_in_the_native_fault_format(stack, body, field):
    answer = stack.http().post(f"{stack.url}/api/v1/webhooks", json=body, timeout=10)
    assert answer.status_code in (400, 422), answer.text
    assert field in json.dumps(answer.json()["error"]["details"])


def test_webhooks_are_per_tenant(stack, receiver, subscribe):
    webhook = subscribe(receiver.url, ["progress"])
    carol = stack.http("carol")
    assert carol.get(f"{stack.url}/api/v1/webhooks/{webhook['id']}", timeout=10).status_code == 404
    assert carol.get(f"{stack.url}/api/v1/webhooks/{webhook['id']}/deliveries", timeout=10).status_code == 404
    assert carol.delete(f"{stack.url}/api/v1/webhooks/{webhook['id']}", timeout=10).status_code == 404
    assert webhook["id"] not in [w["id"] for w in carol.get(f"{stack.url}/api/v1/webhooks", timeout=10).json()["items"]]
    assert stack.http().delete(f"{stack.url}/api/v1/webhooks/{webhook['id']}", timeout=10).status_code == 204
    assert stack.http().get(f"{stack.url}/api/v1/webhooks/{webhook['id']}", timeout=10).status_code == 404


def socket_owner(port: int, pids: list[int]) -> int | None:
    """Which of `pids` holds the TCP socket whose local port is `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
            except OSError:
                continue
    return None


def test_a_worker_killed_mid_delivery_does_not_lose_the_event(gateway_env):
    folder, own = make_stack(gateway_env, workers=2)
    receiver = Receiver(lambda webhook_id, n: HANG if n == 1 else 200)
    try:
        made = own.http().post(f"{own.url}/api/v1/webhooks", json={"url": receiver.url, "events": ["state"]},
                               timeout=10).json()
        run = own.http().post(f"{own.url}/api/v1/executions", json={"definition": "ParkedJob"}, timeout=10).json()
        assert eventually(lambda: receiver.requests, timeout=20)
        first = receiver.requests[0]
        holder = socket_owner(first["port"], [w.pid for w in own.workers])
        assert holder is not None
        os.kill(holder, signal.SIGKILL)
        receiver.released.set()
        assert eventually(lambda: len(receiver.requests) >= 2, timeout=LEASE + 15)
        second = receiver.requests[1]
        assert second["headers"]["webhook-id"] == first["headers"]["webhook-id"]
        assert json.loads(second["body"])["data"]["execution"] == run["id"] and verified(made["secret"], second)
        (delivery,) = eventually(lambda: [d for d in deliveries(own, made["id"]) if d["state"] == "succeeded"])
        assert [a["status"] for a in delivery["attempts"]] == [200]      # the killed attempt left no record
    finally:
        receiver.close()
        own.close()
        shutil.rmtree(folder, ignore_errors=True)


# -- the parts, without the workers ----------------------------------------------------------

def test_an_event_a_dead_consumer_took_is_claimed_by_another_once_idle(redis_url):
    client = redis.Redis.from_url(private_db(redis_url))
    client.flushdb()
    client.sadd(keys.TENANTS, "t")
    stream = keys.tenant_events("t")
    event_id = client.xadd(stream, {"type": "state", "execution": "x", "tenant": "t", "state": "QUEUED",
                                    "data": "{}"}).decode()
    ghost, other = Feed(client, "ghost", hold=0.05), Feed(client, "other", hold=0.05)
    assert [e.id for _, e in ghost.read()] == [event_id]           # taken, never acknowledged: it died
    assert other.read() == [] and other.reclaim(idle=5) == []
    time.sleep(0.3)
    assert [(s, e.id) for s, e in other.reclaim(idle=0.2)] == [(stream, event_id)]
    Webhooks(client).add([], stream, event_id)                       # handled: acknowledged
    time.sleep(0.3)
    assert other.reclaim(idle=0.2) == [] and ghost.reclaim(idle=0.2) == []
    assert events.Event.from_entry(event_id, {b"type": b"state", b"execution": b"x"}).execution == "x"


@pytest.mark.parametrize(("allow", "url", "admitted"), [
    ((), "http://93.184.215.14/", True),
    ((), "http://127.0.0.1/", False), ((), "http://10.0.0.1/", False), ((), "http://169.254.169.254/", False),
    ((), "http://[::ffff:127.0.0.1]/", False), ((), "http://[fe80::1]/", False),
    (("127.0.0.1",), "http://127.0.0.1:8080/", True),
    (("127.0.0.1",), "http://127.0.0.1:6390/", False),          # the Redis port on that host, never
    (("127.0.0.1",), "http://93.184.215.14/", False),           # listed: only what is listed
    (("*",), "http://93.184.215.14/", True), (("*",), "http://10.0.0.1/", False),
    (("10.0.0.0/8",), "http://10.2.3.4/", True),
])
def test_the_allow_list(allow, url, admitted):
    policy = Policy.from_settings(Settings(redis_url="redis://127.0.0.1:6390/0", webhook_allow=allow))
    if admitted:
        assert policy.check_url(url) == url
    else:
        with pytest.raises(Refused):
            policy.check_url(url)


def test_delivery_checks_the_address_it_reached(receiver):
    """A URL admitted once (or a name re-pointed since) is checked again on the connection."""
    with pytest.raises(Refused):
        outbound.session(Policy()).post(receiver.url, data=b"{}", timeout=5)
    assert receiver.requests == []
    assert outbound.session(Policy(networks=Policy.from_settings(
        Settings(webhook_allow=("127.0.0.1",))).networks)).post(receiver.url, data=b"{}", timeout=5).ok
    assert len(receiver.requests) == 1


def test_a_name_the_allow_list_does_not_admit_is_refused_without_a_lookup(monkeypatch):
    def lookup(*args, **kwargs):
        raise AssertionError(f"looked up {args[0]}")
    monkeypatch.setattr("socket.getaddrinfo", lookup)
    policy = Policy.from_settings(Settings(webhook_allow=("127.0.0.1", "*.hooks.test")))
    with pytest.raises(Refused, match="matches no entry"):
        policy.check_url("http://metadata.google.internal/")
    with pytest.raises(AssertionError, match="looked up a.hooks.test"):
        policy.check_url("http://a.hooks.test/")                    # a pattern admits it: resolved, checked


def test_a_feed_with_no_tenant_waits_as_a_blocking_read_would(redis_url):
    """With no stream to block on, a read returned at once and an idle worker spun (about
    11 000 commands/s on a Redis that knew no tenant yet)."""
    client = redis.Redis.from_url(private_db(redis_url))
    client.flushdb()
    feed = Feed(client, "lonely", hold=0.3)
    started = time.monotonic()
    assert feed.read() == []
    assert time.monotonic() - started >= 0.3
