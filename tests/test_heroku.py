"""Deployable the Heroku way: a fresh virtualenv gets the app from requirements.txt, as a Python
buildpack installs it, then honcho runs the Procfile's own lines with $PORT and REDIS_URL set (a
Redis of the test's own): the gateway gets ready, a job submitted over HTTP succeeds on the
Procfile's worker, and a SIGTERM stops every process well within Heroku's 30 s."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from jobgate.testing import parts
from jobgate.tools import processes
from jobgate.tools.embedded import EmbeddedRedis
from tests.conftest import ROOT
from tests.test_cli import free_port
from tests.test_steps import process_gone, wait_for

#: Heroku's wait between SIGTERM and SIGKILL
STOP_WITHIN = 30
ENDED = ("SUCCEEDED", "FAILED", "CANCELED", "DIED")


def test_the_buildpack_files_agree_with_the_package():
    assert [line for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line and not line.startswith("#")] == ["."]
    version = (ROOT / ".python-version").read_text().strip()
    assert tuple(map(int, version.split("."))) >= (3, 11) and sys.version.startswith(version)
    app = json.loads((ROOT / "app.json").read_text())
    procfile = {line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line}
    assert set(app["formation"]) == procfile == {"web", "worker"}
    assert [addon["plan"].split(":")[0] for addon in app["addons"]] == ["heroku-redis"]


def ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:     # not listening yet, or its process still booting
        return False


@pytest.fixture
def venv(tmp_path) -> Path:
    """A virtualenv of its own into which requirements.txt installs the app, as a buildpack does. Its
    dependencies come from the environment running the tests, never from the network (no index:
    pip fails if requirements.txt needs anything that is not already there)."""
    home = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(home)], check=True, timeout=120)
    installed = subprocess.run([str(home / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                                "--no-index", "--no-build-isolation", "-r", "requirements.txt"],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return home


@pytest.mark.timeout(300)
def test_the_procfile_runs_from_a_fresh_install(venv, tmp_path):
    redis_server = EmbeddedRedis(tmp_path / "redis")
    port = free_port()
    env = {name: value for name, value in os.environ.items()
           if name not in ("PYTHONPATH", "VIRTUAL_ENV") and not name.startswith("JOBGATE_")}
    # app.json's catalog (the suite's jobs need the test extra); any principals file will do
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", REDIS_URL=redis_server.start(),
               JOBGATE_CATALOG=json.loads((ROOT / "app.json").read_text())["env"]["JOBGATE_CATALOG"]["value"],
               JOBGATE_PRINCIPALS=str(parts.PRINCIPALS))
    log = tmp_path / "honcho.log"
    with open(log, "wb") as out:
        honcho = subprocess.Popen([sys.executable, "-m", "honcho", "start", "--no-colour", "-f", "Procfile",
                                   "-p", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: ready(f"{url}/readyz"), 60), log.read_text()
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {parts.TOKENS['alice']}"
            execution = http.post(f"{url}/api/v1/executions", json={"definition": "CustomerImportJob",
                                                                    "parameters": {"count": 3}}).json()
            assert wait_for(lambda: http.get(f"{url}/api/v1/executions/{execution['id']}").json()["state"]
                              in ENDED, 30), log.read_text()
            execution = http.get(f"{url}/api/v1/executions/{execution['id']}").json()
            assert execution["state"] == "SUCCEEDED", (execution["message"], execution["steps"])
        started = processes.descendants(honcho.pid)
        assert len(started) >= 3, started          # gunicorn's master and worker, `jobgate worker`
        stopping = time.monotonic()
        honcho.send_signal(signal.SIGTERM)
        honcho.wait(STOP_WITHIN)
        assert wait_for(lambda: all(process_gone(pid) for pid in started), STOP_WITHIN - (time.monotonic() - stopping))
    finally:
        if honcho.poll() is None:            # what it started first: they are not in its process group
            processes.end_descendants(honcho.pid)
            honcho.kill()
            honcho.wait()
        redis_server.stop()
    output = log.read_text()
    assert "SIGKILL" not in output and "Traceback" not in output, output
    assert '"POST /api/v1/executions HTTP/1.1" 201' in output      # the web line logs access
    assert "Successfully completed" in output and "worker.1" in output
