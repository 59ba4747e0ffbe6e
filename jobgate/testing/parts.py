"""The real parts the suite runs against, usable outside pytest too: the suite's
catalog, principals and quotas, RQ worker processes (`python -m jobgate worker`), the
gateway's WSGI app served over real HTTP on a loopback port in a thread, the gateway
as production serves it (`python -m jobgate serve`: gunicorn) in a process of its
own, for tests that stop and start it, and all of them with a Redis of a test's own (Stack).
"""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import requests
from werkzeug.serving import make_server

from jobgate.kit import dialect as dialects
from jobgate.kit.app import create_app
from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.store.connection import connect
from jobgate.store.queue import JobQueue
from jobgate.tools import processes
from jobgate.tools.embedded import EmbeddedRedis

HERE = Path(__file__).resolve().parent
#: the jobs the suite runs (QuickJob, FailingJob, SlowJob ...), their steps in jobgate.testing.jobs
CATALOG = HERE / "catalog.toml"
#: alice and bob of tenant acme, carol of tenant globex
PRINCIPALS = HERE / "principals.toml"
TOKENS = {"alice": "tok-alice", "bob": "tok-bob", "carol": "tok-carol"}
#: the quotas the suite runs under (every-second schedules; more than a tenant's default of everything)
QUOTAS = HERE / "quotas.toml"
#: what the suite's python steps may call
PYTHON_ALLOW = "jobgate.testing.jobs"


def tenants() -> dict[str, str]:
    """token -> tenant, for dialects whose URLs name the tenant."""
    document = tomllib.loads(PRINCIPALS.read_text())
    return {token: p["tenant"] for p in document["principal"] for token in p.get("tokens", [])}


def merge_catalogs(paths: list[Path], into: Path) -> Path:
    """One catalog file holding the jobs of several (each made only of [[job]] tables)."""
    parts = []
    for path in paths:
        text = Path(path).read_text()
        extra = set(tomllib.loads(text)) - {"job"}
        if extra:
            raise ValueError(f"{path}: only [[job]] tables can be merged, not {sorted(extra)}")
        parts.append(f"# from {path}\n{text}")
    into.write_text("\n".join(parts))
    return into


def start_worker(env: dict, cwd: str | Path | None = None, log: Path | None = None) -> subprocess.Popen:
    """A `jobgate worker` process; its output appended to `log` when given, else dropped."""
    return _spawn([sys.executable, "-m", "jobgate", "worker"], env, cwd, log)


def _spawn(argv: list[str], env: dict, cwd: str | Path | None, log: Path | None) -> subprocess.Popen:
    if log is None:
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(log, "ab") as out:
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_for_workers(redis_url: str, count: int, timeout: float = 20,
                     stale_after: float = Settings.stale_after) -> None:
    queue = JobQueue(connect(redis_url))
    deadline = time.monotonic() + timeout
    while queue.live_workers(stale_after) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def build_app(settings: Settings, service: Service | None = None, extra_dialects=()):
    """create_app with the configured installed dialects, plus `extra_dialects` (Dialect
    objects that are not installed, such as a test-only dialect)."""
    mounted = [*dialects.load(settings.dialects), *extra_dialects] if extra_dialects else None
    return create_app(settings, service=service, dialects=mounted)


class Gateway:
    """The app served over real HTTP on a loopback port, in a thread."""

    def __init__(self, settings: Settings, service: Service | None = None, *, extra_dialects=()):
        self.app = build_app(settings, service, extra_dialects)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ServedGateway:
    """`python -m jobgate serve` (gunicorn, as production runs it) on one loopback port that
    stays the same across stop() and start(), so clients find it again after a restart."""

    def __init__(self, env: dict, cwd: str | Path | None = None, *, workers: int = 2, log: Path | None = None):
        self.env, self.cwd, self.workers, self.log = env, cwd, workers, log
        with socket.socket() as probe:          # a free port now; gunicorn binds it (SO_REUSEADDR) each start
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        """Start gunicorn and wait until it answers /healthz."""
        self.process = _spawn([sys.executable, "-m", "jobgate", "serve", "--host", "127.0.0.1", "--port",
                               str(self.port), "--processes", str(self.workers)], self.env, self.cwd, self.log)
        if processes.answers_within(self.process, f"{self.url}/healthz", timeout, every=0.05):
            return
        code = self.process.poll()
        self.stop()
        why = f"exited with code {code}" if code is not None else f"did not answer within {timeout:g} s"
        raise RuntimeError(f"jobgate serve {why} (log: {self.log})")

    def stop(self) -> None:
        """SIGTERM to gunicorn's master: it stops accepting and lets its workers finish what they serve."""
        if self.process is not None:
            processes.stop(self.process, grace=35)     # gunicorn's graceful timeout is 30 s
            self.process = None
class Stack:
    """A Redis, workers and a gateway of one test's own, so that it may stop, kill or signal them
    without harming other tests: `env`'s catalog plus the `extra_catalog` jobs, kept in `folder`.
    `server` is the Redis (an EmbeddedRedis in `folder` by default); `settings` are more
    environment variables for the gateway and the workers."""

    def __init__(self, folder: Path, env: dict, *, extra_catalog: str = "", server=None, workers: int = 1,
                 cwd: str | Path | None = None, **settings: str):
        folder.mkdir(parents=True, exist_ok=True)
        catalog = folder / "catalog.toml"
        catalog.write_text(Path(env["JOBGATE_CATALOG"]).read_text() + extra_catalog)
        self.server = server or EmbeddedRedis(folder / "redis")
        self.env = {**env, **settings, "REDIS_URL": self.server.start(), "JOBGATE_CATALOG": str(catalog)}
        self.cwd = cwd
        self.workers: list[subprocess.Popen] = []
        for _ in range(workers):
            self.add_worker()
        self.gateway = Gateway(Settings.from_env(self.env))

    @property
    def url(self) -> str:
        return self.gateway.url

    @property
    def worker(self) -> subprocess.Popen:
        """The first worker."""
        return self.workers[0]

    def add_worker(self, **settings: str) -> subprocess.Popen:
        """One more worker (with more environment variables), once Redis counts it."""
        worker = start_worker({**self.env, **settings}, self.cwd)
        self.workers.append(worker)
        wait_for_workers(self.env["REDIS_URL"], sum(w.poll() is None for w in self.workers))
        return worker

    def http(self, who: str = "alice") -> requests.Session:
        """A session holding `who`'s token."""
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKENS[who]}"
        return session

    def close(self) -> None:
        self.gateway.close()
        processes.stop(*self.workers)
        self.server.stop()
