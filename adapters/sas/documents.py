"""SAS documents built from canonical records: job, job definition, collection, summary.

A job's `jobRequest` is the request it was submitted with (kept in the execution's
`attributes["sas"]`), its definition expanded and its arguments completed with the
definition's defaults (the execution's parameters). Jobs started through another
dialect show a request made of their definition and parameters.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from adapters.sas import wire
from adapters.sas.wire import (
    COLLECTION,
    DEFINITIONS,
    FILES,
    JOB,
    JOB_REQUEST,
    NAMESPACE,
    ROOT,
    SELECTION,
    STATES,
    TEXT,
    link,
    stamp,
    text,
)
from jobgate.model import Definition, Execution, now, to_ms

APPLICATION = "jobExecution"
#: characters paging links keep as they are, so a filter stays readable
LINK_SAFE = "(),:/*'"


def definition_uri(definition: Definition) -> str:
    return f"{DEFINITIONS}/{definition.uuid}"


def log_location(execution: Execution) -> str:
    return f"{FILES}/{execution.id}"


def job(execution: Execution, definition: Definition | None, result=None) -> dict[str, Any]:
    sas = execution.attrs(NAMESPACE)
    uri = f"{ROOT}/jobs/{execution.id}"
    state = STATES.wire(execution)
    doc: dict[str, Any] = {"id": execution.id, "state": state}
    details = sas.get("stateDetails") or _state_details(execution)
    if details:
        doc["stateDetails"] = details
    doc["results"] = results(execution, result) if execution.finished else {}
    doc["results"].update(sas.get("results", {}))
    if state in ("failed", "timedOut"):
        doc["error"] = {"errorCode": 0, "message": execution.exit_message or execution.message or state,
                        "details": [f"exitCode: {execution.exit_code}"] if execution.exit_code is not None else [],
                        "links": [], "version": 2, "httpStatusCode": 500}
    doc["jobRequest"] = job_request(execution, definition)
    doc["heartbeatInterval"] = 0
    if execution.heartbeat:
        doc["heartbeatTimeStamp"] = stamp(execution.heartbeat)
    doc["creationTimeStamp"] = stamp(execution.created)
    doc["modifiedTimeStamp"] = stamp(execution.modified)
    if execution.finished:
        doc["endTimeStamp"] = stamp(execution.ended)
    doc["elapsedTime"] = to_ms(execution.ended or now()) - to_ms(execution.created) if execution.created else -1
    doc["logLocation"] = log_location(execution)
    if execution.expires:
        doc["expirationTimeStamp"] = stamp(execution.expires)
    doc["createdBy"] = execution.principal
    doc["modifiedBy"] = execution.canceled_by or execution.principal
    doc["submittedByApplication"] = sas.get("submittedByApplication") or execution.origin or APPLICATION
    links = [link("self", uri, type=JOB), link("state", f"{uri}/state", type=TEXT),
             link("update", uri, "PUT", type=JOB, responseType=JOB), link("delete", uri, "DELETE"),
             link("updateState", f"{uri}/state", "PUT", type=TEXT),
             link("updateHeartbeatTimeStamp", f"{uri}/heartbeatTimeStamp", "POST", type=TEXT)]
    if sas.get("jobRequestId"):
        links.append(link("jobRequest", f"{ROOT}/jobRequests/{sas['jobRequestId']}", type=JOB_REQUEST))
    if definition is not None:
        links.append(link("jobDefinition", definition_uri(definition), type=wire.DEFINITION))
    links.append(link("log", doc["logLocation"]))
    doc["links"] = links
    doc["version"] = 4
    return doc


def _state_details(execution: Execution) -> str | None:
    if execution.cancel_requested and not execution.finished:
        return f"cancel requested by {execution.canceled_by or 'a client'}"
    return execution.message or None


def results(execution: Execution, result) -> dict[str, str]:
    """What a run left: its log file, its id (as Compute's COMPUTE_JOB) and its result data."""
    found = {"COMPUTE_JOB": execution.id, f"{execution.id}.log.txt": log_location(execution)}
    if result is not None:
        found["result.json"] = text(result)
    return found


def job_request(execution: Execution, definition: Definition | None) -> dict[str, Any]:
    """The request a job was submitted with, as its job shows it."""
    asked = execution.attrs(NAMESPACE).get("jobRequest", {})
    doc: dict[str, Any] = {"version": 3}
    if asked.get("id"):
        doc.update({k: asked[k] for k in ("id", "createdBy", "creationTimeStamp", "modifiedBy", "modifiedTimeStamp")
                    if k in asked})
    doc["name"] = asked.get("name") or (shown_name(definition) if definition else execution.definition_id)
    if asked.get("description"):
        doc["description"] = asked["description"]
    if definition is not None:
        doc["jobDefinitionUri"] = definition_uri(definition)
        doc["jobDefinition"] = job_definition(definition)
    if asked.get("expiresAfter"):
        doc["expiresAfter"] = asked["expiresAfter"]
    doc["arguments"] = {k: text(v) for k, v in execution.parameters.items()}
    doc["properties"] = asked.get("properties", [])
    doc["createdByApplication"] = asked.get("createdByApplication") or APPLICATION
    return doc


def definition_type(definition: Definition) -> str:
    """The SAS type it was created with; operator catalog jobs are of type `jobgate`."""
    return definition.attributes.get(NAMESPACE, {}).get("type", "jobgate")


def job_definition(definition: Definition) -> dict[str, Any]:
    uri = definition_uri(definition)
    sas = definition.attributes.get(NAMESPACE, {})
    doc = {"creationTimeStamp": stamp(definition.created), "modifiedTimeStamp": stamp(definition.modified),
           "createdBy": sas.get("createdBy", "jobgate"),
           "modifiedBy": sas.get("modifiedBy", sas.get("createdBy", "jobgate")), "version": 2, "id": definition.uuid,
           "name": shown_name(definition)}
    if definition.description:
        doc["description"] = definition.description
    doc["type"] = definition_type(definition)
    doc["parameters"] = [parameter(name, value) for name, value in definition.parameters.items()]
    doc.update({k: sas[k] for k in ("parameters", "code") if k in sas})
    links = [link("self", uri, type=wire.DEFINITION)]
    if definition.source != "catalog":
        links += [link("update", uri, "PUT", type=wire.DEFINITION, responseType=wire.DEFINITION),
                  link("delete", uri, "DELETE")]
    doc["links"] = links
    doc["properties"] = sas.get("properties", [])
    return doc


def shown_name(definition: Definition) -> str:
    """Catalog jobs are known by their catalog id; SAS-made ones keep their SAS name."""
    return definition.id if definition.source == "catalog" else definition.name


def parameter(name: str, value) -> dict[str, Any]:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return {"version": 1, "name": name, "defaultValue": text(value), "type": "NUMERIC" if numeric else "CHARACTER",
            "label": name, "required": False}


def summary(record_id: str, name: str, kind: str, uri: str, description: str | None = None) -> dict[str, Any]:
    doc = {"id": record_id, "name": name, "type": kind.removesuffix("+json")}
    if description:
        doc["description"] = description
    doc.update({"links": [link("self", uri, type=kind)], "version": 2})
    return doc


def collection(name: str, path: str, items: list, *, start: int, limit: int, count: int | None, item_type: str,
               query: dict, actions: list[dict] = (), up: str | None = f"{ROOT}/") -> dict[str, Any]:
    """A SAS collection; paging links carry the whole query, `start` before `limit`."""
    def page(at: int) -> str:
        args = [f"{k}={quote(v, safe=LINK_SAFE)}" for k, given in query.items() if given is not None
                for v in (given if isinstance(given, list) else [given])]
        return f"{path}?{'&'.join(args + [f'start={at}', f'limit={limit}'])}"
    links = [link("collection", path, type=COLLECTION, itemType=item_type),
             link("self", page(start), type=COLLECTION, itemType=item_type)]
    if start > 0 and limit:
        links.append(link("first", page(0), type=COLLECTION, itemType=item_type))
        links.append(link("prev", page(max(0, start - limit)), type=COLLECTION, itemType=item_type))
    if limit and items and (count is None or start + len(items) < count):
        links.append(link("next", page(start + len(items)), type=COLLECTION, itemType=item_type))
    if up:
        links.append(link("up", up, type=wire.API))
    links += list(actions)
    doc = {"links": links, "name": name, "accept": item_type.removesuffix("+json"), "start": start}
    if count is not None:
        doc["count"] = count
    doc.update({"items": items, "limit": limit, "version": 2})
    return doc


def job_actions() -> list[dict]:
    return [link("submitJob", f"{ROOT}/jobs", "POST", type=JOB_REQUEST, responseType=JOB),
            link("submitJobs", f"{ROOT}/jobRequests/@selection/jobs", "POST", type=SELECTION,
                 responseType=COLLECTION),
            link("updateStates", f"{ROOT}/jobs/@selection/state", "PUT", type=SELECTION, responseType=COLLECTION)]


def member(doc: dict, path: str):
    """A (dotted) member of a document, None when absent."""
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
