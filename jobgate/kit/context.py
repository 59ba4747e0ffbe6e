"""What log lines carry of the work they are about: a request's id, dialect and tenant; the
execution id and tenant of the job a worker runs. Held in a context variable (each request's
thread or greenlet has its own) that jobgate.tools.logs reads for every line; a request's
are also kept in its WSGI environ, for gunicorn's access line, logged once the app has answered.

A request's id is the client's `X-Request-Id` (Heroku's router sets one) when it is sane,
1 to 200 printable ASCII characters without spaces, so no log line or header can be forged
with it; else a new one.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

#: the WSGI environ key holding the request's fields
ENVIRON = "jobgate.log"
SANE_ID = re.compile(r"[\x21-\x7e]{1,200}")

_current: ContextVar[Mapping[str, str] | None] = ContextVar("jobgate_log_fields", default=None)


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def start(environ: dict, incoming: str | None, dialect: str | None) -> str:
    """The request's id (the client's, when sane); its lines carry it and the dialect until `end`."""
    request_id = incoming if incoming and SANE_ID.fullmatch(incoming) else new_id()
    environ[ENVIRON] = {"request_id": request_id}
    _current.set(environ[ENVIRON])
    note(environ, dialect=dialect)
    return request_id


def note(environ: dict, **fields: str | None) -> None:
    """More of what the request's lines carry, as it becomes known (its tenant)."""
    environ.setdefault(ENVIRON, {}).update(_known(fields))


def end() -> None:
    _current.set(None)


def fields(environ: dict) -> Mapping[str, str]:
    """A request's fields, from its WSGI environ."""
    return environ.get(ENVIRON, {})


def current() -> Mapping[str, str]:
    """The fields of the work at hand."""
    return _current.get() or {}


@contextmanager
def bound(**fields: str | None) -> Iterator[None]:
    """Lines logged inside carry these fields too (those not None)."""
    token = _current.set({**current(), **_known(fields)})
    try:
        yield
    finally:
        _current.reset(token)


def _known(fields: Mapping[str, str | None]) -> dict[str, str]:
    return {name: value for name, value in fields.items() if value}
