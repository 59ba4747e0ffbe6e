"""`jobgate up` from nothing, driven the way a person would, and `jobgate watch`."""
import argparse
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from importlib.metadata import version

import pytest
import redis
import requests

from jobgate.settings import Settings
from jobgate.tools.cli import parser
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


def jobgate(*args, cwd=None, env=None, timeout=60, **kwargs) -> subprocess.CompletedProcess:
    """The real `jobgate` command (this checkout's code), as a person runs it."""
    return subprocess.run([sys.executable, "-m", "jobgate", *args], cwd=cwd, env=env or _bare_env(),
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def _bare_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "JOBGATE_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def _banner(process) -> list[str]:
    """`up`'s output up to its last banner line (workers' log lines come through the same pipe)."""
    lines = []
    while not lines or lines[-1] != "Ctrl-C stops everything.":
        line = process.stdout.readline()
        assert line, f"up ended before its banner: {lines}"
        lines.append(line.rstrip("\n"))
    return lines


def test_up_tells_the_client_commands_its_url_prints_curl_lines_that_all_succeed_and_refuses_a_second_up(
        jobgate_up, tmp_path_factory):
    process, base, _, env = jobgate_up
    folder = jobgate_up[2].parents[2]            # the redis socket is in <folder>/.jobgate/redis
    banner = _banner(process)
    assert f"  export JOBGATE_URL={base}" in banner          # the fixture's port is never 8080
    assert (folder / ".jobgate" / "url").read_text().strip() == base
    curls = [line.split(None, 1)[1] for line in banner if line.startswith("  ") and " curl " in line]
    assert {line.split()[0] for line in banner if " curl " in line} >= {"native", "ocapi"}
    for line in curls:
        if "<" in line:           # a placeholder for a credential the banner cannot know
            continue
        status = subprocess.run(shlex.split(line) + ["-s", "-o", "/dev/null", "-w", "%{http_code}"],
                                capture_output=True, text=True, timeout=30).stdout
        assert status.startswith("2"), (line, status)
    # run where `up` runs, no --url and no JOBGATE_URL: they read .jobgate/url
    listed = jobgate("ls", cwd=folder, env=env)
    assert listed.returncode == 0 and listed.stdout.count("QUEUED") + listed.stdout.count("RUNNING") \
        + listed.stdout.count("SUCCEEDED") >= 2, listed.stdout + listed.stderr
    second = jobgate("up", "--port", str(free_port()), cwd=folder, env=env)
    assert second.returncode == 1 and "already runs in this folder" in one_line(second.stderr)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "principals.toml").write_text("# no one\n")
    clash = jobgate("up", "--port", base.rsplit(":", 1)[1], cwd=elsewhere,
                    env={**env, "JOBGATE_PRINCIPALS": str(elsewhere / "principals.toml")})
    warning, taken = clash.stderr.strip().splitlines()
    assert "no principals are configured" in warning and "401" in warning
    assert clash.returncode == 1 and f"port {base.rsplit(':', 1)[1]}" in taken and "is taken" in taken
    assert "jobgate is up" not in clash.stdout
    assert process.poll() is None        # the first one is untouched


def test_watch_piped_prints_plain_lines_with_step_counts_eta_and_the_log_and_status_counts_match(jobgate_up):
    process, base, sock, env = jobgate_up
    folder = sock.parents[2]
    watched = jobgate("submit", "SearchIndexRebuild", "minutes=0.1", "--watch", "--follow-log", cwd=folder, env=env)
    assert watched.returncode == 0, watched.stdout + watched.stderr
    lines = watched.stdout.splitlines()
    assert "\r" not in watched.stdout and "\x1b" not in watched.stdout
    assert any("RUNNING" in line and "step 1/1 Rebuild" in line and "processed, 0 failed" in line
               and "ETA " in line for line in lines), lines
    assert "100.0% SUCCEEDED   step 1/1 Rebuild  6/6 processed, 0 failed" in lines
    assert any("[Rebuild] started" in line for line in lines)             # the log, followed
    assert all(a != b for a, b in zip(lines, lines[1:], strict=False))   # a line only when it changes
    failed = jobgate("submit", "FeedValidationJob", cwd=folder, env=env)
    assert failed.returncode == 0
    states = _settled(base)
    shown = json.loads(jobgate("status", "--json", cwd=folder, env=env).stdout)
    assert shown["executions"] == states and states["FAILED"] == 1 and states["SUCCEEDED"] == 1
    assert [(q["name"], q["depth"]) for q in shown["queues"]] == [("default", 0)]
    (worker,) = shown["workers"]
    assert worker["state"] == "idle" and worker["current"] is None and worker["heartbeat_age"] < 60
    text = jobgate("status", cwd=folder, env=env).stdout
    assert "workers: 1" in text and worker["name"] in text
    assert any(line.split() == ["FAILED", "1"] for line in text.splitlines()), text


def _settled(base) -> dict[str, int]:
    """Executions by state over the native API once every one has ended."""
    deadline = time.monotonic() + 30
    while True:
        items = requests.get(f"{base}/api/v1/executions", params={"limit": 100},
                             headers={"Authorization": "Bearer dev-token"}, timeout=5).json()["items"]
        counts = {}
        for item in items:
            counts[item["state"]] = counts.get(item["state"], 0) + 1
        if not {"CREATED", "QUEUED", "RUNNING"} & set(counts) or time.monotonic() > deadline:
            return counts
        time.sleep(0.2)


@pytest.mark.parametrize(("command", "variable", "value", "said"), [
    ("worker", "JOBGATE_MAX_BODY", "1MB", "JOBGATE_MAX_BODY='1MB'"),
    ("serve", "JOBGATE_STALE_AFTER", "-1", "JOBGATE_STALE_AFTER='-1'"),
    ("up", "JOBGATE_LOGIN_FAILURES", "5,x", "JOBGATE_LOGIN_FAILURES='5,x'"),
    ("status", "JOBGATE_MAX_BODY", "1MB", "JOBGATE_MAX_BODY='1MB'"),
    ("up", "JOBGATE_SAHARA_JOB_TYPES", "{x", "JOBGATE_SAHARA_JOB_TYPES: not JSON"),   # a dialect's own
])
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(command, variable, value, said, tmp_path):
    done = jobgate(command, cwd=tmp_path, env={**_bare_env(), variable: value}, timeout=30)
    assert done.returncode == 2
    assert said in one_line(done.stderr)
    assert not (tmp_path / ".jobgate").exists()            # nothing started


def test_the_procfiles_web_line_with_a_bad_setting_stops_in_one_line_before_serving(tmp_path):
    """That line runs gunicorn itself, not the CLI: the check is in the gunicorn settings."""
    web = next(line.split(":", 1)[1] for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    argv = shlex.split(web.replace("$PORT", str(free_port())))
    done = subprocess.run(argv, cwd=tmp_path, env={**_bare_env(), "JOBGATE_MAX_BODY": "1MB"},
                          capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 2 and "JOBGATE_MAX_BODY='1MB' is not valid" in output, output
    assert "Traceback" not in output and "Booting worker" not in output, output


def test_a_client_command_that_cannot_reach_the_gateway_says_so_in_one_line(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"
    for args, env, origin in ((["ls", "--url", nowhere], _bare_env(), "--url"),
                              (["show", "1"], {**_bare_env(), "JOBGATE_URL": nowhere}, "JOBGATE_URL")):
        done = jobgate(*args, cwd=tmp_path, env=env)
        line = one_line(done.stderr)
        assert done.returncode == 1 and nowhere in line and origin in line and "JOBGATE_URL" in line
    (tmp_path / ".jobgate").mkdir()
    (tmp_path / ".jobgate" / "url").write_text(nowhere + "\n")
    done = jobgate("submit", "Wait", "--watch", cwd=tmp_path)
    assert nowhere in one_line(done.stderr) and ".jobgate/url" in done.stderr


def test_the_gateway_warns_at_start_when_no_principals_are_configured(redis_url, tmp_path):
    port = free_port()
    gateway = subprocess.Popen([sys.executable, "-m", "jobgate", "serve", "--port", str(port), "--processes", "1"],
                               cwd=tmp_path, env={**_bare_env(), "REDIS_URL": redis_url},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _serving_within(f"http://127.0.0.1:{port}", 30)
    finally:
        gateway.terminate()
        output, _ = gateway.communicate(timeout=30)
    assert "no principals are configured" in output and "401" in output


def _serving_within(base, seconds) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _serving(base):
            return True
        time.sleep(0.2)
    return False


class Recording(dict):
    """A mapping that notes every variable looked up in it."""

    def __init__(self):
        super().__init__()
        self.asked = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def read_variables() -> set[str]:
    """Every variable Settings.from_env looks up (whatever table it reads them from)."""
    env = Recording()
    Settings.from_env(env)
    assert "JOBGATE_MAX_BODY" in env.asked
    return env.asked


def test_version_and_help_name_every_variable_and_option():
    assert jobgate("--version").stdout.strip() == f"jobgate {version('jobgate')}"
    shown = jobgate("--help").stdout
    for name in read_variables() | {"JOBGATE_URL", "JOBGATE_TOKEN", "PORT"}:
        assert name in shown, name
    (commands,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    for name, command in commands.choices.items():
        text = jobgate(name, "--help").stdout
        for action in command._actions:
            assert action.help, (name, action.dest)
            for option in action.option_strings:
                assert option in text, (name, option)
