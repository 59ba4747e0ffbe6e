"""Sahara's error document: {"error_code", "error_name", "error_message"} on every failure.

saharaclient reads exactly these three keys into its APIException, so every
fault under /v1.1 carries them, 401s and routing errors included. Sahara
answers most refusals with 400 and a specific name; canonical codes map here.
"""
from __future__ import annotations

from flask import Response, jsonify

from jobgate.errors import JobgateError
from jobgate.kit.faults import Fault, FaultMap, FaultType, problem_lines

#: canonical fault code -> (HTTP status, Sahara error_name); other codes show their own name upper-cased
FAULTS = FaultMap({
    "unauthorized": (401, "UNAUTHORIZED"),
    "forbidden": (403, "FORBIDDEN"),
    "not_found": (404, "NOT_FOUND"),
    "execution_not_found": (404, "NOT_FOUND"),
    "definition_not_found": (404, "NOT_FOUND"),
    "invalid": (400, "INVALID_DATA"),
    "malformed_body": (400, "MALFORMED_REQUEST_BODY"),
    "already_running": (400, "ALREADY_RUNNING"),
    "not_finished": (400, "DELETION_FAILED"),
    "conflict": (400, "INVALID_DATA"),
    "version_mismatch": (400, "UPDATE_FAILED"),
    "idempotency_key_reused": (409, "IDEMPOTENCY_KEY_REUSED"),
    "method_not_allowed": (405, "METHOD_NOT_ALLOWED"),
    "payload_too_large": (413, "REQUEST_ENTITY_TOO_LARGE"),
    "quota_exceeded": (400, "QUOTA_ERROR"),          # Sahara's QuotaException, 400 as all its own errors
    "unavailable": (503, "SERVICE_UNAVAILABLE"),
    "internal": (500, "INTERNAL_SERVER_ERROR"),
}, default=lambda fault: FaultType(fault.status, fault.code.upper()))


class Refused(JobgateError):
    """A refusal Sahara names itself (CANCELING_FAILED, DELETION_FAILED ...)."""
    status, code = 400, "sahara_refused"

    def __init__(self, name: str, message: str, status: int = 400):
        super().__init__(message)
        self.name, self.status = name, status


def render_fault(fault: Fault) -> Response:
    status, name = _classify(fault)
    body = {"error_code": status, "error_name": name,
            "error_message": f"{_message(fault)}\nError ID: {fault.request_id}"}
    response = jsonify(body)
    response.status_code = status
    return response


def _classify(fault: Fault) -> tuple[int, str]:
    if fault.is_(Refused):
        return fault.status, fault.error.name
    if fault.code == "invalid" and fault.error is None:
        return 400, "VALIDATION_ERROR"       # the request failed its schema
    kind = FAULTS.lookup(fault)
    return kind.status, kind.name


def _bracketed(path: str, key) -> str:
    """Sahara names a field in a body as `a[b][0]`."""
    return f"{path}[{key}]" if path else str(key)


def _message(fault: Fault) -> str:
    if fault.code.endswith("not_found") and "id" in fault.context:
        return f"Object with {{'id': '{fault.context['id']}'}} not found"
    if fault.code == "malformed_body":
        return "Malformed message body: cannot understand JSON"
    if fault.code == "invalid" and fault.error is None and isinstance(fault.details, dict):
        return "\n".join(problem_lines(fault.details.get("json") or fault.details.get("query") or fault.details,
                                       nest=_bracketed))
    return fault.message
