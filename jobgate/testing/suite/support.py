"""What the shared tests look at beside the wire: the canonical record, step processes."""
from __future__ import annotations

import json
import os
import re
import time
from datetime import UTC, datetime, timedelta

from jobgate.model import Execution, Principal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def canonical(service, driver, ref) -> Execution:
    """The canonical execution behind a dialect's id."""
    return service.store.get(ref) or service.store.get(driver.get(ref).id)


def cancel_through_service(service, driver, ref) -> None:
    """Stop what a test started, for dialects that have no cancel of their own."""
    service.cancel(Principal("alice", "acme"), canonical(service, driver, ref).id)


def truncated(moment: datetime | None, precision: timedelta) -> datetime | None:
    """A canonical time as a dialect showing `precision` shows it."""
    return None if moment is None else moment - (moment - EPOCH) % precision


def as_text(values: dict) -> set[tuple[str, str]]:
    """Parameters as (name, text) pairs: dialects whose parameters are strings show JSON text."""
    return {(name, value if isinstance(value, str) else json.dumps(value)) for name, value in values.items()}


def child_pid(service, execution, timeout=15) -> int:
    """The pid a step printed as `child=PID` into its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(rb"child=(\d+)", service.store.read_log(execution.id))
        if found:
            return int(found.group(1))
        time.sleep(0.1)
    raise AssertionError("the step never printed its child pid")


def gone(pid, timeout=10) -> bool:
    """Whether the process exits (or is a zombie) within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def processes_with(*markers: bytes) -> list[int]:
    """Pids whose environment holds every marker (a worker of the suite's and its forks)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                variables = environ.read().split(b"\0")
        except (FileNotFoundError, PermissionError, NotADirectoryError, ProcessLookupError):
            continue
        if all(marker in variables for marker in markers):
            found.append(int(entry))
    return found


def eventually(probe, timeout=20, interval=0.3):
    """Poll `probe` until it returns something true; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
