"""What the conformance suite needs from a dialect, spoken over its own wire.

A driver knows one dialect's paths, bodies, auth style and fault documents,
and translates what it reads into the small canonical vocabulary below
(`Snapshot`, `DefinitionSnapshot`, `ScheduleSnapshot`, `WireError`), so one
suite checks every dialect the same way, as SQLAlchemy's testing suite does.

A driver implements the operations of every capability its Dialect declares
(`OPERATIONS`) and no others; what a dialect supports is declared once, on
its Dialect object, and never again here. Every driver also says how it sends
(`credentials`), how it reads a fault (`fault`) and what its clients send
(`samples`), for the input checks.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

TERMINAL = frozenset({"SUCCEEDED", "SUCCEEDED_WITH_WARNINGS", "FAILED", "CANCELED", "DIED"})


@dataclass
class Snapshot:
    """One execution as a dialect shows it, in canonical words."""
    id: str                                  # the id as this dialect shows it
    state: str                               # canonical name, read from the dialect's own state word
    message: str = ""
    steps: list[tuple[str, str]] = field(default_factory=list)   # (step id, canonical state)
    definition: str | None = None            # the job as a client of this dialect names it when submitting
    parameters: dict[str, Any] = field(default_factory=dict)
    started: datetime | None = None          # UTC
    ended: datetime | None = None            # UTC


@dataclass
class DefinitionSnapshot:
    id: str                                  # the id this dialect addresses the job by
    name: str                                # what `submit` takes
    description: str = ""


@dataclass
class ScheduleSnapshot:
    id: str
    definition: str
    cron: str
    paused: bool


class WireError(Exception):
    """A fault the driver parsed: HTTP status and a canonical kind
    (not_found, unauthorized, already_running, not_finished, not_restartable, invalid, unavailable ...)."""

    def __init__(self, status: int, kind: str, body=None):
        super().__init__(f"{status} {kind}: {body}")
        self.status, self.kind, self.body = status, kind, body


def utc(text: str | None) -> datetime | None:
    """An ISO-8601 timestamp as an aware UTC datetime (no zone given: UTC)."""
    if not text:
        return None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class Sample:
    """A request as this dialect's clients send it, which the input checks vary field by field
    (jobgate.testing.suite.test_inputs): a path under the gateway, a JSON body, a query, headers."""
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


class WireDriver:
    #: the Dialect's name (its entry-point name)
    name: str = ""

    def __init__(self, base_url: str, token: str | None):
        self.base_url = base_url
        self.token = token
        self.http = requests.Session()
        #: headers sent with every request besides the credential (`sending`)
        self.extra_headers: dict[str, str] = {}

    def sending(self, headers: dict[str, str]) -> WireDriver:
        """This driver (its credential and session) sending `headers` with every request too:
        `driver.sending({"Idempotency-Key": key}).submit(...)`."""
        other = copy.copy(self)
        other.extra_headers = {**self.extra_headers, **headers}
        return other

    # -- the wire -------------------------------------------------------------------
    def credentials(self) -> dict[str, str]:
        """The headers carrying this driver's credential (none: the session carries it, or no token)."""
        return {}

    def send(self, method: str, path: str, *, headers: dict | None = None, **options) -> requests.Response:
        """A request to `path` (under the gateway) with this driver's credential, as sent: no fault is read."""
        sent = {**self.credentials(), **self.extra_headers, **(headers or {})}
        return self.http.request(method, self.base_url + path, headers=sent, timeout=10, **options)

    def call(self, method: str, path: str, **options) -> requests.Response:
        """`send`, raising the fault of a response of 400 or more (`fault`)."""
        response = self.send(method, path, **options)
        if response.status_code >= 400:
            raise self.fault(response)
        return response

    def fault(self, response: requests.Response) -> WireError:
        """The fault a response of 400 or more carries, read as this dialect's clients read it; an
        AssertionError when its body is not this dialect's fault document."""
        raise NotImplementedError

    def samples(self) -> list[Sample]:
        """Requests this dialect's clients send (submits of `FuzzedJob`, searches, filtered lists),
        for the input checks to vary."""
        raise NotImplementedError

    # -- every dialect --------------------------------------------------------------
    def submit(self, job: str, parameters: dict | None = None) -> str: raise NotImplementedError
    def get(self, ref: str) -> Snapshot: raise NotImplementedError

    def page(self, job: str, offset: int, limit: int) -> tuple[list[str], int]:
        """Ids of executions of `job` from `offset` (at most `limit`), and how many there are."""
        raise NotImplementedError

    def ref(self, uuid: str, seq: int) -> str:
        """This dialect's id for a canonical execution."""
        raise NotImplementedError

    # -- per capability (see OPERATIONS) -------------------------------------------
    def cancel(self, ref: str) -> None: raise NotImplementedError
    def delete(self, ref: str) -> None: raise NotImplementedError
    def log(self, ref: str) -> str: raise NotImplementedError
    def result(self, ref: str): raise NotImplementedError
    def restart(self, ref: str) -> str: raise NotImplementedError

    def cursor_page(self, job: str, limit: int, cursor: str | None = None) -> tuple[list[str], str | None]:
        """One page of executions of `job` after `cursor`, and the cursor of the next (None: the end)."""
        raise NotImplementedError

    def definitions(self) -> list[str]: raise NotImplementedError
    def definition(self, ref: str) -> DefinitionSnapshot: raise NotImplementedError

    def create_definition(self, name: str, description: str) -> str:
        """A job that succeeds quickly, made through this dialect's wire; returns its ref."""
        raise NotImplementedError

    def update_definition(self, ref: str, description: str) -> None: raise NotImplementedError
    def delete_definition(self, ref: str) -> None: raise NotImplementedError

    def create_schedule(self, job: str, cron: str, parameters: dict) -> str: raise NotImplementedError
    def schedule(self, ref: str) -> ScheduleSnapshot: raise NotImplementedError
    def pause_schedule(self, ref: str) -> None: raise NotImplementedError
    def delete_schedule(self, ref: str) -> None: raise NotImplementedError

    # -- shared -------------------------------------------------------------------
    def wait(self, ref: str, timeout: float = 30.0, until=TERMINAL) -> Snapshot:
        """Poll until the state is in `until`; after `timeout` return what is there."""
        deadline = time.monotonic() + timeout
        while True:
            snapshot = self.get(ref)
            if snapshot.state in until or time.monotonic() > deadline:
                return snapshot
            time.sleep(0.1)

    @classmethod
    def implements(cls, operation: str) -> bool:
        return getattr(cls, operation) is not getattr(WireDriver, operation)


#: capability -> the driver operations a dialect declaring it must speak
OPERATIONS: dict[str, tuple[str, ...]] = {
    "cancel": ("cancel",),
    "delete": ("delete",),
    "log": ("log",),
    "result": ("result",),
    "restart": ("restart",),
    "steps": (),                             # read through get(): Snapshot.steps
    "cursor_paging": ("cursor_page",),
    "definitions": ("definitions", "definition", "create_definition", "update_definition", "delete_definition"),
    "schedules": ("create_schedule", "schedule", "pause_schedule", "delete_schedule"),
}
