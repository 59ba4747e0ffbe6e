"""Submitting a job request: its definition found by URI (or embedded by id), its
arguments and expiresAfter checked, what the job will show kept in `attributes["sas"]`."""
from __future__ import annotations

from flask import request

from adapters.sas.faults import SasError
from adapters.sas.wire import DEFINITIONS, NAMESPACE, parse_duration
from jobgate.errors import NotFound
from jobgate.kit.blueprint import principal, service
from jobgate.model import Definition, Execution

NAME = "sas"
REQUIRED = ("Either a job definition ID or an embedded job definition is required to submit a job. "
            "The job request did not contain a job definition URI or an embedded job definition.")
#: members of a stored job request its jobs keep
KEPT = ("id", "createdBy", "creationTimeStamp", "modifiedBy", "modifiedTimeStamp")


def definition_of(body: dict) -> Definition:
    """The stored definition a request names by `jobDefinitionUri` or an embedded definition's `id`."""
    uri = body.get("jobDefinitionUri")
    embedded = body.get("jobDefinition") or {}
    if not uri and not embedded:
        raise SasError(400, 0, REQUIRED)
    if uri:
        ref = uri.removeprefix(DEFINITIONS + "/") if uri.startswith(DEFINITIONS + "/") else None
    else:
        ref = embedded.get("id")
        if not ref:
            raise SasError(400, 0, "An embedded job definition must carry the id of a stored job definition.",
                           remediation="Create the definition with POST /jobDefinitions/definitions first.")
    try:
        if ref is None:
            raise NotFound()
        return service().definition(principal(), ref)
    except NotFound:
        raise SasError(400, 0, f"The job definition {uri or ref} was not found.") from None


def expires_after(body: dict) -> float | None:
    if not body.get("expiresAfter"):
        return None
    try:
        return parse_duration(body["expiresAfter"])
    except ValueError:
        raise SasError(400, 0, f"The expiresAfter value {body['expiresAfter']!r} is not a W3C XML duration.",
                       remediation="Specify a duration such as P30D or PT12H.") from None


def submitter() -> str | None:
    """`submitter`, or its deprecated spelling `sumbitter` (both given: they must agree)."""
    given, misspelt = request.args.get("submitter"), request.args.get("sumbitter")
    if given and misspelt and given != misspelt:
        raise SasError(400, 0, "The submitter and sumbitter query parameters differ.")
    return given or misspelt


def submit(body: dict, stored: dict | None = None, who: str | None = None) -> Execution:
    """Run a job request (`stored`: the persisted request it came from)."""
    definition = definition_of(body)
    arguments = {k: v for k, v in (body.get("arguments") or {}).items() if v is not None}
    asked = {k: body[k] for k in ("name", "description", "expiresAfter", "properties", "createdByApplication")
             if body.get(k) is not None}
    if stored:
        asked.update({k: stored[k] for k in KEPT if k in stored})
    attributes = {"jobRequest": asked,
                  "submittedByApplication": who or body.get("createdByApplication") or "jobExecution"}
    if stored:
        attributes["jobRequestId"] = stored["id"]
    return service().submit(principal(), definition.id, arguments, origin=NAME,
                            attributes={NAMESPACE: attributes}, expire_after=expires_after(body))
