"""Every failure in Datameer's words: v1 `{"error": text}`, v2 `{"status": "failure", "reason": text}`.

The status code carries the meaning (the docs tell curl users to print it);
the body is always JSON, pretty-printed like every other Datameer document.
A 401 names the Basic realm so browsers and curl know to send credentials.
"""
from __future__ import annotations

from flask import Response, request

from jobgate.kit.faults import Fault, FaultMap, FaultType
from jobgate.kit.pretty import pretty_response

REALM = "Datameer"
NO_FILE = "File doesn't exist or isn't accessible with current permissions"

#: canonical code -> status and reason; anything else keeps its own status and message
FAULTS = FaultMap({
    "definition_not_found": (404, "not_found", NO_FILE),
    "execution_not_found": (404, "not_found", "Job execution doesn't exist or isn't accessible with current permissions"),
    "not_finished": (409, "not_finished", "The job execution has not ended yet; stop it first"),
    "invalid": (400, "invalid"),
    "unavailable": (503, "unavailable", "Datameer is temporarily unavailable; try again shortly"),
}, default=lambda fault: FaultType(fault.status, fault.code))
UNAUTHORIZED = {"missing": "Full authentication is required to access this resource",
                "invalid": "Bad credentials"}


def reason(fault: Fault) -> str:
    if fault.code == "unauthorized":
        return UNAUTHORIZED.get(fault.context.get("reason"), UNAUTHORIZED["invalid"])
    if fault.error is None and fault.status == 404:
        return f"No such resource: {request.method} {request.path}"
    if isinstance(fault.details, dict) and fault.status in (400, 422):
        return f"{fault.message}: {_problems(fault.details)}"
    kind = FAULTS.lookup(fault)
    return kind.message or fault.message


def _problems(details: dict) -> str:
    """`where.name: message` for each field a parser refused."""
    found = []
    for location, fields in details.items():
        for name, messages in (fields.items() if isinstance(fields, dict) else [(location, fields)]):
            text = "; ".join(messages) if isinstance(messages, list) else str(messages)
            found.append(f"{name}: {text}")
    return ", ".join(found)


def _respond(document: dict, fault: Fault) -> Response:
    status = FAULTS.lookup(fault).status
    headers = {"WWW-Authenticate": f'Basic realm="{REALM}"'} if status == 401 else None
    return pretty_response(document, status, headers)


def render_v1(fault: Fault) -> Response:
    return _respond({"error": reason(fault)}, fault)


def render_v2(fault: Fault) -> Response:
    return _respond({"status": "failure", "reason": reason(fault)}, fault)
