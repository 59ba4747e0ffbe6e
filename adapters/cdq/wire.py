"""CDQ's fixed-name tables: the JobStatus words, the fault table with CDQ's code numbers,
and the Job document built from a canonical execution."""
from __future__ import annotations

import json

from jobgate.kit.faults import Fault, FaultMap, FaultType, problem_lines
from jobgate.kit.states import StateMap
from jobgate.model import Execution, State

NAMESPACE = "cdq"

#: canonical state -> JobStatus; the first row of a state is what it shows.
STATES: StateMap[str] = StateMap((
    (State.CREATED, "WAITING"),          # waiting on a start time, a dependency or a slot
    (State.QUEUED, "SCHEDULED"),         # on its queue, "scheduled for execution"
    (State.RUNNING, "RUNNING"),
    (State.SUCCEEDED, "FINISHED"),
    (State.SUCCEEDED_WITH_WARNINGS, "FINISHED"),
    (State.FAILED, "FAILED"),
    (State.CANCELED, "CANCELED"),
    (State.DIED, "DIED"),
))
#: every JobStatus word the reference lists; those no canonical state shows match no job
JOB_STATUSES = ("UNKNOWN", "CREATED", "PERSISTED", "SCHEDULED", "WAITING", "RUNNING", "FINISHED", "DIED",
                "CANCELED", "FAILED")

#: technicalKey -> CDQ code number (the developer guidelines' table; the rest follow its pattern) [inferred]
CODES = {
    "BAD_REQUEST": 40000000, "UNAUTHORIZED": 40100000, "FORBIDDEN": 40300000, "NOT_FOUND": 40400000,
    "METHOD_NOT_ALLOWED": 40500000, "NOT_ACCEPTABLE": 40600000, "CONFLICT": 40900000,
    "JOB_ALREADY_RUNNING": 40900001, "JOB_NOT_FINISHED": 40900002, "IDEMPOTENCY_KEY_REUSED": 40900003,
    "PRECONDITION_FAILED": 41200000,
    "PAYLOAD_TOO_LARGE": 41300000, "UNSUPPORTED_MEDIA_TYPE": 41500000, "TOO_MANY_REQUESTS": 42900000,
    "INTERNAL_SERVER_ERROR": 50000000, "SERVICE_UNAVAILABLE": 50300000,
}
#: canonical fault code -> (status, technicalKey)
FAULTS = FaultMap({
    "invalid": (400, "BAD_REQUEST"),
    "malformed_body": (400, "BAD_REQUEST"),
    "unauthorized": (401, "UNAUTHORIZED"),
    "forbidden": (403, "FORBIDDEN"),
    "not_found": (404, "NOT_FOUND"),
    "method_not_allowed": (405, "METHOD_NOT_ALLOWED"),
    "not_acceptable": (406, "NOT_ACCEPTABLE"),
    "conflict": (409, "CONFLICT"),
    "already_running": (409, "JOB_ALREADY_RUNNING"),
    "not_finished": (409, "JOB_NOT_FINISHED"),
    "idempotency_key_reused": (409, "IDEMPOTENCY_KEY_REUSED"),
    "not_restartable": (409, "CONFLICT"),
    "version_mismatch": (412, "PRECONDITION_FAILED"),
    "payload_too_large": (413, "PAYLOAD_TOO_LARGE"),
    "unsupported_media_type": (415, "UNSUPPORTED_MEDIA_TYPE"),
    "too_many_requests": (429, "TOO_MANY_REQUESTS"),
    "quota_exceeded": (403, "FORBIDDEN"),
    "too_many_active": (429, "TOO_MANY_REQUESTS"),
    "unavailable": (503, "SERVICE_UNAVAILABLE"),
    "internal": (500, "INTERNAL_SERVER_ERROR"),
}, default=lambda fault: FaultType(fault.status, "INTERNAL_SERVER_ERROR" if fault.status >= 500 else "BAD_REQUEST"))


def error_document(fault: Fault) -> tuple[int, dict]:
    kind = FAULTS.lookup(fault)
    return kind.status, {"code": CODES[kind.name], "technicalKey": kind.name, "message": _message(fault)}


def _message(fault: Fault) -> str:
    """Validation errors name their field first ("limit: ..."), as a client needs to fix it."""
    if fault.code in ("invalid", "malformed_body") and isinstance(fault.details, dict) and fault.error is None:
        lines = problem_lines(fault.details.get("json") or fault.details.get("query") or fault.details)
        return "; ".join(lines) if lines else fault.message
    return fault.message


# -- the Job document -------------------------------------------------------------

#: client fields a job keeps as it was started (attributes["cdq"]) and shows back untouched
ECHOED = ("name", "description", "workspaceId", "storageId", "tags", "labels", "resultData", "commands",
          "dockerImageUrl", "domain", "environmentVariables", "inputUri", "resourceRequest", "mainLabel",
          "locks", "volumes")


def last_status(execution: Execution) -> str | None:
    """The status before the current one, as the record's timestamps tell it (None: it has had one)."""
    waited = execution.queued is None or execution.queued != execution.created
    if execution.state is State.CREATED:
        return None
    if execution.state is State.QUEUED:
        return "WAITING" if waited else None
    if execution.state is State.RUNNING or execution.started is not None:
        return "SCHEDULED" if execution.state is State.RUNNING else "RUNNING"
    return "WAITING" if execution.queued is None else "SCHEDULED"


def job(execution: Execution, result=None) -> dict:
    """The Job document; fields jobgate has no value for are left out."""
    attrs = execution.attrs(NAMESPACE)
    progress = execution.progress
    document = {
        "id": execution.id, "type": execution.definition_id,
        "jobStatus": STATES.wire(execution), "lastJobStatus": last_status(execution),
        "message": execution.message or None,
        "progress": int(progress.percent),
        "totalItems": progress.total if progress.total else None,
        "processedItems": progress.processed if progress.total else None,
        "failedItems": progress.failed if progress.total else None,
        "createdAt": execution.created, "modifiedAt": execution.modified, "startedAt": execution.started,
        "finishedAt": execution.ended, "expiresAt": execution.expires,
        "user": execution.principal, "organizationId": execution.tenant,
        "jobDependencies": [{"jobId": other} for other in execution.after] or None,
        **{key: attrs[key] for key in ECHOED if key in attrs},
    }
    if "resultData" not in attrs and result is not None:
        document["resultData"] = result if isinstance(result, str) else json.dumps(result)
    return {key: value for key, value in document.items() if value is not None}


# -- processing logs ---------------------------------------------------------------------
#: ProcessingLogIdEnum -> the job types whose results feed it (the rest by name: X_LOG <- X_JOB) [inferred]
PROCESSING_LOGS = {"CURATION_LOG": ("DATA_CURATION_JOB",), "VALIDATION_LOG": ("DATA_VALIDATION_JOB",)}
PROCESSING_LOG_IDS = ("CURATION_LOG", "VALIDATION_LOG", "VALIDATION_SHARING_LOG", "SANCTION_AND_WATCHLISTS_LOG",
                      "BANK_ACCOUNT_DATA_VERIFICATION_LOG", "OVERLAP_LOG", "DUPLICATE_LOG", "QUALIFICATION_LOG")


def job_types_of(processing_log_id: str) -> list[str]:
    return list(PROCESSING_LOGS.get(processing_log_id, (processing_log_id.removesuffix("_LOG") + "_JOB",)))
