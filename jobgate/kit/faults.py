"""Turn anything raised while serving a request into one canonical Fault.

Dialects render a Fault in their own format; the core decides what it is:
a canonical error, a routing or parsing HTTP error, or an unexpected crash
(logged with its stack trace and a request id, shown without either).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from jobgate.errors import JobgateError

log = logging.getLogger("jobgate")

#: HTTP errors raised by Flask, werkzeug or webargs, as canonical codes.
_HTTP_CODES = {
    400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "invalid", 503: "unavailable",
}


@dataclass
class Fault:
    status: int
    code: str
    message: str
    request_id: str = ""
    details: Any = None
    context: dict[str, Any] = field(default_factory=dict)
    error: Exception | None = None     # the canonical error, when there is one

    def is_(self, error_class: type) -> bool:
        return isinstance(self.error, error_class)


def fault_from(exc: Exception, request_id: str) -> Fault:
    if isinstance(exc, JobgateError):
        return Fault(exc.status, exc.code, exc.message, request_id, exc.details, dict(exc.context), exc)
    if isinstance(exc, HTTPException) and exc.code and exc.code < 500 or getattr(exc, "code", None) == 503:
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


def render_json(fault: Fault) -> Response:
    """jobgate's own fault document, used by the native API and outside any dialect."""
    body = {"code": fault.code, "message": fault.message, "details": fault.details, "request_id": fault.request_id}
    response = jsonify({"error": body})
    response.status_code = fault.status
    return response
