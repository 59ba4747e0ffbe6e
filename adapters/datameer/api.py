"""Datameer v2 job commands under /api/job-execution: parse, call the service, dump the v2 documents.

A file is named by id, uuid or path in one URL segment that may hold slashes
(a path's `%2F` arrive decoded, and its leading slash makes an empty segment),
so the segment has a converter of its own and routes keep double slashes.
"""
from flask import Response
from werkzeug.routing import PathConverter

from adapters.datameer import documented, files, schemas, wire
from adapters.datameer.documented import UNKNOWN
from adapters.datameer.rest import NAME
from jobgate.errors import Conflict, JobgateError
from jobgate.kit.blueprint import DialectBlueprint, principal, service
from jobgate.kit.pretty import pretty_json


class FileRef(PathConverter):
    """Any non-empty text, slashes (a leading one too) included."""
    regex = ".+?"
    part_isolating = False


blp = DialectBlueprint(NAME, __name__, name="datameer_v2", description="Datameer REST API v2: job execution")
blp.record_once(lambda state: state.app.url_map.converters.setdefault("file", FileRef))
pretty_json(blp)
FILE_ROUTE = {"merge_slashes": False}


def answers(statuses: dict[int, str] | None = None):
    return documented.answers(blp, schemas.Failure, statuses or {})


def zone():
    return blp.settings.zone


@blp.route("/list-running", methods=["GET"])
@blp.response(200, schemas.RunningList, description="runs not yet ended, oldest first")
@answers()
def list_running():
    file_id = files.FileIds()
    return {"status": "success",
            "job-executions": [wire.v2_running(e, file_id(e), zone()) for e in files.active()]}


@blp.route("/sequential-trigger", methods=["POST"])
@blp.arguments(schemas.SequenceBody, error_status_code=400)
@blp.response(200, schemas.SequenceTriggered, description="each file's run; each starts once the one before "
              "it completed, and is canceled when one before it fails")
@answers({**UNKNOWN, 400: "no list of files", 409: "a job allows one run at a time and one is running"})
@blp.creates
def sequential_trigger(body):
    definitions = [files.by_file(ref) for ref in body["files"]]
    started = []
    try:
        for definition in definitions:
            after = [started[-1].id] if started else []
            started.append(service().submit(principal(), definition.id, origin=NAME, trigger=wire.TRIGGER,
                                            after=after))
    except JobgateError:
        for execution in started:
            service().cancel(principal(), execution.id)
        raise
    return {**wire.v2_triggered(started[0]),
            "job-executions": [{"file-id": d.seq, "job-execution-id": e.seq}
                               for d, e in zip(definitions, started, strict=True)]}


@blp.route("/<file:ref>/status", methods=["GET"], **FILE_ROUTE)
@blp.response(200, schemas.Status, description="the file's latest run; `_NONE` when it never ran")
@answers(UNKNOWN)
def status(ref):
    definition = files.by_file(ref)
    return wire.v2_status(files.latest(definition), definition.seq, zone())


@blp.route("/<file:ref>/trigger", methods=["POST"], **FILE_ROUTE)
@blp.response(200, schemas.Triggered)
@answers({**UNKNOWN, 409: "the job allows one run at a time and one is running"})
@blp.creates
def trigger(ref):
    definition = files.by_file(ref)
    return wire.v2_triggered(service().submit(principal(), definition.id, origin=NAME, trigger=wire.TRIGGER))


@blp.route("/<file:ref>/stop", methods=["POST"], **FILE_ROUTE)
@blp.response(200, description="stopped (or stopping): no body")
@answers({**UNKNOWN, 409: "the file has no run that has not ended"})
def stop(ref):
    runs = files.active(files.by_file(ref))
    if not runs:
        raise Conflict("Job isn't running")
    for execution in runs:
        service().cancel(principal(), execution.id)
    return Response(status=200)
