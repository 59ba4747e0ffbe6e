"""SAS error2 documents (`application/vnd.sas.error+json`, version 2) for every fault.

The FaultMap's names are SAS errorCodes (0 is SAS's generic code). The text/plain
sub-resources (`state`, `heartbeatTimeStamp`, `expirationTimeStamp`) answer their
faults as text/plain, in the `ErrorResponse[...]` form SAS's reference shows.
"""
from __future__ import annotations

import re

from flask import Response, jsonify, request

from adapters.sas.wire import ERROR, TEXT
from jobgate.errors import JobgateError
from jobgate.kit.faults import Fault, FaultMap, FaultType, problem_lines

FAULTS = FaultMap({
    "unauthorized": (401, "0"),
    "not_found": (404, "0"),
    "invalid": (400, "0"),
    "malformed_body": (400, "0"),
    "already_running": (409, "0"),
    "conflict": (409, "0"),
    "version_mismatch": (412, "1013", "The entity tag in the If-Match header does not match the resource's."),
    "method_not_allowed": (405, "0"),
    "not_acceptable": (406, "0"),
    "unsupported_media_type": (415, "0"),
    "payload_too_large": (413, "0"),
    "unavailable": (503, "0"),
    "internal": (500, "0"),
}, default=lambda fault: FaultType(fault.status, "0"))

#: SAS's words for what was not found
NOT_FOUND = {"execution_not_found": "Job not found with ID: {id}.",
             "definition_not_found": "Job definition not found with ID: {id}."}
#: paths whose faults are text/plain
TEXT_PATHS = re.compile(r"^/jobExecution/jobs/[^/@][^/]*/(state|heartbeatTimeStamp|expirationTimeStamp)$")


class SasError(JobgateError):
    """A refusal SAS gives its own errorCode (31501 job finished, 1010 precondition required ...)."""
    code = "sas_refused"

    def __init__(self, status: int, error_code: int, message: str, remediation: str | None = None,
                 details=None):
        super().__init__(message, details)
        self.status, self.error_code, self.remediation = status, error_code, remediation


def error2(fault: Fault, path: str | None = None) -> dict:
    """The error2 document of a fault (also an item of an `@selection` response)."""
    if fault.is_(SasError):
        status, code, remediation = fault.status, fault.error.error_code, fault.error.remediation
    else:
        kind = FAULTS.lookup(fault)
        status, code, remediation = kind.status, int(kind.name), None
    message = NOT_FOUND[fault.code].format(**fault.context) if fault.code in NOT_FOUND and "id" in fault.context \
        else fault.message
    if fault.error is None and fault.code == "invalid" and fault.details:
        message = "The request is not valid."
    details = [f"traceId: {fault.request_id}", f"path: {path or request.path}"] + problem_lines(fault.details)
    doc = {"errorCode": code, "message": message, "details": details}
    if remediation:
        doc["remediation"] = remediation
    doc.update({"links": [], "version": 2, "httpStatusCode": status})
    return doc


def render_fault(fault: Fault) -> Response:
    doc = error2(fault)
    if TEXT_PATHS.match(request.path):
        body = (f"ErrorResponse[version=2,status={doc['httpStatusCode']},err={doc['errorCode']},id=<null>,"
                f"message={doc['message']},detail=[{', '.join(doc['details'])}],"
                f"remediation={doc.get('remediation', '<null>')},targetUri=<null>,errors=<null>,links=[]]")
        response = Response(body, status=doc["httpStatusCode"], content_type=TEXT)
    else:
        response = jsonify(doc)
        response.status_code = doc["httpStatusCode"]
        response.content_type = ERROR
    if doc["httpStatusCode"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="jobgate"'
    return response
