"""SAS Job Execution's fixed-name tables: the state map, media types, timestamps, links.

`timedOut` is a FAILED run whose step hit its time limit (the runner's exit code
124); a worker that vanished (DIED) shows as `failed` with the reason in `error`.
"""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from jobgate.kit.states import StateMap
from jobgate.model import Execution, State

ROOT = "/jobExecution"
DEFINITIONS = "/jobDefinitions/definitions"
FILES = "/files/files"
NAMESPACE = "sas"
#: the runner's exit code for a run stopped at its time limit
TIMED_OUT = 124

API = "application/vnd.sas.api+json"
JOB = "application/vnd.sas.job.execution.job+json"
JOB_REQUEST = "application/vnd.sas.job.execution.job.request+json"
COLLECTION = "application/vnd.sas.collection+json"
SELECTION = "application/vnd.sas.selection+json"
SUMMARY = "application/vnd.sas.summary+json"
ERROR = "application/vnd.sas.error+json"
PROVIDER = "application/vnd.sas.job.execution.provider+json"
PROVIDER_SUMMARY = "application/vnd.sas.job.execution.provider.summary+json"
DEFINITION = "application/vnd.sas.job.definition+json"
FILE = "application/vnd.sas.file+json"
TEXT = "text/plain"


def _timed_out(execution: Execution) -> bool:
    return execution.exit_code == TIMED_OUT


#: (canonical state, SAS job state[, condition]); the first matching row wins.
STATES: StateMap[str] = StateMap((
    (State.CREATED, "pending"),
    (State.QUEUED, "pending"),
    (State.RUNNING, "running"),
    (State.SUCCEEDED, "completed"),
    (State.SUCCEEDED_WITH_WARNINGS, "completed"),
    (State.FAILED, "timedOut", _timed_out),
    (State.FAILED, "failed"),
    (State.CANCELED, "canceled"),
    (State.DIED, "failed"),
))
#: words whose rows carry conditions: the state index alone cannot tell them apart
CONDITIONAL = frozenset({"failed", "timedOut"})


def stamp(moment: datetime | None) -> str | None:
    """`yyyy-MM-ddTHH:mm:ss.SSSZ`, UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_stamp(text: str) -> datetime:
    """The reverse of `stamp` (a ValueError for anything else)."""
    if len(text) != 24 or not text.endswith("Z") or text[10] != "T":
        raise ValueError(text)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def link(rel: str, href: str, method: str = "GET", type: str | None = None, **more) -> dict:
    """A SAS link: href and uri are the same server-relative path; media types without `+json`."""
    doc = {"method": method, "rel": rel, "href": href, "uri": href}
    if type:
        doc["type"] = _bare(type)
    doc.update({k: _bare(v) for k, v in more.items()})
    return doc


def _bare(media: str) -> str:
    return media.removesuffix("+json")


def text(value) -> str:
    """An argument or result value as the string SAS maps hold."""
    return value if isinstance(value, str) else json.dumps(value)


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
#: seconds per unit of a W3C XML duration (a year as 365 days, a month as 30)
_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


def parse_duration(value: str) -> float:
    """`P30D`, `PT1H30M` ... in seconds (a ValueError for anything else)."""
    found = _DURATION.match(value or "")
    if not found or value in ("P", "PT") or value.endswith("T"):
        raise ValueError(value)
    return sum(float(part) * unit for part, unit in zip(found.groups(), _UNITS, strict=True) if part)
