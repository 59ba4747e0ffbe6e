"""The store calls of one request share one budget of waiting, so a Redis that
hangs or crawls is answered 503 within 2 s however many calls the request makes,
and every 503 says when to try again (Retry-After).

Each call waits only for what is left of the request's budget; once it is spent,
a call fails at once. The request's own work between calls spends none of it.
Outside a request (workers) each call keeps its own timeout. Redis here is a
server of the test's own: stopped with SIGSTOP, or behind a proxy that holds
every reply back (it answers, slowly).
"""
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from jobgate.settings import Settings
from jobgate.store.connection import StoreUnavailable, connect, set_budget
from jobgate.testing.parts import TOKENS, Gateway, ServedGateway
from tests import sweep
from tests import test_outage as outage
from tests.conftest import ROOT
from tests.test_outage import WITHIN, problems

#: the outage tests' fixtures: a Redis of the test's own, alone or with a gateway and a worker
lone_redis, own_stack = outage.lone_redis, outage.own_stack

#: how long the slow proxy holds each reply back: less than one call's timeout (0.9 s),
#: so every call succeeds, but three in a row take longer than a request may wait
REPLY_DELAY = 0.7
#: routes making three or more round trips in a row: Datameer's job details (seq -> id, the
#: record, the record again and its result) and a SAS submit (definitions, seq, the write)
SEVERAL_CALLS = [("GET", "/rest/job-execution/job-details/<ref>"), ("POST", "/jobExecution/jobs")]


class SlowProxy:
    """A loopback TCP proxy to Redis that holds every reply back `delay` seconds (0 at first)."""

    def __init__(self, upstream_port: int):
        self.upstream, self.delay = upstream_port, 0.0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return                      # closed
            server = socket.create_connection(("127.0.0.1", self.upstream))
            self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, replies: bool) -> None:
        try:
            while data := source.recv(1 << 16):
                time.sleep(self.delay if replies else 0)
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            end.close()

    def close(self) -> None:
        self.listener.close()
        for end in self.sockets:
            end.close()


def test_the_calls_of_one_budget_wait_it_once_on_a_hung_redis(lone_redis):
    client = connect(lone_redis.url)
    client.set("jg:test:budget", "1")
    os.kill(lone_redis.pid, signal.SIGSTOP)
    set_budget(1.5)
    try:
        started = time.monotonic()
        for _ in range(4):                  # one timeout (0.9 s) each would be 3.6 s
            with pytest.raises(StoreUnavailable):
                client.get("jg:test:budget")
        took = time.monotonic() - started
    finally:
        set_budget(None)
        os.kill(lone_redis.pid, signal.SIGCONT)
    assert took < WITHIN
    assert client.get("jg:test:budget") == b"1"         # no budget now: the client goes on


def test_work_between_the_calls_spends_none_of_the_budget(lone_redis):
    """A request that works for longer than its budget between two calls (a password hash
    on a loaded machine) still gets its answers."""
    client = connect(lone_redis.url)
    set_budget(0.3)
    try:
        client.set("jg:test:budget", "2")
        time.sleep(0.5)
        assert client.get("jg:test:budget") == b"2"
    finally:
        set_budget(None)


@pytest.mark.parametrize("own_stack", ["tcp"], indirect=True)
def test_a_request_making_several_calls_to_a_slow_redis_is_a_503_within_2_s(own_stack):
    ids = sweep.prepare(own_stack.url)
    planned = {(call.method, call.rule): call for call in sweep.calls(own_stack.gateway.app, ids)}
    proxy = SlowProxy(own_stack.server.port)
    slow = Gateway(Settings.from_env({**own_stack.env, "REDIS_URL": proxy.url}))
    one_call = planned[("GET", "/api/v1/executions/<ref>")]
    try:
        found = []
        for wanted in SEVERAL_CALLS:
            proxy.delay = 0             # the gateway's connection is made, quickly (a 503 dropped it)
            assert one_call.send(slow.url).status_code == 200
            proxy.delay = REPLY_DELAY
            assert one_call.send(slow.url).status_code == 200       # one round trip is served, slowly
            call = planned[wanted]
            started = time.monotonic()
            response = call.send(slow.url)
            found += problems(call, response, time.monotonic() - started, own_stack.leaks)
        assert not found, "\n".join(found)
        # outside a request the same calls are merely slow: each one answers
        outside = connect(proxy.url)
        assert [outside.ping() for _ in range(3)] == [True] * 3
    finally:
        slow.close()
        proxy.close()
    assert requests.get(f"{own_stack.url}/readyz", timeout=10).status_code == 200


def test_the_served_gateway_answers_503_within_2_s_to_every_request_while_redis_hangs(own_stack):
    """Under gunicorn's gevent worker too: several requests at once, each waiting on Redis on a
    greenlet of its own, each within its own budget."""
    ids = sweep.prepare(own_stack.url)
    probes = [call for call in sweep.calls(own_stack.gateway.app, ids)
              if (call.method, call.rule) in {("GET", "/api/v1/executions/<ref>"), ("POST", "/api/v1/executions"),
                                              ("GET", "/api/v1/executions/<ref>/log"), *SEVERAL_CALLS}]
    assert len(probes) == 5
    served = ServedGateway(own_stack.env, ROOT, workers=1)
    served.start()
    try:
        os.kill(own_stack.server.pid, signal.SIGSTOP)
        try:
            def timed(call):
                started = time.monotonic()
                response = call.send(served.url)
                return problems(call, response, time.monotonic() - started, own_stack.leaks)
            with ThreadPoolExecutor(len(probes) * 2) as pool:
                found = [problem for answer in pool.map(timed, probes * 2) for problem in answer]
        finally:
            os.kill(own_stack.server.pid, signal.SIGCONT)
        assert not found, "\n".join(found)
        assert requests.get(f"{served.url}/api/v1/executions/{ids.execution}", timeout=10,
                            headers={"Authorization": f"Bearer {TOKENS['alice']}"}).status_code == 200
    finally:
        served.stop()
