"""CDQ Jobs routes: start, list, read, update, delete, cancel, job types, result data."""
from __future__ import annotations

from flask.views import MethodView

from adapters.cdq import listing, schemas, wire
from adapters.cdq.blueprint import NAME, CdqBlueprint
from adapters.cdq.documents import document
from jobgate.errors import DefinitionNotFound, Invalid
from jobgate.kit.blueprint import principal, service

blp = CdqBlueprint(NAME, __name__, description="CDQ Jobs Management API (2): jobs")


@blp.route("/v2/jobs")
class Jobs(MethodView):
    @blp.arguments(schemas.ListJobsQuery, location="query")
    @blp.response(200, schemas.JobPage)
    @blp.faults(400)
    def get(self, query):
        """List Jobs"""
        return listing.jobs(query)

    @blp.arguments(schemas.StartJobRequest)
    @blp.response(200, schemas.Job)
    @blp.faults(400, 409)
    @blp.creates
    def post(self, body):
        """Start Job: the `type` is a job of the catalog, run with `input` as its parameters."""
        own_organization(body.get("organizationId"))
        try:
            definition = service().definition(principal(), body["type"])
        except DefinitionNotFound:
            raise Invalid(f"type: no job type {body['type']!r} is served here", details={"type": ["unknown"]}) from None
        kept = {key: body[key] for key in wire.ECHOED if key in body}
        if "resultStorageId" in body and "storageId" not in body:
            kept["storageId"] = body["resultStorageId"]
        after = [str(dependency["jobId"]) for dependency in body.get("jobDependencies", [])]
        execution = service().submit(principal(), definition.id, body.get("input"), origin=NAME,
                                     attributes={wire.NAMESPACE: kept} if kept else None, after=after)
        return document(execution)


@blp.route("/v2/jobs/types")
@blp.response(200, schemas.JobTypes)
@blp.faults()
def job_types():
    """The job types this gateway runs: its catalog's jobs."""
    return {"values": [{"type": d.id, "name": d.name or None, "description": d.description or None}
                       for d in service().definitions(principal())]}


@blp.route("/v2/jobs/<jobId>")
class JobItem(MethodView):
    @blp.response(200, schemas.Job)
    @blp.faults(404)
    def get(self, jobId):
        """Read Job"""
        return document(blp.dialect.execution(jobId))

    @blp.arguments(schemas.UpdateJobRequest)
    @blp.response(200, schemas.Job)
    @blp.faults(400, 404)
    def put(self, body, jobId):
        """Update Job: the fields given replace the job's; the others stay."""
        execution = blp.dialect.execution(jobId)
        return document(service().set_attributes(principal(), execution.id, wire.NAMESPACE, body))

    @blp.response(204)
    @blp.faults(404, 409)
    def delete(self, jobId):
        """Delete Job: only once it has ended (409 JOB_NOT_FINISHED before; cancel it first)."""
        service().delete(principal(), blp.dialect.execution(jobId).id)


@blp.route("/v2/jobs/<jobId>/cancel", methods=["POST"])
@blp.response(200, schemas.Job)
@blp.faults(404, 409)
def cancel(jobId):
    """Cancel Job: a waiting or scheduled job is CANCELED at once, a running one is asked to stop."""
    return document(service().cancel(principal(), blp.dialect.execution(jobId).id))


@blp.route("/jobs/<jobId>/resultdata", methods=["PUT"])
@blp.arguments(schemas.ResultDataRequest)
@blp.response(200, schemas.Job)
@blp.faults(400, 404)
def update_result_data(body, jobId):
    """Update Result Data"""
    execution = blp.dialect.execution(jobId)
    return document(service().set_attributes(principal(), execution.id, wire.NAMESPACE,
                                              {"resultData": body["resultData"]}))


def own_organization(organization: str | None, field: str = "organizationId") -> None:
    """A principal works in its own tenant: naming another organization is refused."""
    if organization is not None and organization != principal().tenant:
        raise Invalid(f"{field}: {organization!r} is not your organization", details={field: ["not your organization"]})
