"""The processes a bench run starts (gunicorn, workers) and one-off requests to them."""
from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from jobgate.tools import processes

ROOT = Path(__file__).resolve().parent.parent
#: the Procfile's web: line (jobgate's gunicorn settings); its process count is gunicorn's --workers
GUNICORN = ["-c", "python:jobgate.tools.gunicorn_conf"]


class Processes(list):
    """Every child this run starts; stop() ends them by pid (SIGTERM, then SIGKILL)."""

    def spawn(self, argv: list[str], env: dict, **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, **kwargs)
        self.append(proc)
        return proc

    def stop(self, *procs: subprocess.Popen) -> None:
        processes.stop(*procs, grace=15)
        for proc in procs:
            if proc in self:
                self.remove(proc)


def until(predicate, what: str, timeout: float = 120.0, every: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(every)


def serve(procs: Processes, app: str, env: dict, *more: str, workers: int = 1) -> tuple[subprocess.Popen, int]:
    """gunicorn serving `module:factory` with `workers` processes on a socket we bind (port 0, no
    race), ready once it answers; with `more` apps, all of them start at once, and a list of
    (process, port) is returned."""
    started = []
    for name in (app, *more):
        with socket.create_server(("127.0.0.1", 0)) as sock:
            port, fd = sock.getsockname()[1], sock.fileno()
            argv = [sys.executable, "-m", "gunicorn", *GUNICORN, "--workers", str(workers), "--bind", f"fd://{fd}"]
            started.append((procs.spawn([*argv, f"{name}()"], env, pass_fds=[fd]), port))
    for _, port in started:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)   # queues in the backlog
        conn.request("GET", "/healthz")       # any answer (the bare app's is 404) means it serves
        conn.getresponse().read()
        conn.close()
    return started if more else started[0]


def call(port: int, method: str, path: str, body=None, headers: dict | None = None, timeout: float = 30) -> dict:
    """One request, its JSON answer; for finding ids before the clock starts."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    payload = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    conn.request(method, path, body=payload,
                 headers={**({"Content-Type": "application/json"} if payload is not None else {}), **(headers or {})})
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {answer[:300]!r}")
    return json.loads(answer) if answer else {}
