"""Datameer v1 job commands under /rest: parse, call the service, dump the v1 records."""
from adapters.datameer import documented, files, schemas, wire
from adapters.datameer.documented import UNKNOWN
from jobgate.errors import Conflict
from jobgate.kit.blueprint import DialectBlueprint, principal, service
from jobgate.kit.pretty import pretty_json

NAME = "datameer"
blp = DialectBlueprint(NAME, __name__, description="Datameer REST API v1: job commands")
pretty_json(blp)


def answers(statuses: dict[int, str] | None = None):
    return documented.answers(blp, schemas.ErrorRecord, statuses or {})


def zone():
    return blp.settings.zone


@blp.route("/job-configuration/job-status/<ref>", methods=["GET"])
@blp.response(200, schemas.JobStatus, description="the latest run; `{}` when the job never ran")
@answers(UNKNOWN)
def job_status(ref):
    return wire.v1_status(files.latest(files.by_id(ref)))


@blp.route("/job-configuration/job-history/<ref>", methods=["GET"])
@blp.arguments(schemas.HistoryQuery, location="query", error_status_code=400)
@blp.response(200, schemas.JobStatus(many=True), description="runs, newest first")
@answers({**UNKNOWN, 400: "start or length not a valid number"})
def job_history(query, ref):
    return [wire.v1_status(e) for e in files.history(files.by_id(ref), query["start"], query["length"])]


@blp.route("/job-execution/job-details/<ref>", methods=["GET"])
@blp.response(200, schemas.JobDetails)
@answers(UNKNOWN)
def job_details(ref):
    execution = blp.dialect.execution(ref)
    return wire.v1_details(execution, service().result_of(execution), zone(),
                           files.FileIds()(execution))


@blp.route("/jobs/list-running", methods=["GET"])
@blp.response(200, schemas.RunningJob(many=True), description="runs not yet ended, oldest first")
@answers()
def list_running():
    file_id = files.FileIds()
    return [wire.v1_running(execution, file_id(execution)) for execution in files.active()]


# both `/rest/job-execution?configuration=` and `/rest/job-execution/?configuration=`, neither redirected
@blp.route("/job-execution", methods=["POST"], strict_slashes=False)
@blp.arguments(schemas.TriggerQuery, location="query", error_status_code=400)
@blp.response(200, schemas.JobStatus, description="the new run")
@answers({**UNKNOWN, 400: "no or no valid configuration id", 409: "the job allows one run at a time and one is running"})
@blp.creates
def trigger(query):
    definition = files.by_id(str(query["configuration"]))
    return wire.v1_status(service().submit(principal(), definition.id, origin=NAME, trigger=wire.TRIGGER))


@blp.route("/job-execution/job-kill/<ref>", methods=["POST"])
@blp.response(200, schemas.JobStatus, description="the run, canceled or stopping")
@answers({**UNKNOWN, 409: "the run has already ended"})
def job_kill(ref):
    execution = blp.dialect.execution(ref)
    if execution.finished:
        raise Conflict(f"Job execution {execution.seq} has already ended: {wire.STATES.wire(execution)}",
                       state=execution.state.value)
    return wire.v1_status(service().cancel(principal(), execution.id))


@blp.route("/data/<ref>", methods=["DELETE"])
@blp.response(200, schemas.DataDeleted, description="the run and its data are gone")
@answers({**UNKNOWN, 409: "the run has not ended yet"})
def delete_data(ref):
    execution = blp.dialect.execution(ref)
    service().delete(principal(), execution.id)
    return {"id": execution.seq}

