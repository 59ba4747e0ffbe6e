"""/jobExecution/jobRequests and /providers: stored job requests, the jobs run from them.

Job requests are the dialect's own documents (service documents in namespace
`sas-job-requests`), one per request per tenant; a record's version is its ETag.
"""
from __future__ import annotations

import uuid

from flask import g, request
from flask.views import MethodView
from werkzeug.http import http_date

from adapters.sas import docs, documents, filters, listing, media, schemas, submission
from adapters.sas.faults import SasError, error2
from adapters.sas.routes import precondition, read_json, read_selection, send_job
from adapters.sas.wire import (
    COLLECTION,
    JOB,
    JOB_REQUEST,
    NAMESPACE,
    PROVIDER,
    PROVIDER_SUMMARY,
    ROOT,
    SELECTION,
    SUMMARY,
    TEXT,
    link,
    parse_stamp,
    stamp,
)
from jobgate.errors import JobgateError, NotFound, Unavailable
from jobgate.kit.blueprint import DialectBlueprint, etag, principal, service
from jobgate.kit.faults import fault_from
from jobgate.model import now

DOCUMENTS = "sas-job-requests"
PATH = f"{ROOT}/jobRequests"
MEMBERS = frozenset({"id", "name", "description", "jobDefinitionUri", "expiresAfter", "createdByApplication",
                     "createdBy", "modifiedBy", "creationTimeStamp", "modifiedTimeStamp"})
#: the provider of catalog jobs; configured SAS types are providers too
CATALOG_PROVIDER = "jobgate"

blp = DialectBlueprint(NAMESPACE, __name__, name="sas-job-requests",
                       description="SAS Viya Job Execution: job requests and providers")


@blp.route("/jobRequests")
class JobRequests(MethodView):
    @blp.arguments(schemas.ListQuery, location="query", error_status_code=400)
    @blp.response(200, schemas.Collection, content_type=COLLECTION)
    @docs.faults(blp, 400, 406)
    def get(self, args):
        chosen = media.negotiate(COLLECTION)
        query = listing.read_query(args, MEMBERS, {}, "name:ascending")
        page, count = listing.select([_doc(r) for r in service().document_list(principal(), DOCUMENTS)], query)
        actions = [link("createJobRequest", PATH, "POST", type=JOB_REQUEST, responseType=JOB_REQUEST)]
        return media.send(documents.collection("jobRequests", PATH, page, start=query.start, limit=query.limit,
                                               count=count, item_type=JOB_REQUEST, query=query.echo,
                                               actions=actions), chosen)

    @blp.doc(**docs.body(JOB_REQUEST, "application/json", schema=schemas.JobRequestIn))
    @blp.response(201, schemas.JobRequest, content_type=JOB_REQUEST)
    @docs.faults(blp, 400, 406, 415)
    def post(self):
        chosen = media.negotiate(JOB_REQUEST)
        media.require_body(JOB_REQUEST)
        fields = _fields(read_json(schemas.JobRequestIn))
        stamped = stamp(now())
        fields.update(id=str(uuid.uuid4()), createdBy=principal().name, modifiedBy=principal().name,
                      creationTimeStamp=stamped, modifiedTimeStamp=stamped)
        record = service().save_document(principal(), DOCUMENTS, fields["id"], {"request": fields}, new=True)
        return _send(record, chosen, 201)


@blp.route("/jobRequests/<request_id>")
class JobRequest(MethodView):
    @blp.response(200, schemas.JobRequest, content_type=JOB_REQUEST)
    @blp.alt_response(200, schema=schemas.Summary, content_type=SUMMARY, success=True,
                      description="With Accept: application/vnd.sas.summary+json")
    @docs.faults(blp, 404, 406)
    def get(self, request_id):
        chosen = media.negotiate(JOB_REQUEST, SUMMARY)
        record = _record(request_id)
        if chosen == SUMMARY:
            fields = record["request"]
            return media.send(documents.summary(fields["id"], fields.get("name") or "", JOB_REQUEST,
                                                f"{PATH}/{fields['id']}", fields.get("description")),
                              chosen, headers=_headers(record))
        return _send(record, chosen)

    @blp.doc(**docs.body(JOB_REQUEST, "application/json", schema=schemas.JobRequestIn))
    @blp.response(200, schemas.JobRequest, content_type=JOB_REQUEST)
    @docs.faults(blp, 400, 404, 406, 412, 415, 428)
    def put(self, request_id):
        """Replace a job request (If-Match or If-Unmodified-Since required)."""
        record = _record(request_id)
        chosen = media.negotiate(JOB_REQUEST)
        media.require_body(JOB_REQUEST)
        old = record["request"]
        expected = precondition(record["version"], parse_stamp(old["modifiedTimeStamp"]), "job request")
        body = read_json(schemas.JobRequestIn)
        if body.get("id", old["id"]) != old["id"]:
            raise SasError(400, 0, f"The job request ID in the body ({body['id']}) does not match the path.")
        fields = {**_fields(body), **{k: old[k] for k in ("id", "createdBy", "creationTimeStamp")},
                  "modifiedBy": principal().name, "modifiedTimeStamp": stamp(now())}
        saved = service().save_document(principal(), DOCUMENTS, old["id"], {"request": fields}, new=False,
                                      expected_version=expected)
        return _send(saved, chosen)

    @blp.response(204)
    @docs.faults(blp, 404)
    def delete(self, request_id):
        service().delete_document(principal(), DOCUMENTS, _record(request_id)["request"]["id"])
        return "", 204


@blp.route("/jobRequests/<request_id>/jobs")
class RequestJobs(MethodView):
    @blp.arguments(schemas.ListQuery, location="query", error_status_code=400)
    @blp.response(200, schemas.Collection, content_type=COLLECTION)
    @docs.faults(blp, 400, 404, 406)
    def get(self, args, request_id):
        return _jobs_of(_record(request_id), args)

    @blp.arguments(schemas.SubmitQuery, location="query", error_status_code=400)
    @blp.doc(**docs.body(TEXT))
    @blp.response(201, schemas.Job, content_type=JOB, description="The job submitted (empty body)")
    @blp.alt_response(200, schema=schemas.Collection, content_type=COLLECTION, success=True,
                      description="#withQuery: the request's jobs the text/plain filter body selects")
    @docs.faults(blp, 400, 404, 406, 409)
    @blp.creates
    def post(self, args, request_id):
        """Submit a job from the request (empty body); a text/plain body is a filter (#withQuery)."""
        record = _record(request_id)
        if media.is_text_body():
            return _jobs_of(record, listing.query_args(),
                            request.get_data(as_text=True))
        if not media.body_is_empty():
            raise SasError(400, 0, "The body of this request must be empty.")
        chosen = media.negotiate(JOB)
        return send_job(_submit(record), chosen, 201, location=True)


@blp.route("/jobRequests/@selection/jobs", methods=["POST"])
@blp.arguments(schemas.SubmitQuery, location="query", error_status_code=400)
@blp.doc(**docs.body(SELECTION, "application/json", schema=schemas.SelectionIn))
@blp.response(200, schemas.Collection, content_type=COLLECTION,
              description="items 1:1 with the selection: the job submitted, or an error2 document")
@docs.faults(blp, 400, 406, 415)
@blp.creates
def submit_selection(args):
    media.require_body(SELECTION)
    chosen = media.negotiate(COLLECTION)
    items = []
    jobs = listing.Jobs()
    for uri in read_selection()["resources"]:
        try:
            ref = uri.removeprefix(f"{PATH}/") if uri.startswith(f"{PATH}/") else "-"
            items.append(jobs.doc(_submit(_record(ref))))
        except Unavailable:
            raise                   # the store is away: the whole request is a 503, not one item's error
        except JobgateError as exc:
            items.append(error2(fault_from(exc, g.request_id), path=uri))
    return media.send({"links": [], "name": "items", "items": items, "version": 2}, chosen)


@blp.route("/providers", methods=["GET"])
@blp.arguments(schemas.ListQuery, location="query", error_status_code=400)
@blp.response(200, schemas.Collection, content_type=COLLECTION)
@docs.faults(blp, 400, 406)
def providers(args):
    chosen = media.negotiate(COLLECTION)
    query = listing.read_query(args, frozenset({"id"}), {}, "id:ascending")
    page, count = listing.select([_provider(p, summary=True) for p in _providers()], query)
    return media.send(documents.collection("providers", f"{ROOT}/providers", page, start=query.start,
                                           limit=query.limit, count=count, item_type=PROVIDER_SUMMARY,
                                           query=query.echo), chosen)


@blp.route("/providers/<provider_id>", methods=["GET"])
@blp.response(200, schemas.Provider, content_type=PROVIDER)
@docs.faults(blp, 404, 406)
def provider(provider_id):
    chosen = media.negotiate(PROVIDER)
    if provider_id not in _providers():
        raise NotFound(f"Provider not found with ID: {provider_id}.", id=provider_id)
    return media.send(_provider(provider_id), chosen)


# -- helpers the views share ------------------------------------------------------
def _fields(body: dict) -> dict:
    """What a stored request keeps: its definition by URI, arguments without nulls."""
    definition = submission.definition_of(body)
    submission.expires_after(body)
    fields = {k: body[k] for k in ("name", "description", "expiresAfter", "properties", "createdByApplication")
              if body.get(k) is not None}
    fields["jobDefinitionUri"] = documents.definition_uri(definition)
    fields["arguments"] = {k: v for k, v in (body.get("arguments") or {}).items() if v is not None}
    return fields


def _record(request_id: str) -> dict:
    try:
        return service().document(principal(), DOCUMENTS, request_id)
    except NotFound:
        raise NotFound(f"Job request not found with ID: {request_id}.", id=request_id) from None


def _doc(record: dict) -> dict:
    fields = record["request"]
    uri = f"{PATH}/{fields['id']}"
    doc = {**fields, "properties": fields.get("properties", []),
           "createdByApplication": fields.get("createdByApplication") or documents.APPLICATION}
    doc["links"] = [link("self", uri, type=JOB_REQUEST), link("alternate", uri, type=SUMMARY),
                    link("update", uri, "PUT", type=JOB_REQUEST, responseType=JOB_REQUEST),
                    link("delete", uri, "DELETE"), link("up", PATH, type=COLLECTION, itemType=JOB_REQUEST),
                    link("jobs", f"{uri}/jobs", type=COLLECTION, itemType=JOB),
                    link("submitJob", f"{uri}/jobs", "POST", responseType=JOB)]
    doc["version"] = 3
    return doc


def _headers(record: dict) -> dict:
    modified = parse_stamp(record["request"]["modifiedTimeStamp"])
    return {**etag(record["version"]), "Last-Modified": http_date(modified)}


def _send(record: dict, chosen: str, status: int = 200):
    headers = _headers(record)
    if status == 201:
        headers["Location"] = f"{PATH}/{record['request']['id']}"
    return media.send(_doc(record), chosen, status, headers)


def _submit(record: dict):
    fields = record["request"]
    return submission.submit(fields, stored=fields, who=submission.submitter())


def _jobs_of(record: dict, args: dict, filter_text: str | None = None):
    chosen = media.negotiate(COLLECTION)
    fields = record["request"]
    query = listing.read_query(args, listing.JOB_MEMBERS, listing.JOB_ALIASES, listing.JOB_SORT, filter_text)
    jobs = listing.Jobs()
    mine = filters.Call("eq", member="jobRequest.id", values=(fields["id"],))
    items, count = jobs.page(query, scope=jobs.by_uri(fields["jobDefinitionUri"]), extra=mine)
    path = f"{PATH}/{fields['id']}/jobs"
    return media.send(documents.collection("jobs", path, items, start=query.start, limit=query.limit, count=count,
                                           item_type=JOB, query=query.echo, up=f"{PATH}/{fields['id']}"), chosen)


def _providers() -> list[str]:
    return [CATALOG_PROVIDER, *blp.settings.job_types]


def _provider(provider_id: str, summary: bool = False) -> dict:
    uri = f"{ROOT}/providers/{provider_id}"
    doc = {"id": provider_id, "version": 1}
    if not summary:
        doc["heartbeatInterval"] = 0
    doc["links"] = [link("self", uri, type=PROVIDER)]
    return doc
