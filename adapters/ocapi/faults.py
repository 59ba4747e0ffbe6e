"""Every failure as an OCAPI fault document: `{"_v", "fault": {"arguments", "type", "message"}}`.

Canonical errors map through one table; validation errors are read from the
parser's details (an unknown property, a bad query parameter, a body that is
not the document); statuses without a documented type get the HTTP reason
phrase as a type (`MethodNotAllowedException`), 500s included, never a trace.
Arguments are named plain strings as in the 17.2 samples.
"""
from http import HTTPStatus

from flask import Response, jsonify, request

from adapters.ocapi import headers, versions
from adapters.ocapi.errors import OcapiFault
from jobgate.kit.faults import Fault, FaultMap, FaultType


def _by_status(fault: Fault) -> FaultType:
    """Statuses without a documented type get the HTTP reason phrase as a type."""
    try:
        name = "".join(HTTPStatus(fault.status).phrase.title().split()) + "Exception"
    except ValueError:
        name = "HttpException"
    return FaultType(fault.status, name)


#: canonical fault -> OCAPI type, status, message, and the argument it names from the path
FAULTS = FaultMap({
    "definition_not_found": (404, "JobNotFoundException", "No job with ID '{}' found.", "jobId"),
    "execution_not_found": (404, "JobExecutionNotFoundException", "No Job execution with id '{}' was found.",
                            "executionId"),
    "already_running": (400, "JobAlreadyRunningException", "Job with id '{}' is already running.", "jobId"),
    "not_restartable": (400, "JobNotRestartableException", "Job with id '{}' does not support restarting.", "jobId"),
    "not_finished": (403, "JobExecutionNotFinishedException", "Job execution with id '{}' is not finished.",
                     "executionId"),
    "idempotency_key_reused": (409, "IdempotencyKeyReusedException"),
    "version_mismatch": (409, "ResourceStateConflictException",
                         "The resource state given does not match the current state of the resource."),
}, default=_by_status)
UNAUTHORIZED = {
    "missing": ("InvalidAuthorizationHeaderException", "The Authorization header is missing or malformed."),
    "invalid": ("InvalidAccessTokenException", "The access token is invalid or expired."),
}


def render(fault: Fault) -> Response:
    status, type_, message, arguments = _classify(fault)
    document = {"_v": versions.of_path()} if versions.of_path() is not None else {}
    document["fault"] = {"arguments": arguments, "type": type_, "message": message}
    response = jsonify(document)
    response.status_code = status
    return headers.finish(response)


def _classify(fault: Fault) -> tuple[int, str, str, dict]:
    if isinstance(fault.error, OcapiFault):
        return fault.status, fault.error.type, fault.message, fault.context
    if fault.code == "unauthorized":
        type_, message = UNAUTHORIZED.get(fault.context.get("reason"), UNAUTHORIZED["invalid"])
        return 401, type_, message, {}
    if fault.error is None and fault.status == 404 and versions.of_path() is not None and not versions.path_is_valid():
        return 400, "InvalidVersionException", "Version is missing or malformed in request URL.", {}
    if fault.error is None and fault.status == 404:
        return 404, "ResourcePathNotFoundException", f"Unknown resource path '{request.path}'.", {
            "resourcePath": request.path}
    if fault.code == "malformed_body" or (isinstance(fault.details, dict) and "json" in fault.details):
        return _body_fault(fault.details or {})
    if isinstance(fault.details, dict) and "query" in fault.details:
        parameter = next(iter(fault.details["query"]))
        value = request.args.get(parameter, "")
        return 400, "MalformedParameterException", f"Parameter '{parameter}' has a malformed value '{value}'.", {
            "parameter": parameter, "value": value}
    kind = FAULTS.lookup(fault)
    if kind.message is None:
        return kind.status, kind.name, fault.message, {}
    value = _path_value(kind.argument, fault)
    return kind.status, kind.name, kind.message.format(value), {kind.argument: value} if kind.argument else {}


def _body_fault(details: dict) -> tuple[int, str, str, dict]:
    unknown = _unknown_property(details.get("json"), "")
    if unknown:
        return 400, "UnknownPropertyException", f"The property '{unknown}' is not known.", {"property": unknown}
    body = request.get_data(as_text=True)[:200]
    return 400, "BodyDecodingException", f"The request document could not be decoded: {_first_problem(details)}", {
        "body": body}


def _unknown_property(errors, where: str) -> str | None:
    """Dotted path of the first property the parser called unknown."""
    if not isinstance(errors, dict):
        return None
    for key, value in errors.items():
        path = f"{where}.{key}" if where else str(key)
        if value == ["Unknown field."]:
            return path
        found = _unknown_property(value, path)
        if found:
            return found
    return None


def _first_problem(errors, where: str = "") -> str:
    if isinstance(errors, dict):
        key, value = next(iter(errors.items()), ("", ""))
        return _first_problem(value, f"{where}.{key}".strip(".") if key != "json" else where)
    if isinstance(errors, list):
        return f"{where}: {errors[0]}" if where else str(errors[0])
    return str(errors)


def _path_value(argument: str | None, fault: Fault) -> str:
    arguments = request.view_args or {}
    if argument == "jobId":
        return arguments.get("job_id") or str(fault.context.get("id") or fault.context.get("definition_id", ""))
    return arguments.get("id") or str(fault.context.get("id", ""))
