"""What the conformance suite needs from a dialect, spoken over its own wire.

A driver knows one dialect's paths, bodies, auth style and fault documents,
and translates what it reads into the small vocabulary below, so one suite
checks every dialect the same way (as SQLAlchemy's testing suite does).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import requests

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELED", "DIED"}


@dataclass
class Snapshot:
    id: str                                  # the id as this dialect shows it
    state: str                               # canonical name, read from the dialect's own state word
    message: str = ""
    steps: list[tuple[str, str]] = field(default_factory=list)   # (step id, canonical state)


class WireError(Exception):
    """A fault the driver parsed: HTTP status and a canonical kind
    (not_found, unauthorized, already_running, not_finished, invalid ...)."""

    def __init__(self, status: int, kind: str, body=None):
        super().__init__(f"{status} {kind}: {body}")
        self.status, self.kind, self.body = status, kind, body


class WireDriver:
    name: str = ""
    #: what the dialect exposes: steps, log, result, cancel, delete, paging, restart
    capabilities: frozenset[str] = frozenset()
    #: the canonical state a dialect shows for a run whose worker died
    died_as: str = "DIED"
    #: whether deleting an unfinished execution cancels it and removes it once it ends
    #: (Sahara) rather than being refused as not finished
    deletes_unfinished: bool = False

    def __init__(self, base_url: str, token: str | None):
        self.base_url = base_url
        self.token = token
        self.http = requests.Session()

    # each driver implements these in its own wire format
    def submit(self, job: str, parameters: dict | None = None) -> str: raise NotImplementedError
    def get(self, ref: str) -> Snapshot: raise NotImplementedError
    def page(self, job: str, offset: int, limit: int) -> tuple[list[str], int]: raise NotImplementedError
    def cancel(self, ref: str) -> None: raise NotImplementedError
    def delete(self, ref: str) -> None: raise NotImplementedError
    def log(self, ref: str) -> str: raise NotImplementedError
    def result(self, ref: str): raise NotImplementedError
    def restart(self, ref: str) -> str: raise NotImplementedError
    def ref(self, uuid: str, seq: int) -> str:
        """This dialect's id for a canonical execution."""
        raise NotImplementedError

    def wait(self, ref: str, timeout: float = 30.0, until=TERMINAL) -> Snapshot:
        deadline = time.monotonic() + timeout
        while True:
            snapshot = self.get(ref)
            if snapshot.state in until or time.monotonic() > deadline:
                return snapshot
            time.sleep(0.1)
