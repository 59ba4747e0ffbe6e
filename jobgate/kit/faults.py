"""Turn anything raised while serving a request into one canonical Fault.

Dialects render a Fault in their own format; the core decides what it is:
a canonical error, a routing or parsing HTTP error, or an unexpected crash
(logged with its stack trace and a request id, shown without either).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import BadRequest, ClientDisconnected, HTTPException

from jobgate import errors
from jobgate.errors import JobgateError

log = logging.getLogger("jobgate")

#: HTTP errors raised by Flask, werkzeug or webargs, as canonical codes.
_HTTP_CODES = {
    400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 408: "request_timeout", 409: "conflict",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid", 429: "too_many_requests",
    431: "headers_too_large", 501: "not_implemented", 503: "unavailable",
}


class MalformedBody(BadRequest):
    """A body refused before its dialect's parser reads it (kit.inputs): the `description` says why."""


@dataclass
class Fault:
    status: int
    code: str
    message: str
    request_id: str = ""
    details: Any = None
    context: dict[str, Any] = field(default_factory=dict)
    error: Exception | None = None     # the canonical error, when there is one
    #: response headers the fault needs whatever the dialect's format (Retry-After); the app adds them
    headers: dict[str, str] = field(default_factory=dict)

    def is_(self, error_class: type) -> bool:
        return isinstance(self.error, error_class)


def fault_from(exc: Exception, request_id: str) -> Fault:
    if _timed_out(exc):
        return Fault(408, "request_timeout", "the request body stopped coming", request_id)
    if isinstance(exc, JobgateError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
        return Fault(exc.status, exc.code, exc.message, request_id, exc.details, dict(exc.context), exc, headers)
    if isinstance(exc, MalformedBody):
        return Fault(400, "malformed_body", exc.description, request_id, {"json": [exc.description]})
    if (isinstance(exc, HTTPException) and exc.code and (exc.code < 500 or exc.code == 501)) \
            or getattr(exc, "code", None) == 503:
        data = getattr(exc, "data", None) or {}
        details = data.get("messages") or data.get("errors")
        message = data.get("message") or exc.description or exc.name
        if details and exc.code in (400, 422):
            message = "the request is not valid"
            if "json" in details and details["json"] == ["Invalid JSON body."]:
                return Fault(400, "malformed_body", "the body is not valid JSON", request_id, details)
        return Fault(exc.code, _HTTP_CODES.get(exc.code, "http_error"), message, request_id, details)
    original = getattr(exc, "original_exception", None) or exc
    log.error("request %s failed", request_id, exc_info=original)
    return Fault(500, "internal", f"internal error; quote request id {request_id}", request_id)


def _timed_out(exc: Exception) -> bool:
    """A read from the client that outlasted the server's client timeout: raw, or as werkzeug
    words a failed read (ClientDisconnected, a 400)."""
    return isinstance(exc, TimeoutError) or (isinstance(exc, ClientDisconnected)
                                             and isinstance(exc.__context__, TimeoutError))


#: Every canonical fault code: the canonical errors' and the HTTP ones above. Each
#: dialect's FaultMap resolves all of them (the suite checks it).
CODES = frozenset({cls.code for cls in vars(errors).values()
                   if isinstance(cls, type) and issubclass(cls, JobgateError)}
                  | set(_HTTP_CODES.values()) | {"malformed_body", "http_error"})


@dataclass(frozen=True)
class FaultType:
    """How a dialect shows one kind of fault: status, its own type name or code, and
    optionally a message template and the argument it names (formatted from the fault)."""
    status: int
    name: str
    message: str | None = None
    argument: str | None = None


class FaultMap:
    """A dialect's fault table under the fixed name `Dialect.faults`: canonical code -> FaultType.

    A code missing from the table falls back to its error's parent classes
    (`execution_not_found` -> `not_found`), then to `default` (an entry, or a function
    of the fault making one).
    """

    def __init__(self, table: dict[str, FaultType | tuple],
                 default: FaultType | tuple | Callable[[Fault], FaultType] | None = None):
        self.table = {code: kind if isinstance(kind, FaultType) else FaultType(*kind) for code, kind in table.items()}
        unknown = set(self.table) - CODES
        if unknown:
            raise ValueError(f"fault map names unknown codes {sorted(unknown)}")
        self.default = FaultType(*default) if isinstance(default, tuple) else default

    def lookup(self, fault: Fault) -> FaultType | None:
        """The entry for a fault: its own code's, a parent's, else the default (None without one)."""
        for code in self._codes(fault):
            if code in self.table:
                return self.table[code]
        return self.default(fault) if callable(self.default) else self.default

    def covers(self, code: str) -> bool:
        return self.default is not None or any(c in self.table for c in _chain(code, ()))

    @staticmethod
    def _codes(fault: Fault) -> list[str]:
        classes = type(fault.error).__mro__ if fault.error is not None else _CLASSES.get(fault.code, ())
        return _chain(fault.code, classes)


_CLASSES = {cls.code: cls.__mro__ for cls in vars(errors).values()
            if isinstance(cls, type) and issubclass(cls, JobgateError)}


def _chain(code: str, classes) -> list[str]:
    """The code, then its error's parents' codes; not the base's "internal", which would take every
    error a table does not name (a new 429) for a 500 before the table's default is asked."""
    parents = [c.code for c in classes if isinstance(c, type) and issubclass(c, JobgateError) and c is not JobgateError]
    return list(dict.fromkeys([code] + parents))


#: jobgate's own table: each code under its own name, with the status its error carries.
CANONICAL = FaultMap(
    {**{code: (status, code) for status, code in _HTTP_CODES.items()},
     **{cls.code: (cls.status, cls.code) for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, JobgateError)}},
    default=(500, "internal"))


def dotted(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def problem_lines(details, path: str = "", nest: Callable[[str, Any], str] = dotted) -> list[str]:
    """A parser's nested error messages as "field: message" lines, the field named by `nest`
    (dotted by default; Sahara writes `a[b][0]`); schema-wide messages carry no field."""
    if details is None:
        return []
    if isinstance(details, dict):
        return [line for key, inner in details.items() for line in problem_lines(inner, nest(path, key), nest)]
    if isinstance(details, list) and all(isinstance(m, str) for m in details):
        return [f"{path}: {m}" if path and not path.endswith("_schema") else m for m in details]
    if isinstance(details, list):
        return [line for item in details for line in problem_lines(item, path, nest)]
    return [f"{path}: {details}" if path else str(details)]


#: Seconds a client is told to wait before trying a 503 again (the store comes back in seconds).
RETRY_AFTER = 2


def with_retry_after(response: Response) -> Response:
    """Every 503, in every dialect's format, says when to try again (unless its fault named a
    time of its own: `Fault.headers`)."""
    if response.status_code == 503:
        response.headers.setdefault("Retry-After", str(RETRY_AFTER))
    return response


def render_json(fault: Fault) -> Response:
    """jobgate's own fault document, used by the native API and outside any dialect."""
    body = {"code": fault.code, "message": fault.message, "details": fault.details, "request_id": fault.request_id}
    response = jsonify({"error": body})
    response.status_code = fault.status
    return response
