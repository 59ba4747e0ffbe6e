"""Execution logs where OCAPI clients fetch them over WebDAV, with the same Bearer token.

sfcc-ci reads `/Sites/Impex/log/{log_file_name}`; the B2C tooling reads
`log_file_path` (`/Sites/LOGS/jobs/{job_id}/{log_file_name}`). Only GET (and
HEAD): jobgate serves logs, it is no file store. 404 until the log has a line.
"""
from flask import Response

from adapters.ocapi import headers, logfile
from adapters.ocapi.routes import DIALECT
from jobgate.errors import NotFound
from jobgate.kit.blueprint import DialectBlueprint, principal, service
from jobgate.model import Execution

PREFIX = "/on/demandware.servlet/webdav/Sites"


blp = DialectBlueprint(DIALECT, __name__, name="ocapi_webdav", description="Job logs over WebDAV paths")
blp.after_request(headers.finish)


#: what both log paths answer
LOG = {"schema": {"type": "string"}, "content_type": "text/plain", "success": True, "description": "The whole log"}


@blp.route("/Impex/log/<log_name>")
@blp.alt_response(200, **LOG)
def impex_log(log_name):
    return _serve(logfile.find(log_name))


@blp.route("/LOGS/jobs/<job_id>/<log_name>")
@blp.alt_response(200, **LOG)
def job_log(job_id, log_name):
    execution = logfile.find(log_name)
    if execution.definition_id != job_id:
        raise NotFound(f"no log {log_name!r} for job {job_id!r}")
    return _serve(execution)


def _serve(execution: Execution) -> Response:
    text, chunk = b"", b"-"
    while chunk:
        chunk = service().log(principal(), str(execution.seq), len(text))
        text += chunk
    return Response(text, mimetype="text/plain")
