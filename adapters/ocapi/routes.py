"""OCAPI Data API routes (jobs, job executions, search): parse, call the service, dump."""
from flask import request
from flask.views import MethodView

from adapters.ocapi import client, documents, headers, jobs, media, schemas, search, versions
from jobgate.errors import ExecutionNotFound, VersionMismatch
from jobgate.kit.blueprint import DialectBlueprint, principal, service

DIALECT = "ocapi"

#: system jobs answer 202 (23.2 System Jobs sample), others 200 (17.2 sample)
SYSTEM_JOB = "sfcc-"


blp = DialectBlueprint(DIALECT, __name__, description="Salesforce B2C Commerce OCAPI Data API: jobs")
versions.bind(blp)
blp.before_request(media.require_json)
blp.after_request(headers.finish)


@blp.route("/<version>/jobs/<job_id>/executions")
class Executions(MethodView):
    @blp.arguments(schemas.PageQuery, location="query")
    @blp.response(200, schemas.JobExecutionResult)
    def get(self, query, job_id):
        definition = jobs.job(job_id)
        start, count = query["start"], query["count"]
        page = service().page(principal(), definition=definition.id, offset=start, limit=count)
        return {"count": len(page.items), "data": [documents.execution(ex, definition) for ex in page.items],
                **documents.paging(start, count, page.total), "start": start, "total": page.total}

    @blp.arguments(schemas.JobExecutionRequest)
    @blp.response(200, schemas.JobExecution)
    @blp.creates
    def post(self, body, job_id):
        definition = jobs.job(job_id)
        sent = [{"name": p["name"], "value": p["value"] or ""} for p in body["parameters"]]
        execution = service().submit(
            principal(), definition.id, {p["name"]: p["value"] for p in sent}, origin=DIALECT,
            client_id=client.client_id(), attributes={DIALECT: {"parameters": sent}} if sent else None)
        return documents.execution(execution, definition), 202 if job_id.startswith(SYSTEM_JOB) else 200


@blp.route("/<version>/jobs/<job_id>/executions/<id>")
class ExecutionItem(MethodView):
    @blp.response(200, schemas.JobExecution)
    def get(self, job_id, id):
        execution = _execution(job_id, id)
        return documents.execution(execution, jobs.known({job_id})[job_id])

    @blp.response(204)
    def delete(self, job_id, id):
        execution = _execution(job_id, id)
        given = request.headers.get("x-dw-resource-state")
        if given and given != documents.resource_state(execution):
            raise VersionMismatch(current=execution.version)
        service().delete(principal(), id, expected_version=execution.version if given else None)


@blp.route("/<version>/job_execution_search", methods=["POST"])
@blp.arguments(schemas.SearchRequest)
@blp.response(200, schemas.JobExecutionSearchResult)
def job_execution_search(body):
    return search.run(body)


def _execution(job_id: str, id: str):
    """An execution by its OCAPI id (the canonical seq), only under its own job."""
    execution = blp.dialect.execution(id)
    if execution.definition_id != job_id:
        raise ExecutionNotFound(f"no job execution {id!r}", id=id)
    return execution
