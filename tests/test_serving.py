"""The gateway as production serves it (gunicorn with jobgate/tools/gunicorn_conf.py) is
not stalled by slow clients.

With 100 uploads at once that stop part-way through their body, or 100 clients that
do not read their answers, /healthz and a submit still answer within 1 s (the bound
the issue sets: a correctness property, not a speed measurement). The stalled
uploads then get a 408 in the dialect's format once they have been silent for the
client timeout (3 s for this test's gateway, 10 s by default); the slow readers'
connections are dropped. No client sees a 500.
"""
import re
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from jobgate.rules.passwords import hash_password
from jobgate.testing.parts import PRINCIPALS, TOKENS, ServedGateway
from jobgate.tools import processes
from tests.test_steps import wait_for

STALLED = 100
#: the issue's bound for /healthz and a submit while the stalled clients hang on
WITHIN = 1.0
#: this test's gateway drops a client silent this long (seconds)
CLIENT_TIMEOUT = 3
AUTH = f"Authorization: Bearer {TOKENS['alice']}\r\n".encode()
#: a submit whose body stops after its first bytes (100000 announced)
STALLED_UPLOAD = (b"POST /api/v1/executions HTTP/1.1\r\nHost: jobgate\r\n" + AUTH +
                  b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n" + b'{"definition": ')
#: Basic logins at once with wrong passwords, each an Argon2 hash
LOGINS = 16
#: log reads each slow reader asks for on its one connection, without reading the answers
PIPELINED = 4
#: a job whose log is a megabyte (a log read answers up to limits.LOG_READ_MAX)
CHATTY_JOB = """
[[job]]
id = "ChattyJob"
  [[job.step]]
  id = "Chatter"
  type = "shell"
  params = { argv = ["sh", "-c", "head -c 1000000 /dev/zero | tr '\\\\0' x"] }
"""


@pytest.fixture(scope="module")
def served(gateway_env, workers, pytestconfig, tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    catalog = folder / "catalog.toml"
    catalog.write_text(Path(gateway_env["JOBGATE_CATALOG"]).read_text() + CHATTY_JOB)
    env = {**gateway_env, "JOBGATE_CATALOG": str(catalog), "JOBGATE_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT)}
    server = ServedGateway(env, pytestconfig.rootpath, workers=1, log=folder / "gunicorn.log")
    server.start()
    yield server
    server.stop()


def connect(server: ServedGateway, receive_buffer: int | None = None) -> socket.socket:
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", server.port))
    return sock


def answering(server: ServedGateway) -> list[str]:
    """What is wrong with /healthz and a submit, each on a new connection (nothing: [])."""
    found = []
    for method, path, body, wanted in (("GET", "/healthz", None, 200),
                                       ("POST", "/api/v1/executions", {"definition": "QuickJob"}, 201)):
        started = time.monotonic()
        try:
            response = requests.request(method, server.url + path, json=body, timeout=10,
                                        headers={"Authorization": f"Bearer {TOKENS['alice']}"})
        except requests.RequestException as exc:
            found.append(f"{method} {path}: {exc}")
            continue
        took = time.monotonic() - started
        if response.status_code != wanted or took >= WITHIN:
            found.append(f"{method} {path}: {response.status_code} in {took:.2f} s")
    return found


def everything(sock: socket.socket) -> bytes:
    """All the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(1 << 16):
        received += chunk
    return received


def statuses(received: bytes) -> list[int]:
    return [int(code) for code in re.findall(rb"^HTTP/1\.1 (\d{3}) ", received, re.MULTILINE)]


def test_stalled_uploads_leave_the_gateway_answering_and_get_a_408(served):
    stalled = [connect(served) for _ in range(STALLED)]
    try:
        for sock in stalled:
            sock.sendall(STALLED_UPLOAD)
        sent = time.monotonic()
        found = answering(served)
        assert not found, found
        assert time.monotonic() - sent < CLIENT_TIMEOUT, "measured too late: the uploads were no longer stalled"
        received = [everything(sock) for sock in stalled]
    finally:
        for sock in stalled:
            sock.close()
    assert [statuses(r) for r in received] == [[408]] * STALLED, received[:3]
    assert all(b'"code": "request_timeout"' in r or b'"code":"request_timeout"' in r for r in received), received[0]
    assert not answering(served)


def test_clients_that_do_not_read_their_answers_leave_the_gateway_answering(served):
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {TOKENS['alice']}"
    chatty = http.post(f"{served.url}/api/v1/executions", json={"definition": "ChattyJob"}, timeout=10).json()
    assert wait_for(lambda: http.get(f"{served.url}/api/v1/executions/{chatty['id']}", timeout=10).json()["state"]
                    == "SUCCEEDED", timeout=30)
    log_read = (f"GET /api/v1/executions/{chatty['id']}/log HTTP/1.1\r\nHost: jobgate\r\n").encode() + AUTH + b"\r\n"
    whole = len(http.get(f"{served.url}/api/v1/executions/{chatty['id']}/log", timeout=10).content)
    assert whole >= 1_000_000
    # asked for more than the buffers on the way hold (about 3 MB on loopback), never read
    readers = [connect(served, receive_buffer=4096) for _ in range(STALLED)]
    try:
        for sock in readers:
            sock.sendall(log_read * PIPELINED)
        time.sleep(1.5)                         # the gateway has written what it can: it waits on them all
        sent = time.monotonic()
        found = answering(served)
        assert not found, found
        assert time.monotonic() - sent < CLIENT_TIMEOUT, "measured too late: the readers were dropped already"
        time.sleep(CLIENT_TIMEOUT + 1)          # silent for longer than a client may be: dropped
        received = [everything(sock) for sock in readers]
    finally:
        for sock in readers:
            sock.close()
    assert all(set(statuses(r)) == {200} and len(r) < whole * PIPELINED for r in received), \
        [len(r) for r in received[:5]]
    assert not answering(served)


def test_password_hashes_do_not_hold_up_the_other_requests(gateway_env, workers, pytestconfig, tmp_path):
    """Each wrong password costs an Argon2 hash (about 0.1 s of C): run on a real thread, not
    on the one all the worker's requests share."""
    principals = tmp_path / "principals.toml"
    principals.write_text(PRINCIPALS.read_text() + '\n[[principal]]\nname = "dave"\ntenant = "acme"\n'
                          f'password = "{hash_password("right")}"\n')
    served = ServedGateway({**gateway_env, "JOBGATE_PRINCIPALS": str(principals)}, pytestconfig.rootpath, workers=1)
    served.start()
    try:
        with ThreadPoolExecutor(LOGINS) as pool:
            logins = [pool.submit(requests.get, f"{served.url}/rest/job-execution/job-details/1", timeout=30,
                                  auth=("dave", f"wrong-{n}")) for n in range(LOGINS)]
            time.sleep(0.2)                     # the hashes are under way
            found = answering(served)
            refused = [login.result().status_code for login in logins]
    finally:
        served.stop()
    assert not found, found
    assert refused == [401] * LOGINS


def test_the_procfile_web_line_serves_on_port_with_jobgates_settings(gateway_env, workers, pytestconfig, tmp_path):
    """As Heroku runs it: the line through a shell with $PORT set, in the project's folder."""
    (web,) = [line.removeprefix("web:").strip() for line in (pytestconfig.rootpath / "Procfile").read_text().splitlines()
              if line.startswith("web:")]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "web.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(["sh", "-c", f"exec {web}"], cwd=pytestconfig.rootpath, stdout=output,
                                   stderr=output, env={**gateway_env, "PORT": str(port)})
    try:
        assert wait_for(lambda: ready(f"http://127.0.0.1:{port}/readyz"), timeout=30), log.read_text()
    finally:
        processes.stop(process)
    assert "Using worker: jobgate.tools.httpworker.Worker" in log.read_text()


def ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False
