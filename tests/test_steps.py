"""Tests for workers/steps.py with real subprocesses and a real local HTTP server; what a step
records of itself through the real runner, against the suite's Redis."""
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jobgate.model import Execution, Principal, State, StepSpec
from jobgate.rules.service import Service
from jobgate.settings import Settings
from workers.runner import Run
from workers.steps import (
    HttpStep,
    PythonStep,
    ShellStep,
    SleepStep,
    StepOutcome,
    StepTimeout,
)

SETTINGS = Settings(python_allow=("tests.stepfixtures",), http_timeout=5.0, kill_grace=0.3)


class RecordingContext:
    """A StepContext that records every call; cancel() flips cancelled()."""

    def __init__(self, execution_id="exec-1"):
        self.execution_id = execution_id
        self.progress_calls, self.lines, self.results, self.pgids = [], [], [], []
        self._cancel = threading.Event()

    def progress(self, processed, total, failed=0):
        self.progress_calls.append((processed, total, failed))

    def log(self, line):
        self.lines.append(line)

    def set_result(self, data):
        self.results.append(data)

    def track_process_group(self, pgid):
        self.pgids.append(pgid)

    def cancelled(self):
        return self._cancel.is_set()

    def cancel(self):
        self._cancel.set()


def wait_for(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def process_gone(pid):
    """True if pid no longer runs (an unreaped zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def run_in_thread(step, parameters, ctx, timeout=None):
    box = {}
    thread = threading.Thread(target=lambda: box.update(outcome=step.run(parameters, ctx, timeout)))
    thread.start()
    return thread, box


# --- python ---------------------------------------------------------------

@pytest.mark.parametrize("allow", [("tests.stepfixtures",), ("tests",), ("other", "tests.stepfixtures")])
def test_python_allow_list_accepts_module_under_prefix(allow):
    PythonStep.validate({"callable": "tests.stepfixtures:count"}, Settings(python_allow=allow))


@pytest.mark.parametrize("callable_, allow", [
    ("tests.stepfixtures:count", ("tests.step",)),          # not on a dotted boundary
    ("tests.stepfixtures:count", ()),                       # python steps disabled
    ("os:system", ("tests.stepfixtures",)),
    ("tests.stepfixtures.count", ("tests",)),               # missing ':'
    ("tests.stepfixtures:count()", ("tests",)),
    ("tests..stepfixtures:count", ("tests",)),
    ("tests.stepfixtures:", ("tests",)),
    (42, ("tests",)),
])
def test_python_allow_list_rejects(callable_, allow):
    with pytest.raises(ValueError, match="^callable: "):
        PythonStep.validate({"callable": callable_}, Settings(python_allow=allow))


def test_python_constructor_validates_too():
    with pytest.raises(ValueError):
        PythonStep({"callable": "os:system"}, SETTINGS)


def test_python_step_records_result_progress_and_log():
    ctx = RecordingContext()
    step = PythonStep({"callable": "tests.stepfixtures:count"}, SETTINGS)
    assert step.run({"items": ["a", "b", "c"]}, ctx, None) == StepOutcome(0, "")
    assert ctx.results == [{"count": 3}]
    assert ctx.progress_calls == [(1, 3, 0), (2, 3, 0), (3, 3, 0)]
    assert ctx.lines == ["counted 3 items for exec-1"]


def test_python_step_result_set_by_callable_is_kept():
    ctx = RecordingContext()
    PythonStep({"callable": "tests.stepfixtures:sets_own_result"}, SETTINGS).run({}, ctx, None)
    assert ctx.results == [{"from": "ctx"}]


def test_python_step_none_return_sets_no_result():
    ctx = RecordingContext()
    PythonStep({"callable": "tests.stepfixtures:returns_nothing"}, SETTINGS).run({}, ctx, None)
    assert ctx.results == []


def test_python_step_exception_propagates_to_runner():
    with pytest.raises(RuntimeError, match="boom"):
        PythonStep({"callable": "tests.stepfixtures:fails"}, SETTINGS).run({}, RecordingContext(), None)


# --- shell ----------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {}, {"argv": []}, {"argv": "echo hi"}, {"argv": ["echo", 1]},
    {"argv": ["true"], "env": {"A": 1}}, {"argv": ["true"], "cwd": 3},
])
def test_shell_validate_rejects(params):
    with pytest.raises(ValueError):
        ShellStep.validate(params, SETTINGS)


def test_shell_parameters_arrive_as_literal_env_vars(tmp_path):
    marker = tmp_path / "pwned"
    evil = f"$(touch {marker}); rm -rf {tmp_path} `touch {marker}`"
    script = ('printf "%s\\n" "$JOBGATE_PARAM_EVIL_NAME" "$JOBGATE_PARAM_COUNT" "$JOBGATE_PARAM_OPTS" '
              '"$JOBGATE_EXECUTION_ID" "$STATIC" "$PWD"')
    step = ShellStep({"argv": ["sh", "-c", script], "env": {"STATIC": "from-catalog"},
                      "cwd": str(tmp_path)}, SETTINGS)
    ctx = RecordingContext("exec-42")
    outcome = step.run({"evil-name": evil, "count": 3, "opts": {"a": [1, None]}}, ctx, 5)
    assert outcome == StepOutcome(0, "", process_exit=0)
    assert ctx.lines == [evil, "3", '{"a": [1, null]}', "exec-42", "from-catalog", str(tmp_path)]
    assert not marker.exists() and tmp_path.exists()
    assert len(ctx.pgids) == 2 and ctx.pgids[0] > 0 and ctx.pgids[1] is None


def test_shell_logs_stdout_and_stderr_lines():
    ctx = RecordingContext()
    step = ShellStep({"argv": ["sh", "-c", "echo out; echo err >&2; printf 'no newline'"]}, SETTINGS)
    assert step.run({}, ctx, None).exit_code == 0
    assert ctx.lines == ["out", "err", "no newline"]


def test_shell_nonzero_exit_is_failure_outcome_with_the_process_exit_status():
    step = ShellStep({"argv": ["sh", "-c", "exit 3"]}, SETTINGS)
    assert step.run({}, RecordingContext(), None) == StepOutcome(3, "exit code 3", process_exit=3)


def test_shell_killed_by_signal():
    step = ShellStep({"argv": ["sh", "-c", "kill -9 $$"]}, SETTINGS)
    assert step.run({}, RecordingContext(), None) == StepOutcome(137, "killed by signal 9")


def test_shell_leftover_background_child_is_killed():
    ctx = RecordingContext()
    step = ShellStep({"argv": ["sh", "-c", "sleep 30 & echo $!"]}, SETTINGS)
    assert step.run({}, ctx, None).exit_code == 0
    assert wait_for(lambda: process_gone(int(ctx.lines[0])))


def test_shell_cancel_kills_whole_group_including_term_ignoring_grandchild():
    ctx = RecordingContext()
    step = ShellStep({"argv": ["sh", "-c", 'trap "" TERM; sleep 30 & echo $!; wait']}, SETTINGS)
    thread, box = run_in_thread(step, {}, ctx)
    assert wait_for(lambda: ctx.lines), "grandchild pid was not printed"
    grandchild = int(ctx.lines[0])
    assert not process_gone(grandchild)
    ctx.cancel()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert box["outcome"] == StepOutcome(143, "canceled")
    assert wait_for(lambda: process_gone(grandchild))
    assert ctx.pgids[-1] is None
    assert wait_for(lambda: process_gone(ctx.pgids[0]))


def test_shell_timeout_raises_and_stops_process():
    ctx = RecordingContext()
    step = ShellStep({"argv": ["sh", "-c", "echo $$; exec sleep 30"]}, SETTINGS)
    with pytest.raises(StepTimeout, match=r"^step timed out after 0\.3 s$"):
        step.run({}, ctx, 0.3)
    assert ctx.pgids[-1] is None
    assert wait_for(lambda: process_gone(int(ctx.lines[0])))


# --- http -----------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
        if self.path == "/ok":
            self._send(200, "application/json",
                       json.dumps({"got": body, "token": self.headers.get("X-Token")}))
        elif self.path == "/text":
            self._send(200, "text/plain", "x" * 5000)
        else:
            self._send(500, "text/plain", "nope")

    def _send(self, code, content_type, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("params", [
    {"url": "ftp://example.com/"}, {"url": "file:///etc/passwd"}, {"url": "http://"}, {},
    {"url": "http://127.0.0.1/", "method": "FETCH"}, {"url": "http://127.0.0.1/", "headers": {"A": 1}},
    {"url": "http://127.0.0.1/", "timeout": 0},
])
def test_http_validate_rejects(params):
    with pytest.raises(ValueError):
        HttpStep.validate(params, SETTINGS)


def test_http_200_json_becomes_result(base_url):
    ctx = RecordingContext()
    step = HttpStep({"url": f"{base_url}/ok", "headers": {"X-Token": "t0k"}, "timeout": 2}, SETTINGS)
    assert step.run({"n": 1, "s": "x"}, ctx, None) == StepOutcome(0, "")
    assert ctx.results == [{"got": {"n": 1, "s": "x"}, "token": "t0k"}]
    assert ctx.lines == [f"POST {base_url}/ok -> 200"]


def test_http_200_non_json_result_is_truncated_text(base_url):
    ctx = RecordingContext()
    assert HttpStep({"url": f"{base_url}/text"}, SETTINGS).run({}, ctx, None).exit_code == 0
    assert ctx.results == [{"status": 200, "text": "x" * 2000}]


def test_http_500_is_failure_outcome(base_url):
    ctx = RecordingContext()
    outcome = HttpStep({"url": f"{base_url}/fail", "method": "post"}, SETTINGS).run({}, ctx, None)
    assert outcome == StepOutcome(1, "HTTP 500 Internal Server Error")
    assert ctx.results == []


def test_http_connection_refused_is_failure_outcome():
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outcome = HttpStep({"url": f"http://127.0.0.1:{port}/"}, SETTINGS).run({}, RecordingContext(), None)
    assert outcome.exit_code == 1
    assert outcome.message.startswith("request failed: ConnectionError")


# --- sleep ----------------------------------------------------------------

@pytest.mark.parametrize("seconds", [None, -1, "5", True, float("nan")])
def test_sleep_validate_rejects(seconds):
    with pytest.raises(ValueError, match="^seconds: "):
        SleepStep.validate({"seconds": seconds}, SETTINGS)


def test_sleep_reports_progress_and_ignores_client_seconds():
    ctx = RecordingContext()
    assert SleepStep({"seconds": 0.5}, SETTINGS).run({"seconds": 30}, ctx, None) == StepOutcome(0, "")
    done = [p for p, _, _ in ctx.progress_calls]
    assert len(done) >= 3 and done == sorted(done) and done[-1] == 100
    assert all(total == 100 for _, total, _ in ctx.progress_calls)


def test_sleep_zero_seconds():
    ctx = RecordingContext()
    assert SleepStep({"seconds": 0}, SETTINGS).run({}, ctx, None).exit_code == 0
    assert ctx.progress_calls == [(100, 100, 0)]


def test_sleep_cancel_stops_early():
    ctx = RecordingContext()
    thread, box = run_in_thread(SleepStep({"seconds": 30}, SETTINGS), {}, ctx)
    time.sleep(0.3)
    ctx.cancel()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert box["outcome"] == StepOutcome(143, "canceled")


def test_sleep_timeout_raises():
    with pytest.raises(StepTimeout, match=r"^step timed out after 0\.3 s$"):
        SleepStep({"seconds": 30}, SETTINGS).run({}, RecordingContext(), 0.3)


def test_sleep_timeout_longer_than_sleep_succeeds():
    assert SleepStep({"seconds": 0.2}, SETTINGS).run({}, RecordingContext(), 1).exit_code == 0


def test_shell_does_not_see_the_workers_redis_url(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://secret@127.0.0.1/0")
    monkeypatch.setenv("JOBGATE_PRINCIPALS", "/etc/secret.toml")
    ctx = RecordingContext()
    step = ShellStep({"argv": ["sh", "-c", "echo url=${REDIS_URL:-none} p=${JOBGATE_PRINCIPALS:-none}"]}, SETTINGS)
    assert step.run({}, ctx, None).exit_code == 0
    assert ctx.lines == ["url=none p=none"]


# --- what a step tells of itself: describe(params), process_exit ---------------

@pytest.mark.parametrize("step_type, params, described", [
    (PythonStep, {"callable": "tests.stepfixtures:count"}, "tests.stepfixtures:count"),
    (ShellStep, {"argv": ["/usr/bin/env", "sh", "-c", "exit 3"], "env": {"A": "b"}}, "/usr/bin/env"),
    (HttpStep, {"url": "https://user:secret@hooks.example.com:8443/run?token=x", "method": "put"},
     "PUT hooks.example.com:8443"),
    (HttpStep, {"url": "http://hooks.example.com/run"}, "POST hooks.example.com"),
    (SleepStep, {"seconds": 30}, "30s"),
    (SleepStep, {"seconds": 0.5}, "0.5s"),
])
def test_a_step_type_describes_what_it_runs_without_its_arguments(step_type, params, described):
    step_type.validate(params, SETTINGS)
    assert step_type.describe(params) == described


def test_the_service_describes_a_definitions_step_by_its_type(service):
    assert service.describe_step(StepSpec("s", "shell", params={"argv": ["sh", "-c", "echo hi"]})) == "sh"
    assert service.describe_step(StepSpec("s", "sleep", params={"seconds": 2})) == "2s"
    assert service.describe_step(StepSpec("s", "no-such-type", params={})) == ""


def test_a_process_that_did_not_end_by_itself_has_no_exit_status(tmp_path):
    killed = ShellStep({"argv": ["sh", "-c", "kill -9 $$"]}, SETTINGS).run({}, RecordingContext(), None)
    assert (killed.exit_code, killed.process_exit) == (137, None)
    ctx = RecordingContext()
    thread, box = run_in_thread(ShellStep({"argv": ["sh", "-c", "echo up; exec sleep 30"]}, SETTINGS), {}, ctx)
    assert wait_for(lambda: ctx.lines)
    ctx.cancel()
    thread.join(timeout=5)
    assert (box["outcome"].exit_code, box["outcome"].process_exit) == (143, None)
    assert PythonStep({"callable": "tests.stepfixtures:count"}, SETTINGS).run(
        {}, RecordingContext(), None).process_exit is None


@pytest.fixture(scope="module")
def inline(gateway_env):
    """A service whose API may define shell steps, and a way to run one execution of such a
    job right here with the real runner, against the suite's Redis (no worker takes it: its
    queue is its own)."""
    service = Service.from_settings(Settings.from_env(gateway_env, api_step_types=("shell", "python", "sleep")))
    caller = Principal("alice", f"steps-{uuid.uuid4().hex[:8]}")

    def run(*steps: dict) -> Execution:
        job = service.create_definition(caller, {"id": f"Inline{uuid.uuid4().hex[:8]}", "steps": list(steps)})
        queue = f"inline-{uuid.uuid4().hex[:8]}"
        execution = service.submit(caller, job.id, origin="native", queue=queue)
        try:
            Run(service, execution.id).execute()
        finally:
            service.queue.cancel(execution.id)
        return service.store.get(execution.id)

    return run


def test_a_shell_steps_exit_status_is_recorded_with_its_step(inline):
    ended = inline({"id": "Ok", "type": "shell", "params": {"argv": ["sh", "-c", "exit 0"]}},
                   {"id": "Three", "type": "shell", "params": {"argv": ["sh", "-c", "echo failing; exit 3"]}})
    assert ended.state is State.FAILED
    assert [(s.id, s.state, s.exit_code, s.process_exit) for s in ended.steps] == [
        ("Ok", State.SUCCEEDED, 0, 0), ("Three", State.FAILED, 3, 3)]


def test_no_exit_status_is_recorded_for_an_exception_or_a_timeout(inline):
    raised = inline({"id": "Raise", "type": "python", "params": {"callable": "jobgate.testing.jobs:explode"}})
    assert [(s.state, s.exit_code, s.process_exit) for s in raised.steps] == [(State.FAILED, 1, None)]
    overran = inline({"id": "Overrun", "type": "shell", "timeout": 0.5, "params": {"argv": ["sleep", "30"]}})
    assert [(s.state, s.exit_code, s.process_exit) for s in overran.steps] == [(State.FAILED, 124, None)]
