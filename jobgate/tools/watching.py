"""`jobgate watch` and `submit --watch`: an execution's step, counts and ETA until it ends.

On a terminal a rich live line redraws in place; anywhere else (a pipe, a CI log)
a plain line is printed each time what it says changes, so logs stay readable.
`--follow-log` prints the execution's log as it grows, above the live line.
"""
from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from jobgate.model import TERMINAL

ENDED = {state.value for state in TERMINAL}
#: Seconds between two reads of the execution
POLL = 0.5


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


def watch(api, execution_id: str, *, follow_log: bool = False, out=None) -> int:
    """Follow one execution until it ends: 0 if it succeeded, else 1."""
    out = out or sys.stdout
    console = Console(file=out, highlight=False)
    live = Live(console=console, auto_refresh=False, transient=False) if console.is_terminal else None
    eta, offset, last = Eta(), 0, None
    if live:
        live.start()
    try:
        while True:
            execution = api.call("GET", f"/executions/{execution_id}").json()
            if follow_log:
                offset = _print_log(api, execution_id, offset, console)
            line = describe(execution, eta(execution["progress"]["percent"], execution["state"] == "RUNNING",
                                           time.monotonic()))
            if live:
                live.update(_bar(execution["progress"]["percent"], line), refresh=True)
            elif line != last:
                console.print(line, soft_wrap=True, markup=False)
            last = line
            if execution["state"] in ENDED:
                break
            time.sleep(POLL)
    finally:
        if live:
            live.stop()
    if execution["message"]:
        console.print(execution["message"], soft_wrap=True, markup=False)
    return 0 if execution["state"].startswith("SUCCEEDED") else 1


def _bar(percent: float, line: str) -> Table:
    view = Table.grid(padding=(0, 1))
    view.add_row(ProgressBar(total=100, completed=percent, width=30), Text(line))
    return view


def _print_log(api, execution_id: str, offset: int, console: Console) -> int:
    """Print what the log gained since `offset`; the new offset."""
    response = api.call("GET", f"/executions/{execution_id}/log", params={"offset": offset})
    if response.content:
        console.out(response.content.decode(errors="replace"), end="", highlight=False)
    return int(response.headers.get("X-Log-Offset", offset + len(response.content)))
