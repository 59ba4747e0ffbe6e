"""Real parts for every test: a Redis server, RQ worker processes, the gateway over HTTP.

Redis is $REDIS_URL when set (the suite owns that database and flushes it),
otherwise the embedded server `jobgate up` uses, in a temporary folder.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import redis
from werkzeug.serving import make_server

from jobgate.tools import processes
from jobgate.kit.app import create_app
from jobgate.settings import Settings
from jobgate.tools.embedded import EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
WORKERS = 2
TOKENS = {"alice": "tok-alice", "bob": "tok-bob", "carol": "tok-carol"}


@pytest.fixture(scope="session")
def redis_url():
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    folder = tempfile.mkdtemp(prefix="jg-test-")
    server = EmbeddedRedis(Path(folder) / "redis")
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def gateway_env(redis_url):
    """The environment every gateway and worker process of the suite shares."""
    redis.Redis.from_url(redis_url).flushdb()
    return {
        **os.environ,
        "REDIS_URL": redis_url,
        "JOBGATE_CATALOG": str(FIXTURES / "catalog.toml"),
        "JOBGATE_PRINCIPALS": str(FIXTURES / "principals.toml"),
        "JOBGATE_PYTHON_ALLOW": "tests.jobs,examples",
        "JOBGATE_HEARTBEAT_INTERVAL": "1",
        "JOBGATE_KILL_GRACE": "1",
        "JOBGATE_STALE_AFTER": "4",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


@pytest.fixture(scope="session")
def settings(gateway_env):
    return Settings.from_env(gateway_env)


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jobgate", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def workers(gateway_env):
    started = [start_worker(gateway_env) for _ in range(WORKERS)]
    client = redis.Redis.from_url(gateway_env["REDIS_URL"])
    deadline = time.monotonic() + 20
    while len(client.smembers("rq:workers")) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    yield started
    processes.stop(*started)


class Gateway:
    """The app served over real HTTP on a loopback port, in a thread."""

    def __init__(self, settings: Settings):
        self.app = create_app(settings)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def gateway(settings, workers):
    server = Gateway(settings)
    yield server
    server.close()


@pytest.fixture(scope="session")
def base_url(gateway) -> str:
    return gateway.url


@pytest.fixture(scope="session")
def service(gateway):
    return gateway.app.extensions["jobgate.service"]
