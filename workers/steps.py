"""Step types a job is made of: python, shell, http and sleep.

Step params come from the operator's catalog and are validated when it is
loaded; the client's parameters are only ever passed on as data (a function
argument, environment variables, a JSON body), never as code or argv.
"""
from __future__ import annotations

import importlib
import json
import math
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit

import requests

from jobgate.settings import Settings
from jobgate.tools.processes import group_alive


class StepContext(Protocol):
    """What the runner hands to a step (structural, so any matching object works)."""

    execution_id: str

    def progress(self, processed: int, total: int, failed: int = 0) -> None: ...
    def log(self, line: str) -> None: ...
    def set_result(self, data: Any) -> None: ...
    def record(self, keys: dict[str, str], *, failed: bool = False, message: str = "", data: Any = None) -> None: ...
    def track_process_group(self, pgid: int | None) -> None: ...
    def cancelled(self) -> bool: ...


@dataclass
class StepOutcome:
    """exit_code 0 means success; message says why not (e.g. "exit code 3").

    `process_exit` is the exit status of a process the step ran that ended by itself
    (0 included); None when no process of its own ran to an end (a python call, an
    HTTP request, a process the step stopped or a signal killed)."""

    exit_code: int = 0
    message: str = ""
    process_exit: int | None = None


class StepTimeout(Exception):
    """Raised by a step after it stopped work that overran its timeout."""


def _timed_out(timeout: float) -> StepTimeout:
    return StepTimeout(f"step timed out after {timeout:g} s")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_str_table(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


CANCEL_EXIT = 128 + signal.SIGTERM  # what a shell reports for a SIGTERM-ed command: 143


class Step:
    """Base class: validates params on construction so no step runs unchecked."""

    type_name: ClassVar[str]

    @classmethod
    def validate(cls, params: dict, settings: Settings) -> None:
        raise NotImplementedError

    @classmethod
    def describe(cls, params: dict) -> str:
        """What a step with these (validated) params runs, without its arguments, for
        dialects that show it (OCAPI's step_type_info); "" when there is nothing to say."""
        return ""

    @classmethod
    def duration(cls, params: dict) -> float | None:
        """How long a step with these (validated) params runs at least, when they say (a sleep's
        seconds), so a tenant's quota can refuse a job that would overrun it; None: they do not."""
        return None

    def __init__(self, params: dict, settings: Settings):
        self.validate(params, settings)
        self.params = params
        self.settings = settings

    def run(self, parameters: dict, ctx: StepContext, timeout: float | None) -> StepOutcome:
        raise NotImplementedError


class _ResultWatch:
    """Wraps the context to notice whether a python callable set a result itself."""

    def __init__(self, ctx: StepContext):
        self._ctx = ctx
        self.result_set = False

    def set_result(self, data: Any) -> None:
        self.result_set = True
        self._ctx.set_result(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)


class PythonStep(Step):
    """Calls ``fn(parameters, ctx)`` from an operator allow-listed module.

    The timeout cannot be enforced here (a thread cannot be killed); the
    runner's job-level timeout (RQ job_timeout) covers python steps, and
    long callables should poll ``ctx.cancelled()`` themselves.
    """

    type_name = "python"

    @classmethod
    def validate(cls, params: dict, settings: Settings) -> None:
        target = params.get("callable")
        module, sep, func = target.partition(":") if isinstance(target, str) else ("", "", "")
        if not sep or not func.isidentifier() or not all(p.isidentifier() for p in module.split(".")):
            raise ValueError(f"callable: expected 'package.module:function', got {target!r}")
        if not any(module == p or module.startswith(p + ".") for p in settings.python_allow):
            allowed = ", ".join(settings.python_allow) or "none configured"
            raise ValueError(f"callable: module {module!r} is not under an allowed prefix ({allowed})")

    @classmethod
    def describe(cls, params: dict) -> str:
        """The callable, "package.module:function"."""
        return str(params.get("callable", ""))

    def run(self, parameters: dict, ctx: StepContext, timeout: float | None) -> StepOutcome:
        module, _, func = self.params["callable"].partition(":")
        fn = getattr(importlib.import_module(module), func)
        watch = _ResultWatch(ctx)
        result = fn(parameters, watch)
        if result is not None and not watch.result_set:
            ctx.set_result(result)
        return StepOutcome()


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _pump(stream, ctx: StepContext) -> None:
    """Log the step's output to its end, then close it: the end may come after the step's, when a
    process that escaped its group held the pipe open until the runner killed it."""
    with stream:
        for line in stream:
            ctx.log(line.rstrip("\n"))


class ShellStep(Step):
    """Runs an argv in its own process group; client parameters arrive as env vars."""

    type_name = "shell"

    @classmethod
    def validate(cls, params: dict, settings: Settings) -> None:
        argv = params.get("argv")
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise ValueError("argv: must be a non-empty list of strings")
        env = params.get("env", {})
        if not _is_str_table(env):
            raise ValueError("env: must be a table of string values")
        if not isinstance(params.get("cwd", ""), str):
            raise ValueError("cwd: must be a string")

    @classmethod
    def describe(cls, params: dict) -> str:
        """The program, argv[0]."""
        return (params.get("argv") or [""])[0]

    def _env(self, parameters: dict, ctx: StepContext) -> dict[str, str]:
        """The worker's environment less its own secrets (the Redis URL, jobgate's
        settings), plus the catalog's static env and the client's parameters."""
        inherited = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("JOBGATE_")}
        env = {**inherited, **self.params.get("env", {})}
        for name, value in parameters.items():
            key = "JOBGATE_PARAM_" + re.sub(r"[^A-Z0-9_]", "_", name.upper())
            env[key] = value if isinstance(value, str) else json.dumps(value)
        env["JOBGATE_EXECUTION_ID"] = ctx.execution_id
        return env

    def _stop(self, proc: subprocess.Popen) -> None:
        """SIGTERM the group, allow kill_grace for a clean exit, then SIGKILL what is left."""
        _killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.settings.kill_grace
        while time.monotonic() < deadline and (proc.poll() is None or group_alive(proc.pid)):
            time.sleep(0.05)
        _killpg(proc.pid, signal.SIGKILL)

    def run(self, parameters: dict, ctx: StepContext, timeout: float | None) -> StepOutcome:
        proc = subprocess.Popen(
            self.params["argv"], cwd=self.params.get("cwd"), env=self._env(parameters, ctx),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace", bufsize=1, start_new_session=True,
        )
        ctx.track_process_group(proc.pid)  # start_new_session: pgid == pid
        reader = threading.Thread(target=_pump, args=(proc.stdout, ctx), daemon=True)
        reader.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while proc.poll() is None:
                if ctx.cancelled():
                    self._stop(proc)
                    return StepOutcome(CANCEL_EXIT, "canceled")
                if deadline is not None and time.monotonic() >= deadline:
                    self._stop(proc)
                    raise _timed_out(timeout)
                try:
                    proc.wait(timeout=0.2)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            _killpg(proc.pid, signal.SIGKILL)  # background children outliving the leader
            proc.wait()
            reader.join(timeout=2.0)      # not closing the pipe here: that would wait for the reader
            ctx.track_process_group(None)
        code = proc.returncode
        if code < 0:
            return StepOutcome(128 - code, f"killed by signal {-code}")
        return StepOutcome(code, f"exit code {code}" if code else "", process_exit=code)


class HttpStep(Step):
    """Sends the client's parameters as a JSON body to an operator-chosen URL."""

    type_name = "http"
    METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

    @classmethod
    def validate(cls, params: dict, settings: Settings) -> None:
        url = params.get("url")
        parts = urlsplit(url) if isinstance(url, str) else None
        if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"url: must be an http(s) URL, got {url!r}")
        method = params.get("method", "POST")
        if not isinstance(method, str) or method.upper() not in cls.METHODS:
            raise ValueError(f"method: must be one of {', '.join(cls.METHODS)}")
        headers = params.get("headers", {})
        if not _is_str_table(headers):
            raise ValueError("headers: must be a table of string values")
        if "timeout" in params and not (_is_number(params["timeout"]) and params["timeout"] > 0):
            raise ValueError("timeout: must be a positive number of seconds")

    @classmethod
    def describe(cls, params: dict) -> str:
        """The method and the host (with its port, never user info, path or query): "POST api.example.com"."""
        host = urlsplit(params.get("url", "")).netloc.rpartition("@")[2]
        return f"{str(params.get('method', 'POST')).upper()} {host}"

    def run(self, parameters: dict, ctx: StepContext, timeout: float | None) -> StepOutcome:
        method, url = self.params.get("method", "POST").upper(), self.params["url"]
        limits = [t for t in (self.params.get("timeout"), self.settings.http_timeout, timeout)
                  if t is not None]
        try:
            response = requests.request(method, url, headers=self.params.get("headers", {}),
                                        json=parameters, timeout=min(limits))
        except requests.RequestException as exc:
            if isinstance(exc, requests.Timeout) and timeout is not None and timeout <= min(limits):
                raise _timed_out(timeout) from exc  # the step's own deadline was the one hit
            return StepOutcome(1, f"request failed: {type(exc).__name__}: {exc}")
        ctx.log(f"{method} {url} -> {response.status_code}")
        if not 200 <= response.status_code < 300:
            return StepOutcome(1, f"HTTP {response.status_code} {response.reason}")
        try:
            ctx.set_result(response.json())
        except ValueError:
            ctx.set_result({"status": response.status_code, "text": response.text[:2000]})
        return StepOutcome()


class SleepStep(Step):
    """Waits the catalog's ``seconds`` (clients cannot change it), reporting percent done."""

    type_name = "sleep"
    TICK = 0.2

    @classmethod
    def validate(cls, params: dict, settings: Settings) -> None:
        seconds = params.get("seconds")
        if not _is_number(seconds) or seconds < 0:
            raise ValueError("seconds: must be a number >= 0")

    @classmethod
    def describe(cls, params: dict) -> str:
        """How long it waits, "30s"."""
        return f"{params.get('seconds')}s"

    @classmethod
    def duration(cls, params: dict) -> float | None:
        return float(params["seconds"])

    def run(self, parameters: dict, ctx: StepContext, timeout: float | None) -> StepOutcome:
        seconds = float(self.params["seconds"])
        start = time.monotonic()
        while True:
            elapsed = time.monotonic() - start
            ctx.progress(min(100, int(100 * elapsed / seconds)) if seconds else 100, 100)
            if elapsed >= seconds:
                return StepOutcome()
            if ctx.cancelled():
                return StepOutcome(CANCEL_EXIT, "canceled")
            if timeout is not None and elapsed >= timeout:
                raise _timed_out(timeout)
            until = seconds if timeout is None else min(seconds, timeout)
            time.sleep(max(0.0, min(self.TICK, until - elapsed)))
