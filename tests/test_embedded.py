"""Real-process tests for jobgate.tools.embedded (no mocks)."""
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import redis

from jobgate.tools.embedded import EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent


def _alive(pid: int) -> bool:
    """True if pid exists and is not a zombie (an orphan may wait a while to be reaped)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line for line in f)
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


def _wait_gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return not _alive(pid)


@pytest.fixture
def make_server():
    servers = []

    def make(data_dir):
        srv = EmbeddedRedis(data_dir)
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.stop()


def test_start_set_get_stop(tmp_path, make_server):
    srv = make_server(tmp_path / "redis")
    t0 = time.monotonic()
    url = srv.start()
    print(f"startup {time.monotonic() - t0:.3f}s")
    assert url.startswith("unix://") and url.endswith("?db=0")
    client = redis.Redis.from_url(url)
    client.set("greeting", "hello")
    assert client.get("greeting") == b"hello"
    client.close()
    pid = srv.pid
    assert pid is not None
    srv.stop()
    assert srv.pid is None
    assert _wait_gone(pid)
    srv.stop()  # idempotent


def test_data_survives_restart(tmp_path, make_server):
    data_dir = tmp_path / "redis"
    with make_server(data_dir) as srv:
        redis.Redis.from_url(srv.url).set("kept", "yes")
    with make_server(data_dir) as srv:
        assert redis.Redis.from_url(srv.url).get("kept") == b"yes"


def test_server_dies_with_sigkilled_parent(tmp_path):
    code = textwrap.dedent(f"""
        import sys, time
        from jobgate.tools.embedded import EmbeddedRedis
        srv = EmbeddedRedis({str(tmp_path / "redis")!r})
        srv.start()
        print(srv.pid, flush=True)
        time.sleep(60)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
    server_pid = None
    try:
        line = parent.stdout.readline()
        assert line.strip(), "child did not report a server pid"
        server_pid = int(line)
        assert _alive(server_pid)
        parent.kill()  # SIGKILL: no cleanup code in the parent runs
        parent.wait()
        assert _wait_gone(server_pid), "embedded server outlived its SIGKILLed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        parent.stdout.close()
        if server_pid is not None and _alive(server_pid):
            os.kill(server_pid, signal.SIGKILL)


@pytest.mark.parametrize("kind", ["dead_socket", "plain_file"])
def test_stale_socket_does_not_block_start(tmp_path, make_server, kind):
    data_dir = tmp_path / "redis"
    data_dir.mkdir()
    sock_path = data_dir / "redis.sock"
    if kind == "dead_socket":  # what a SIGKILLed server leaves behind
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(sock_path))
    else:
        sock_path.write_text("junk")
    srv = make_server(data_dir)
    client = redis.Redis.from_url(srv.start())
    assert client.ping()
    client.close()


def test_refuses_second_server_on_same_dir(tmp_path, make_server):
    first = make_server(tmp_path / "redis")
    first.start()
    with pytest.raises(RuntimeError, match="already running"):
        make_server(tmp_path / "redis").start()
    assert redis.Redis.from_url(first.url).ping()
