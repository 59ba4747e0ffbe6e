"""/jobDefinitions/definitions: the definitions SAS clients fetch before they submit.

Operator catalog jobs and API-made definitions are shown as SAS job definitions.
POST makes one whose `type` the operator mapped to a step (JOBGATE_SAS_JOB_TYPES);
its `code` is kept as an attribute and shown back, never run. PUT replaces an API-made
definition the way SAS's Job Definitions API documents it: the whole document, with
If-Match on its ETag (or If-Unmodified-Since); 428 without either, 412 when stale.
Operator catalog jobs refuse PUT and DELETE.
"""
from __future__ import annotations

import uuid

from flask.views import MethodView

from adapters.sas import docs, documents, media, schemas
from adapters.sas.faults import SasError
from adapters.sas.listing import read_query, select
from adapters.sas.routes import precondition, read_json
from adapters.sas.wire import COLLECTION, DEFINITION, DEFINITIONS, NAMESPACE
from jobgate.kit.blueprint import DialectBlueprint, etag, principal, service
from jobgate.model import Definition

PREFIX = "/jobDefinitions"
MEMBERS = frozenset({"id", "name", "description", "type", "createdBy", "modifiedBy", "creationTimeStamp",
                     "modifiedTimeStamp"})

blp = DialectBlueprint(NAMESPACE, __name__, name="sas-definitions",
                       description="SAS Job Definitions: the definitions jobs run")


@blp.route("/definitions")
class Definitions(MethodView):
    @blp.arguments(schemas.ListQuery, location="query", error_status_code=400)
    @blp.response(200, schemas.Collection, content_type=COLLECTION)
    @docs.faults(blp, 400, 406)
    def get(self, args):
        chosen = media.negotiate(COLLECTION)
        query = read_query(args, MEMBERS, {}, "name:ascending")
        page, count = select([documents.job_definition(d) for d in service().definitions(principal())], query)
        return media.send(documents.collection("definitions", DEFINITIONS, page, start=query.start, limit=query.limit,
                                               count=count, item_type=DEFINITION, query=query.echo,
                                               up=None), chosen)

    @blp.doc(**docs.body(DEFINITION, "application/json", schema=schemas.JobDefinitionIn))
    @blp.response(201, schemas.JobDefinition, content_type=DEFINITION)
    @docs.faults(blp, 400, 406, 415)
    def post(self):
        """Create a definition of a type the operator serves."""
        chosen = media.negotiate(DEFINITION)
        media.require_body(DEFINITION)
        body = read_json(schemas.JobDefinitionIn)
        definition = service().create_definition(principal(), {
            "id": uuid.uuid4().hex, **_fields(body), "attributes": {NAMESPACE: _kept(body, createdBy=principal().name)}})
        return _send(definition, chosen, 201)


@blp.route("/definitions/<definition_id>")
class OneDefinition(MethodView):
    @blp.response(200, schemas.JobDefinition, content_type=DEFINITION)
    @docs.faults(blp, 404, 406)
    def get(self, definition_id):
        return _send(service().definition(principal(), definition_id), media.negotiate(DEFINITION))

    @blp.doc(**docs.body(DEFINITION, "application/json", schema=schemas.JobDefinitionIn))
    @blp.response(200, schemas.JobDefinition, content_type=DEFINITION)
    @docs.faults(blp, 400, 404, 406, 412, 415, 428)
    def put(self, definition_id):
        """Replace a definition made through this API (If-Match or If-Unmodified-Since required)."""
        definition = _changeable(service().definition(principal(), definition_id), "changed")
        chosen = media.negotiate(DEFINITION)
        media.require_body(DEFINITION)
        expected = precondition(definition.version, definition.modified, "job definition")
        body = read_json(schemas.JobDefinitionIn)
        if body.get("id", definition.uuid) != definition.uuid:
            raise SasError(400, 0, f"The job definition ID in the body ({body['id']}) does not match the path "
                                   f"({definition.uuid}).")
        made = definition.attributes.get(NAMESPACE, {})
        attributes = {**definition.attributes, NAMESPACE: _kept(body, createdBy=made.get("createdBy", "jobgate"),
                                                                modifiedBy=principal().name)}
        updated = service().update_definition(principal(), definition.id, {**_fields(body), "attributes": attributes},
                                              expected_version=expected)
        return _send(updated, chosen)

    @blp.response(204)
    @docs.faults(blp, 400, 404)
    def delete(self, definition_id):
        definition = _changeable(service().definition(principal(), definition_id), "deleted")
        service().delete_definition(principal(), definition.id)
        return "", 204


def _changeable(definition: Definition, what: str) -> Definition:
    if definition.source == "catalog":
        raise SasError(400, 0, f"The job definition {definition.uuid} is an operator catalog job and cannot "
                               f"be {what}.")
    return definition


def _fields(body: dict) -> dict:
    """The canonical definition a SAS document describes: its type's step, its parameters' defaults."""
    step = blp.settings.job_types.get(body.get("type"))
    if step is None:
        served = ", ".join(blp.settings.job_types) or "none"
        raise SasError(400, 0, f"The job definition type {body.get('type')!r} is not served here.",
                       remediation=f"Use one of these types: {served}.")
    parameters = {p["name"]: p["defaultValue"] for p in body.get("parameters", [])
                  if p.get("defaultValue") is not None}
    return {"name": body.get("name") or body["type"], "description": body.get("description") or "",
            "parameters": parameters, "steps": [{"id": body["type"], **step}]}


def _kept(body: dict, **who: str) -> dict:
    """What SAS shows back as given: type, code, parameters and properties, and who made or changed it."""
    return {**{k: body[k] for k in ("type", "code", "parameters", "properties") if body.get(k) is not None}, **who}


def _send(definition: Definition, chosen: str, status: int = 200):
    headers = etag(definition.version)
    if status == 201:
        headers["Location"] = documents.definition_uri(definition)
    return media.send(documents.job_definition(definition), chosen, status, headers)
