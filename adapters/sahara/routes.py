"""Sahara EDP v1.1 routes under /v1.1/{tenant_id}: parse, call the service, dump."""
from __future__ import annotations

import uuid
from operator import itemgetter

from flask import g, request
from flask.views import MethodView
from marshmallow import INCLUDE

from adapters.sahara import indexed, records, schemas
from adapters.sahara.config import JOB_TYPES
from adapters.sahara.faults import Refused
from adapters.sahara.listing import regex, select
from adapters.sahara.mapping import STATES
from adapters.sahara.records import NAMESPACE
from jobgate.errors import NotFound
from jobgate.kit import paging
from jobgate.kit.blueprint import DialectBlueprint, principal, service
from jobgate.model import Definition, Execution

NAME = "sahara"
PLUGIN = {"name": "jobgate", "title": "jobgate", "versions": {"1": {}},
          "description": "Runs EDP jobs as jobgate steps on RQ workers; there are no Hadoop clusters."}
EXECUTION_SORT = {"id": itemgetter("id"), "job_template": itemgetter("job_id"), "cluster": itemgetter("cluster_id"),
                  "status": lambda o: o["info"]["status"]}
JOB_SORT = {key: itemgetter(key) for key in ("id", "name", "type", "created_at", "updated_at")}


blp = DialectBlueprint(NAME, __name__, description="OpenStack Data Processing (Sahara EDP) v1.1")


@blp.url_value_preprocessor
def take_tenant(endpoint, values):
    g.sahara_tenant = (values or {}).pop("tenant_id", None)


@blp.before_request
def check_request():
    """After authentication: the URL's tenant must be the token's, a body must be JSON."""
    if g.sahara_tenant != principal().tenant:
        raise Refused("UNAUTHORIZED", "Token tenant != requested tenant", 401)
    if request.content_length and request.mimetype not in ("", "application/json"):
        raise Refused("INVALID_DATA", f"Content type '{request.mimetype}' isn't supported")


# -- job executions ---------------------------------------------------------
@blp.route("/<tenant_id>/job-executions")
@blp.arguments(schemas.ListQuery, location="query", unknown=INCLUDE)
@blp.response(200, schemas.JobExecutionList)
def list_executions(query):
    jobs = _jobs()
    listed = _keyset_page(query, jobs) or indexed.page(query, jobs)
    if listed is not None:
        return listed
    names = {job.uuid: records.job(job)["name"] for job in jobs.values()}
    found = [records.job_execution(e, jobs) for e in _executions(query, jobs)]
    page = select(found, query, sort_keys=EXECUTION_SORT, special={
        "status": lambda o, wanted: o["info"]["status"] == wanted.upper(),
        "job.name": lambda o, wanted: regex(names.get(o["job_id"]), wanted)})
    return {"job_executions": page["items"], **_markers(page)}


@blp.route("/<tenant_id>/job-executions/<ref>")
class JobExecution(MethodView):
    @blp.response(200, schemas.JobExecutionEnvelope)
    def get(self, ref):
        return _shown(service().get(principal(), ref))

    @blp.arguments(schemas.ExecutionPatch)
    @blp.response(202, schemas.JobExecutionEnvelope)
    def patch(self, body, ref):
        execution = service().get(principal(), ref)
        _check_update(execution.id, "JobExecution", records.job_execution(execution, _job_of(execution)), body)
        if "info" in body:
            if len(body) > 1:
                raise Refused("INVALID_JOB_STATUS", "Invalid status parameter")
            if body["info"]["status"] == "suspend":
                raise Refused("INVALID_REFERENCE", "Engine doesn't support suspending job feature")
            return _shown(execution)      # v1.1 ignores {"status": "cancel"}; only v2 cancels this way
        # no expected_version: the worker bumps it with every progress write
        return _shown(service().set_attributes(principal(), execution.id, NAMESPACE, body))

    @blp.response(204)
    def delete(self, ref):
        execution = service().get(principal(), ref)
        if execution.attrs(NAMESPACE).get("is_protected"):
            raise Refused("DELETION_FAILED", f"JobExecution with id '{execution.id}' could not be deleted "
                                             "because it's marked as protected")
        # Sahara cancels what it deletes and removes it once it has stopped
        service().delete(principal(), execution.id, when_ended=True)


@blp.route("/<tenant_id>/job-executions/<ref>/refresh-status")
@blp.response(200, schemas.JobExecutionEnvelope)
def refresh_status(ref):
    """jobgate's records are always current: nothing to poll."""
    return _shown(service().get(principal(), ref))


@blp.route("/<tenant_id>/job-executions/<ref>/cancel")
@blp.response(200, schemas.JobExecutionEnvelope)
def cancel(ref):
    execution = service().get(principal(), ref)
    if execution.attrs(NAMESPACE).get("is_protected"):
        raise Refused("CANCELING_FAILED", f"Job Execution with id '{execution.id}' cannot be canceled "
                                          "because it's marked as protected")
    return _shown(_cancel(execution))


# -- jobs (templates) --------------------------------------------------------
@blp.route("/<tenant_id>/jobs")
class Jobs(MethodView):
    @blp.arguments(schemas.ListQuery, location="query", unknown=INCLUDE)
    @blp.response(200, schemas.JobList)
    def get(self, query):
        page = select([records.job(job) for job in _jobs().values()], query, sort_keys=JOB_SORT)
        return {"jobs": page["items"], **_markers(page)}

    @blp.arguments(schemas.JobIn)
    @blp.response(202, schemas.JobEnvelope)
    def post(self, body):
        step = blp.settings.job_types.get(body["type"])
        if step is None:
            served = ", ".join(blp.settings.job_types) or "none"
            raise Refused("INVALID_DATA", f"Job type '{body['type']}' is not served here (served: {served})")
        _check_name_free(body["name"])
        attributes = {k: body[k] for k in ("type", "mains", "libs", "interface", "is_public", "is_protected")
                      if body.get(k) is not None}
        definition = service().create_definition(principal(), {
            "id": uuid.uuid4().hex, "name": body["name"], "description": body.get("description", ""),
            "steps": [{"id": body["type"], **step}], "attributes": {NAMESPACE: attributes}})
        return {"job": records.job(definition)}


@blp.route("/<tenant_id>/jobs/<ref>")
class Job(MethodView):
    @blp.response(200, schemas.JobEnvelope)
    def get(self, ref):
        return {"job": records.job(service().definition(principal(), ref))}

    @blp.arguments(schemas.JobPatch)
    @blp.response(202, schemas.JobEnvelope)
    def patch(self, body, ref):
        definition = service().definition(principal(), ref)
        if definition.source == "catalog":
            raise Refused("UPDATE_FAILED", f"Job with id '{definition.uuid}' could not be updated because "
                                           "it is an operator catalog job")
        _check_update(definition.uuid, "Job", records.job(definition), body)
        if "name" in body:
            _check_name_free(body["name"], definition.id)
        flags = {k: body[k] for k in ("is_public", "is_protected") if k in body}
        changes = {k: body[k] for k in ("name", "description") if k in body}
        attributes = {**definition.attributes, NAMESPACE: {**definition.attributes.get(NAMESPACE, {}), **flags}}
        updated = service().update_definition(principal(), definition.id, {**changes, "attributes": attributes},
                                               expected_version=definition.version)
        return {"job": records.job(updated)}

    @blp.response(204)
    def delete(self, ref):
        definition = service().definition(principal(), ref)
        if records.job(definition)["is_protected"]:
            raise Refused("DELETION_FAILED", f"Job with id '{definition.uuid}' could not be deleted "
                                             "because it's marked as protected")
        service().delete_definition(principal(), definition.id)


@blp.route("/<tenant_id>/jobs/<ref>/execute", methods=["POST"])
@blp.arguments(schemas.ExecuteIn)
@blp.response(202, schemas.JobExecutionEnvelope)
@blp.creates
def execute(body, ref):
    definition = service().definition(principal(), ref)
    job_configs = body.get("job_configs", {})
    parameters = {**job_configs.get("configs", {}), **job_configs.get("params", {})}
    if job_configs.get("args"):
        parameters["args"] = job_configs["args"]
    attributes = {k: body[k] for k in ("cluster_id", "input_id", "output_id", "job_configs", "interface",
                                       "is_public", "is_protected") if body.get(k) is not None}
    return _shown(service().submit(principal(), definition.id, parameters, origin=NAME,
                                   attributes={NAMESPACE: attributes},
                                   queue=blp.settings.cluster_queues.get(body["cluster_id"])))


@blp.route("/<tenant_id>/jobs/config-hints/<job_type>")
@blp.response(200)
def config_hints(job_type):
    if job_type not in blp.settings.job_types:
        raise NotFound(f"no job type {job_type!r}", id=job_type)
    return {"job_config": {"configs": [], "args": []}}


@blp.route("/<tenant_id>/job-types")
@blp.arguments(schemas.JobTypesQuery, location="query")
@blp.response(200, schemas.JobTypeList)
def job_types(query):
    wanted = set(query.get("type") or blp.settings.job_types)
    plugins = [PLUGIN] if PLUGIN["name"] in query.get("plugin", [PLUGIN["name"]]) else []
    served = [t for t in JOB_TYPES if t in blp.settings.job_types and t in wanted]
    return {"job_types": [{"name": t, "plugins": plugins} for t in served] if plugins else []}


# -- helpers the views share ---------------------------------------------------
def _jobs() -> dict[str, Definition]:
    return {job.id: job for job in service().definitions(principal())}


def _job_of(execution: Execution) -> dict[str, Definition]:
    """The one template an execution shows the uuid of (none once an API-made job is deleted)."""
    try:
        return {execution.definition_id: service().definition(principal(), execution.definition_id)}
    except NotFound:
        return {}


def _shown(execution: Execution) -> dict:
    return {"job_execution": records.job_execution(execution, _job_of(execution))}


def _markers(page: dict) -> dict:
    return {"markers": page["markers"]} if "markers" in page else {}


#: Queries the store's indexes answer directly, a page at a time.
KEYSET = {"limit", "marker", "job_id"}


def _keyset_page(query: dict, jobs: dict[str, Definition]) -> dict | None:
    """The usual client list (creation order, `limit` + `marker`, maybe a job) as keyset
    pages from the store: O(log n + limit), however many executions the tenant has.
    None when the query needs the general path (other filters, sort_by, no limit)."""
    limit = query.get("limit")
    if set(query) - KEYSET or limit is None or limit >= service().settings.page_limit:
        return None
    definition = None
    if "job_id" in query:
        matched = [job.id for job in jobs.values() if job.uuid == query["job_id"]]
        if not matched:
            return {"job_executions": []}
        definition = matched[0]
    marker = query.get("marker")
    after = None
    if marker is not None:
        after = paging.anchor(marker, definition)
        if after is None:
            raise Refused("NOT_FOUND", f"Object with {{'id': '{marker}'}} not found", 404)
    found = paging.keyset(limit=limit, after=after, definition=definition, with_previous=True)
    items = found.items
    prev = found.previous.id if found.previous else None
    following = found.next.id if found.next else None
    page = {"job_executions": [records.job_execution(e, jobs) for e in items]}
    if prev or following or marker is not None:
        page["markers"] = {"prev": prev, "next": following}
    return page


def _executions(query: dict, jobs: dict[str, Definition]) -> list[Execution]:
    """Every execution the filters could match, narrowed by the store's job and state indexes."""
    definition = None
    if "job_id" in query:
        matched = [job.id for job in jobs.values() if job.uuid == query["job_id"]]
        if not matched:
            return []
        definition = matched[0]
    state = None
    if "status" in query:
        states = STATES.states(query["status"].upper())
        if not states:
            return []
        state = next(iter(states)) if len(states) == 1 else None
    return list(service().scan(principal(), definition=definition, state=state, newest_first=False))


def _cancel(execution: Execution) -> Execution:
    """Sahara cancels whatever the state: an ended execution is returned as it is."""
    found = service().request_cancel(principal(), execution.id)
    if found is None:
        raise Refused("CANCELING_FAILED", f"Job execution {execution.id} was not canceled")
    return found


def _check_update(object_id: str, kind: str, current: dict, changes: dict) -> None:
    """Sahara's rule: a protected object only takes a change to is_public, or being unprotected."""
    if not current["is_protected"] or not changes.get("is_protected", True):
        return
    if "is_public" in changes and all(k == "is_public" or current.get(k) == v for k, v in changes.items()):
        return
    raise Refused("UPDATE_FAILED", f"{kind} with id '{object_id}' could not be updated because it's marked as protected")


def _check_name_free(name: str, own_id: str | None = None) -> None:
    """Names are unique among the templates a tenant sees (its own and the catalog's)."""
    taken = {records.job(job)["name"] for job in service().definitions(principal()) if job.id != own_id}
    if name in taken:
        raise Refused("NAME_ALREADY_EXISTS", f"Job with name '{name}' already exists")
