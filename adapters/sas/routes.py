"""/jobExecution: the service root and jobs. Parse, call the service, answer SAS documents."""
from __future__ import annotations

from datetime import datetime
from importlib.metadata import version

from flask import g, request
from flask.views import MethodView
from marshmallow import ValidationError
from werkzeug.http import http_date, parse_date

from adapters.sas import docs, documents, listing, media, schemas, submission
from adapters.sas.faults import SasError, error2
from adapters.sas.wire import API, COLLECTION, JOB, JOB_REQUEST, ROOT, SELECTION, STATES, TEXT, link, parse_stamp, stamp
from jobgate.errors import Conflict, JobgateError, Unavailable
from jobgate.kit.blueprint import DialectBlueprint, etag, if_match, principal, service
from jobgate.kit.faults import fault_from
from jobgate.model import Execution

NAME = "sas"
API_VERSION = 7

blp = DialectBlueprint(NAME, __name__, description="SAS Viya Job Execution: service root and jobs")


# -- service root ---------------------------------------------------------------
@blp.route("", endpoint="root_bare", methods=["GET"])
@blp.route("/", methods=["GET"])
@blp.response(200, schemas.Api, content_type=API)
@docs.faults(blp, 406)
def root():
    chosen = media.negotiate(API)
    return media.send({"version": 1, "links": [
        link("jobs", f"{ROOT}/jobs", type=COLLECTION, itemType=JOB),
        link("create", f"{ROOT}/jobs", "POST", type=JOB_REQUEST, responseType=JOB),
        link("jobRequests", f"{ROOT}/jobRequests", type=COLLECTION, itemType=JOB_REQUEST),
        link("createJobRequest", f"{ROOT}/jobRequests", "POST", type=JOB_REQUEST, responseType=JOB_REQUEST),
        link("providers", f"{ROOT}/providers", type=COLLECTION)]}, chosen)


@blp.route("/apiMeta", methods=["GET"])
@blp.response(200, schemas.ApiMeta, content_type="application/json")
@docs.faults(blp)
def api_meta():
    return {"serviceId": "jobExecution", "build": {"buildVersion": version("jobgate"), "sourceId": "jobgate"},
            "apiVersion": API_VERSION}


# -- jobs -----------------------------------------------------------------------
@blp.route("/jobs")
class Jobs(MethodView):
    @blp.arguments(schemas.ListQuery, location="query", error_status_code=400)
    @blp.response(200, schemas.Collection, content_type=COLLECTION)
    @docs.faults(blp, 400, 406)
    def get(self, args):
        """List jobs (filter, sortBy, start, limit)."""
        return _job_list(args)

    @blp.arguments(schemas.SubmitQuery, location="query", error_status_code=400)
    @blp.doc(**docs.body(JOB_REQUEST, "application/json", TEXT, schema=schemas.JobRequestIn))
    @blp.response(201, schemas.Job, content_type=JOB, description="The job submitted (JSON body); with a "
                  "text/plain filter body, 200 and a collection of jobs (#withQuery)")
    @blp.alt_response(200, schema=schemas.Collection, content_type=COLLECTION, success=True,
                      description="#withQuery: the jobs the text/plain filter body selects")
    @docs.faults(blp, 400, 404, 406, 409, 415)
    @blp.creates
    def post(self, args):
        """Submit a job request; a text/plain body is a filter instead (#withQuery)."""
        if media.is_text_body():
            return _job_list(listing.query_args(), request.get_data(as_text=True))
        media.require_body(JOB_REQUEST)
        chosen = media.negotiate(JOB)
        body = read_json(schemas.JobRequestIn)
        execution = submission.submit(body, who=submission.submitter())
        return send_job(execution, chosen, 201, location=True)


@blp.route("/jobs/@selection/state", methods=["PUT"])
@blp.arguments(schemas.ValueQuery, location="query", error_status_code=400)
@blp.doc(**docs.body(SELECTION, "application/json", schema=schemas.SelectionIn))
@blp.response(200, schemas.Collection, content_type=COLLECTION,
              description="items 1:1 with the selection: a summary, or an error2 document")
@docs.faults(blp, 400, 406, 415)
def update_states(args):
    value = _state_value(args.get("value"))
    media.require_body(SELECTION)
    selection = read_selection()
    items = []
    for uri in selection["resources"]:
        try:
            execution = _request_state(_job_by_uri(uri), value)
            name = documents.job_request(execution, None)["name"]
            items.append(documents.summary(execution.id, name, JOB, f"{ROOT}/jobs/{execution.id}"))
        except Unavailable:
            raise                   # the store is away: the whole request is a 503, not one item's error
        except JobgateError as exc:
            items.append(error2(fault_from(exc, g.request_id), path=uri))
    return media.send({"links": [], "name": "items", "items": items, "version": 2}, media.negotiate(COLLECTION))


@blp.route("/jobs/<job_id>")
class Job(MethodView):
    @blp.response(200, schemas.Job, content_type=JOB, headers={"ETag": {"schema": {"type": "string"}}})
    @docs.faults(blp, 404, 406)
    def get(self, job_id):
        return send_job(blp.dialect.execution(job_id), media.negotiate(JOB))

    @blp.doc(**docs.body(JOB, "application/json", schema=schemas.JobIn))
    @blp.response(200, schemas.Job, content_type=JOB)
    @docs.faults(blp, 400, 404, 405, 406, 412, 415, 428)
    def put(self, job_id):
        """Update a job (execution providers): stateDetails and results; state `canceled` cancels."""
        execution = blp.dialect.execution(job_id)
        chosen = media.negotiate(JOB)
        media.require_body(JOB)
        expected = precondition(execution.version, execution.modified)
        body = read_json(schemas.JobIn)
        if body.get("id", execution.id) != execution.id:
            raise SasError(400, 0, f"The job ID in the body ({body['id']}) does not match the path ({execution.id}).")
        if execution.finished:
            raise _finished(execution)
        changes = {k: body[k] for k in ("stateDetails", "results") if body.get(k) is not None}
        if changes:
            execution = service().set_attributes(principal(), execution.id, NAME, changes,
                                                 expected_version=expected)
        if body.get("state") == "canceled":
            execution = _request_state(execution, "canceled")
        return send_job(execution, chosen)

    @blp.response(204)
    @docs.faults(blp, 404)
    def delete(self, job_id):
        """Delete a job; a job that has not ended is canceled first and removed once it stops."""
        service().delete(principal(), blp.dialect.execution(job_id).id, when_ended=True)
        return "", 204


@blp.route("/jobs/<job_id>/state")
class JobState(MethodView):
    @blp.response(200, content_type=TEXT, description="The bare state word")
    @docs.faults(blp, 404, text=True)
    def get(self, job_id):
        return media.send_text(STATES.wire(blp.dialect.execution(job_id)))

    @blp.arguments(schemas.ValueQuery, location="query", error_status_code=400)
    @blp.doc(**docs.body(TEXT))
    @blp.response(200, content_type=TEXT, description="The job's state after the request")
    @docs.faults(blp, 400, 404, 405, text=True)
    def put(self, args, job_id):
        """Request a state; `canceled` is a cancel request (the only state clients may ask for)."""
        execution = blp.dialect.execution(job_id)
        value = args.get("value") or (request.get_data(as_text=True).strip() if media.is_text_body() else "")
        return media.send_text(STATES.wire(_request_state(execution, _state_value(value))))


@blp.route("/jobs/<job_id>/heartbeatTimeStamp")
class Heartbeat(MethodView):
    @blp.response(200, content_type=TEXT, description="yyyy-MM-ddTHH:mm:ss.SSSZ")
    @blp.alt_response(204, description="No heartbeat yet", success=True)
    @docs.faults(blp, 404, text=True)
    def get(self, job_id):
        return media.send_text(stamp(blp.dialect.execution(job_id).heartbeat))

    @blp.response(200, content_type=TEXT, description="The new heartbeat timestamp")
    @docs.faults(blp, 404, 405, 409, text=True)
    def post(self, job_id):
        execution = blp.dialect.execution(job_id)
        if execution.finished:
            raise _finished(execution)
        try:
            execution = service().heartbeat(principal(), execution.id)
        except Conflict:
            raise SasError(409, 0, f"The job {execution.id} is {STATES.wire(execution)}; only a running job "
                                   "takes heartbeats.") from None
        return media.send_text(stamp(execution.heartbeat))


@blp.route("/jobs/<job_id>/expirationTimeStamp")
class Expiration(MethodView):
    @blp.response(200, content_type=TEXT, description="yyyy-MM-ddTHH:mm:ss.SSSZ")
    @blp.alt_response(204, description="No expiration set", success=True)
    @docs.faults(blp, 404, text=True)
    def get(self, job_id):
        return media.send_text(stamp(blp.dialect.execution(job_id).expires))

    @blp.arguments(schemas.ValueQuery, location="query", error_status_code=400)
    @blp.response(200, content_type=TEXT, description="The expiration timestamp set")
    @blp.alt_response(204, description="The expiration timestamp was cleared", success=True)
    @docs.faults(blp, 400, 404, 409, text=True)
    def put(self, args, job_id):
        """Set (`value`) or clear (empty `value`) the expiration of a finished job."""
        execution = blp.dialect.execution(job_id)
        if not media.body_is_empty():
            raise SasError(400, 0, "The body of this request must be empty.")
        value = (args.get("value") or "").strip()
        at = None
        if value:
            try:
                at = parse_stamp(value)
            except ValueError:
                raise SasError(400, 31504, f"The expiration timestamp {value!r} is not in the format "
                                           "yyyy-MM-ddTHH:mm:ss.SSSZ.") from None
        if not execution.finished:
            raise SasError(409, 31503, f"The expiration timestamp of job {execution.id} cannot be set until the "
                                       "job has finished.")
        return media.send_text(stamp(service().set_expiry(principal(), execution.id, at=at).expires))


# -- helpers the views share ------------------------------------------------------
def _job_list(args: dict, filter_text: str | None = None):
    chosen = media.negotiate(COLLECTION)
    query = listing.read_query(args, listing.JOB_MEMBERS, listing.JOB_ALIASES, listing.JOB_SORT, filter_text)
    items, count = listing.Jobs().page(query)
    return media.send(documents.collection("jobs", f"{ROOT}/jobs", items, start=query.start, limit=query.limit,
                                           count=count, item_type=JOB, query=query.echo,
                                           actions=documents.job_actions()), chosen)


def read_json(schema) -> dict:
    raw = request.get_json(silent=True)
    if not isinstance(raw, dict):
        raise SasError(400, 0, "The request body is missing or is not a JSON object.")
    try:
        return schema().load(raw)
    except ValidationError as exc:
        raise SasError(400, 0, "The request body is not valid.", details=exc.messages) from None


def send_job(execution: Execution, chosen: str, status: int = 200, location: bool = False):
    doc = listing.Jobs().doc(execution)
    headers = {**etag(execution.version), "Last-Modified": http_date(execution.modified)}
    if location:
        headers["Location"] = f"{ROOT}/jobs/{execution.id}"
    return media.send(doc, chosen, status, headers)


def precondition(version: int, modified: datetime, what: str = "job") -> int:
    """The version a conditional PUT may replace: If-Match, else If-Unmodified-Since (428 without)."""
    if request.headers.get("If-Match"):
        expected = if_match()
        if expected is not None and expected != version:
            raise SasError(412, 1013, f"The entity tag in the If-Match header does not match the {what}'s.")
        return version
    since = request.headers.get("If-Unmodified-Since")
    if since:
        moment = parse_date(since)
        if moment is None or modified.replace(microsecond=0) > moment:
            raise SasError(412, 1013, f"The {what} has been modified since the If-Unmodified-Since time.")
        return version
    raise SasError(428, 1010, 'One of the following request header fields is required: "If-Match" or '
                              '"If-Unmodified-Since".',
                   remediation="In the request header, include one of the following values: the resource's entity "
                               "tag for the field \"If-Match\" or the resource's last-modified timestamp for the "
                               "field \"If-Unmodified-Since\".")


def _finished(execution: Execution) -> SasError:
    return SasError(405, 31501, f"The job {execution.id} has already finished ({STATES.wire(execution)}) and "
                                "cannot be updated.")


def _state_value(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise SasError(400, 31505, "No state was given: set the value query parameter or a text/plain body.")
    if value not in STATES.values():
        raise SasError(400, 31506, f"The state {value!r} is not a valid job state.",
                       remediation=f"Specify one of: {', '.join(STATES.values())}.")
    return value


def _request_state(execution: Execution, value: str) -> Execution:
    """Clients may only ask for `canceled`; other states are the workers' to set."""
    if execution.finished:
        raise _finished(execution)
    if value != "canceled":
        raise SasError(400, 31506, f"The state {value!r} cannot be requested; only canceled can.",
                       remediation="Specify the value canceled.")
    return service().request_cancel(principal(), execution.id) or execution


def read_selection() -> dict:
    body = read_json(schemas.SelectionIn)
    if body["type"] != "uri":
        raise SasError(400, 0, f"The selection type must be uri, not {body['type']!r}.")
    if not body["resources"]:
        raise SasError(400, 0, "The selection names no resources.")
    return body


def _job_by_uri(uri: str) -> Execution:
    prefix = f"{ROOT}/jobs/"
    return blp.dialect.execution(uri.removeprefix(prefix) if uri.startswith(prefix) else "-")
