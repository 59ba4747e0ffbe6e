"""Every failure as an OCAPI fault document: `{"_v", "fault": {"arguments", "type", "message"}}`.

Canonical errors map through one table; validation errors are read from the
parser's details (an unknown property, a bad query parameter, a body that is
not the document); statuses without a documented type get the HTTP reason
phrase as a type (`MethodNotAllowedException`), 500s included, never a trace.
Arguments are named plain strings as in the 17.2 samples.
"""
from http import HTTPStatus

from flask import Response, jsonify, request

from jobgate.errors import (AlreadyRunning, DefinitionNotFound, ExecutionNotFound, NotFinished, NotRestartable,
                            Unauthorized, VersionMismatch)
from jobgate.kit.faults import Fault

from adapters.ocapi import headers, token, versions
from adapters.ocapi.errors import OcapiFault

#: canonical error -> OCAPI type, status, argument named from the path, message
TABLE = [
    (DefinitionNotFound, "JobNotFoundException", 404, "jobId", "No job with ID '{}' found."),
    (ExecutionNotFound, "JobExecutionNotFoundException", 404, "executionId", "No Job execution with id '{}' was found."),
    (AlreadyRunning, "JobAlreadyRunningException", 400, "jobId", "Job with id '{}' is already running."),
    (NotRestartable, "JobNotRestartableException", 400, "jobId", "Job with id '{}' does not support restarting."),
    (NotFinished, "JobExecutionNotFinishedException", 403, "executionId", "Job execution with id '{}' is not finished."),
    (VersionMismatch, "ResourceStateConflictException", 409, None,
     "The resource state given does not match the current state of the resource."),
]
UNAUTHORIZED = {
    "missing": ("InvalidAuthorizationHeaderException", "The Authorization header is missing or malformed."),
    "invalid": ("InvalidAccessTokenException", "The access token is invalid or expired."),
}


def render(fault: Fault) -> Response:
    if request.path.startswith(token.PREFIX):
        return token.render_error(fault)
    status, type_, message, arguments = _classify(fault)
    document = {"_v": versions.of_path()} if versions.of_path() is not None else {}
    document["fault"] = {"arguments": arguments, "type": type_, "message": message}
    response = jsonify(document)
    response.status_code = status
    return headers.finish(response)


def _classify(fault: Fault) -> tuple[int, str, str, dict]:
    if isinstance(fault.error, OcapiFault):
        return fault.status, fault.error.type, fault.message, fault.context
    for error_class, type_, status, argument, message in TABLE:
        if fault.is_(error_class):
            value = _path_value(argument, fault)
            return status, type_, message.format(value), {argument: value} if argument else {}
    if fault.is_(Unauthorized):
        type_, message = UNAUTHORIZED.get(fault.context.get("reason"), UNAUTHORIZED["invalid"])
        return 401, type_, message, {}
    if fault.error is None and fault.status == 404 and versions.of_path() is not None and not versions.path_is_valid():
        return 400, "InvalidVersionException", "Version is missing or malformed in request URL.", {}
    if fault.error is None and fault.status == 404:
        return 404, "ResourcePathNotFoundException", f"Unknown resource path '{request.path}'.", {
            "resourcePath": request.path}
    if fault.code == "malformed_body" or isinstance(fault.details, dict) and "json" in fault.details:
        return _body_fault(fault.details or {})
    if isinstance(fault.details, dict) and "query" in fault.details:
        parameter = next(iter(fault.details["query"]))
        value = request.args.get(parameter, "")
        return 400, "MalformedParameterException", f"Parameter '{parameter}' has a malformed value '{value}'.", {
            "parameter": parameter, "value": value}
    return fault.status, _by_status(fault.status), fault.message, {}


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


def _by_status(status: int) -> str:
    try:
        return "".join(HTTPStatus(status).phrase.title().split()) + "Exception"
    except ValueError:
        return "HttpException"
