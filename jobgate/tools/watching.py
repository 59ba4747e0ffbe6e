"""`jobgate watch`, `submit --watch` and `logs -f`: an execution followed until it ends.

They read its event stream (GET /executions/{id}/events: server-sent events), so each
change shows as it happens, with no polling. `watch` shows its step, counts and ETA: on
a terminal a rich live line redraws in place; anywhere else (a pipe, a CI log) a plain
line is printed each time what it says changes, so logs stay readable. `--follow-log`
prints the execution's log as it is written, above the live line; `logs -f` only that.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Iterator

from rich.console import Console
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from jobgate.tools.events import Received, received


class Eta:
    """Seconds left, from the rate percent has grown at since this watch first saw it move."""

    def __init__(self):
        self.first: tuple[float, float] | None = None

    def __call__(self, percent: float, running: bool, now: float) -> float | None:
        if not running:
            return None
        if self.first is None:
            self.first = (now, percent)
            return None
        since, start = self.first
        return None if percent <= start else (now - since) * (100 - percent) / (percent - start)


def describe(execution: dict, eta: float | None) -> str:
    """One line: percent, state, the step it is on, the counts and the time left."""
    progress, steps = execution["progress"], execution.get("steps") or []
    parts = [f"{progress['percent']:5.1f}% {execution['state']:<10}"]
    if steps:
        started = [i for i, step in enumerate(steps) if step.get("started")]
        current = next((i for i in started if steps[i].get("state") == "RUNNING"), started[-1] if started else 0)
        parts.append(f"step {current + 1}/{len(steps)} {steps[current]['id']}")
    if progress.get("total"):
        parts.append(f"{progress['processed']}/{progress['total']} processed, {progress['failed']} failed")
    if eta is not None:
        parts.append(f"ETA {_duration(eta)}")
    return "  ".join(parts)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def events(api, execution_id: str) -> Iterator[Received]:
    """Its events from its start, until the gateway ends the stream after its end."""
    response = api.call("GET", f"/executions/{execution_id}/events", stream=True)
    with response:
        yield from received(response.iter_lines(decode_unicode=True))


def follow_log(api, execution_id: str, out=None) -> int:
    """`logs -f`: print its log as it is written until it ends: 0 if it succeeded, else 1."""
    out = out or sys.stdout
    for event in events(api, execution_id):
        if event.type == "log":
            out.write(event.data["text"])
            out.flush()
    return _outcome(api, execution_id)[0]


def watch(api, execution_id: str, *, follow_log: bool = False, out=None) -> int:
    """Follow one execution until it ends: 0 if it succeeded, else 1."""
    out = out or sys.stdout
    console = Console(file=out, highlight=False)
    live = Live(console=console, auto_refresh=False, transient=False) if console.is_terminal else None
    execution = api.call("GET", f"/executions/{execution_id}").json()
    eta, last = Eta(), None
    if live:
        live.start()
    try:
        for event in events(api, execution_id):
            if event.type == "log":
                if follow_log:
                    console.out(event.data["text"], end="", highlight=False)
                continue
            _apply(execution, event)
            line = describe(execution, eta(execution["progress"]["percent"], execution["state"] == "RUNNING",
                                           time.monotonic()))
            if live:
                live.update(_bar(execution["progress"]["percent"], line), refresh=True)
            elif line != last:
                console.print(line, soft_wrap=True, markup=False)
            last = line
    finally:
        if live:
            live.stop()
    code, message = _outcome(api, execution_id)
    if message:
        console.print(message, soft_wrap=True, markup=False)
    return code


def _apply(execution: dict, event: Received) -> None:
    """What one event changed, onto the execution as the API showed it."""
    execution["state"] = event.data["state"]
    if "progress" in event.data:
        execution["progress"] = event.data["progress"]
    if "step" in event.data and event.data["index"] < len(execution.get("steps") or []):
        execution["steps"][event.data["index"]] = event.data["step"]


def _outcome(api, execution_id: str) -> tuple[int, str]:
    """The exit code its end calls for (0: it succeeded), and its message."""
    execution = api.call("GET", f"/executions/{execution_id}").json()
    return (0 if execution["state"].startswith("SUCCEEDED") else 1), execution["message"]


def _bar(percent: float, line: str) -> Table:
    view = Table.grid(padding=(0, 1))
    view.add_row(ProgressBar(total=100, completed=percent, width=30), Text(line))
    return view
