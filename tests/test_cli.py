"""`jobgate up` from nothing, driven the way a person would, and `jobgate watch`."""
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import redis
import requests

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_alive(sock) -> bool:
    try:
        return redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def jobgate_up(tmp_path):
    """`jobgate up` in an empty folder with no REDIS_URL, catalog or principals set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "JOBGATE_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))   # this checkout's code
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "jobgate", "up", "--port", str(port), "--workers", "1"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/readyz", timeout=1).json().get("workers", 0) >= 1:
                break
        except (requests.RequestException, ValueError):
            time.sleep(0.2)
    yield process, base, tmp_path / ".jobgate" / "redis" / "redis.sock", env
    if process.poll() is None:
        process.kill()
        process.wait()


def test_up_serves_the_example_catalog_and_stops_everything_on_ctrl_c(jobgate_up):
    process, base, sock, env = jobgate_up
    watched = subprocess.run([sys.executable, "-m", "jobgate", "submit", "CustomerImportJob", "count=5", "--watch",
                              "--url", base], env=env, capture_output=True, text=True, timeout=60)
    assert watched.returncode == 0, watched.stdout + watched.stderr
    assert "100.0% SUCCEEDED" in watched.stdout
    listing = subprocess.run([sys.executable, "-m", "jobgate", "ls", "--url", base], env=env,
                             capture_output=True, text=True, timeout=30)
    assert "CustomerImportJob" in listing.stdout and "SUCCEEDED" in listing.stdout
    failing = subprocess.run([sys.executable, "-m", "jobgate", "submit", "FeedValidationJob", "--watch",
                              "--url", base], env=env, capture_output=True, text=True, timeout=60)
    assert failing.returncode == 1 and "invalid rows" in failing.stdout
    failed_id = subprocess.run([sys.executable, "-m", "jobgate", "ls", "--state", "FAILED", "--url", base], env=env,
                               capture_output=True, text=True, timeout=30).stdout.split()[0]
    restarted = subprocess.run([sys.executable, "-m", "jobgate", "restart", failed_id, "--url", base], env=env,
                               capture_output=True, text=True, timeout=30)
    assert restarted.returncode == 0 and restarted.stdout.strip() != failed_id
    added = subprocess.run([sys.executable, "-m", "jobgate", "schedule", "add", "Wait", "0 3 * * *", "--url", base],
                           env=env, capture_output=True, text=True, timeout=30)
    schedules = subprocess.run([sys.executable, "-m", "jobgate", "schedule", "ls", "--url", base], env=env,
                               capture_output=True, text=True, timeout=30).stdout
    assert added.returncode == 0 and added.stdout.strip()
    assert added.stdout.strip() in schedules and "0 3 * * *" in schedules
    assert redis_alive(sock)
    process.send_signal(signal.SIGINT)
    process.wait(30)
    banner = process.stdout.read()
    assert base in banner and "dev-token" in banner and "curl" in banner
    assert not redis_alive(sock)


def test_embedded_redis_and_children_die_with_a_killed_up(jobgate_up):
    process, base, sock, _ = jobgate_up
    assert redis_alive(sock)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while (redis_alive(sock) or _serving(base)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not redis_alive(sock) and not _serving(base)


def _serving(base) -> bool:
    try:
        requests.get(f"{base}/healthz", timeout=1)
        return True
    except requests.RequestException:
        return False
