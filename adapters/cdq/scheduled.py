"""CDQ Scheduled Jobs on the core's cron schedules (fired by the workers, once per due time):
create, list, read, pause, resume, delete under `/v2/jobs/scheduled`."""
from __future__ import annotations

import uuid

from flask.views import MethodView

from adapters.cdq import schemas, wire
from adapters.cdq.blueprint import NAME
from adapters.cdq.routes import blp, own_organization
from jobgate.errors import DefinitionNotFound, Invalid, NotFound
from jobgate.kit.blueprint import principal, service
from jobgate.model import Schedule

#: ScheduledJobCreate fields each job it starts shows as its own
JOB_FIELDS = ("name", "description", "workspaceId", "storageId", "tags", "labels")


def scheduled_job(schedule: Schedule) -> dict:
    attrs = schedule.attributes.get(wire.NAMESPACE, {})
    document = {"id": schedule.id, **{key: attrs[key] for key in (*JOB_FIELDS, "clientId") if key in attrs},
                "organizationId": schedule.tenant, "cronExpression": schedule.cron, "type": schedule.definition_id,
                "input": schedule.parameters or None, "status": "PAUSED" if schedule.paused else "ACTIVE",
                "nextRunAt": schedule.next_run, "createdAt": schedule.created, "user": schedule.principal}
    return {key: value for key, value in document.items() if value is not None}


@blp.route("/v2/jobs/scheduled")
class ScheduledJobs(MethodView):
    @blp.arguments(schemas.ScheduledJobsQuery, location="query")
    @blp.response(200, schemas.ScheduledJobPage)
    @blp.faults(400)
    def get(self, query):
        """List Scheduled Jobs, oldest first, after `startAfter` (a scheduled job's id)."""
        every = service().schedules.list(principal())
        ids = [s.id for s in every]
        start = 0
        if query.get("startAfter"):
            if query["startAfter"] not in ids:
                raise Invalid(f"startAfter: no scheduled job {query['startAfter']!r}",
                              details={"startAfter": ["unknown"]})
            start = ids.index(query["startAfter"]) + 1
        window = every[start:start + query["limit"]]
        more = start + query["limit"] < len(every)
        document = {"startAfter": query.get("startAfter"), "nextStartAfter": window[-1].id if more else None,
                    "limit": query["limit"], "values": [scheduled_job(s) for s in window]}
        return {key: value for key, value in document.items() if value is not None}

    @blp.arguments(schemas.CreateScheduledJobRequest)
    @blp.response(200, schemas.ScheduledJob)
    @blp.faults(400)
    def post(self, body):
        """Create Scheduled Job: `cronExpression` (five fields, or six with seconds) starts `type` with `input`."""
        job = body["scheduledJob"]
        own_organization(job.get("organizationId"), "scheduledJob.organizationId")
        kept = {key: job[key] for key in (*JOB_FIELDS, "clientId") if key in job}
        try:
            schedule = service().schedules.create(
                principal(), job["type"], job["cronExpression"], job.get("input"), origin=NAME,
                schedule_id=str(uuid.uuid4()), attributes={wire.NAMESPACE: kept} if kept else None)
        except DefinitionNotFound:
            raise Invalid(f"scheduledJob.type: no job type {job['type']!r} is served here",
                          details={"scheduledJob.type": ["unknown"]}) from None
        except Invalid as refused:
            if "schedule" not in (refused.details or {}):
                raise
            raise Invalid(f"scheduledJob.cronExpression: {refused.message}",
                          details={"scheduledJob.cronExpression": refused.details["schedule"]}) from None
        return scheduled_job(schedule)


@blp.route("/v2/jobs/scheduled/<scheduledJobId>")
class ScheduledJobItem(MethodView):
    @blp.response(200, schemas.ScheduledJob)
    @blp.faults(404)
    def get(self, scheduledJobId):
        """Read Scheduled Job"""
        return scheduled_job(_schedule(scheduledJobId))

    @blp.response(204)
    @blp.faults(404)
    def delete(self, scheduledJobId):
        """Delete Scheduled Job (the jobs it started stay)."""
        service().schedules.delete(principal(), _schedule(scheduledJobId).id)


@blp.route("/v2/jobs/scheduled/<scheduledJobId>/pause", methods=["POST"])
@blp.response(200, schemas.ScheduledJob)
@blp.faults(404)
def pause(scheduledJobId):
    """Pause Scheduled Job: no job starts until it is resumed."""
    return scheduled_job(service().schedules.pause(principal(), _schedule(scheduledJobId).id))


@blp.route("/v2/jobs/scheduled/<scheduledJobId>/resume", methods=["POST"])
@blp.response(200, schemas.ScheduledJob)
@blp.faults(404)
def resume(scheduledJobId):
    """Resume Scheduled Job: it next fires at its next due time from now."""
    return scheduled_job(service().schedules.resume(principal(), _schedule(scheduledJobId).id))


def _schedule(ref: str) -> Schedule:
    """A scheduled job of the caller's organization that this dialect created (others are not found)."""
    found = service().schedules.get(principal(), ref)
    if found.origin != NAME:
        raise NotFound(f"no scheduled job {ref!r}", id=ref)
    return found
