"""/files/files/{id}: a job's log where SAS clients read it (its `logLocation`)."""
from __future__ import annotations

from flask import Response

from adapters.sas import docs, media, schemas
from adapters.sas.wire import FILE, FILES, NAMESPACE, link, stamp
from jobgate.kit.blueprint import DialectBlueprint, principal, service

PREFIX = "/files"

blp = DialectBlueprint(NAMESPACE, __name__, name="sas-files", description="SAS Files: job logs")


@blp.route("/files/<file_id>", methods=["GET"])
@blp.response(200, schemas.Summary, content_type=FILE)
@docs.faults(blp, 404, 406)
def file(file_id):
    execution = blp.dialect.execution(file_id)
    uri = f"{FILES}/{execution.id}"
    return media.send({"id": execution.id, "name": f"{execution.id}.log.txt", "contentType": "text/plain",
                       "size": execution.log_size, "creationTimeStamp": stamp(execution.created),
                       "modifiedTimeStamp": stamp(execution.modified), "createdBy": execution.principal,
                       "links": [link("self", uri, type=FILE), link("content", f"{uri}/content", type="text/plain")],
                       "version": 3}, media.negotiate(FILE))


@blp.route("/files/<file_id>/content", methods=["GET"])
@blp.response(200, content_type="text/plain", description="The job's log text")
@docs.faults(blp, 404)
def content(file_id):
    execution = blp.dialect.execution(file_id)
    return Response(service().log(principal(), execution.id), content_type="text/plain; charset=utf-8")
