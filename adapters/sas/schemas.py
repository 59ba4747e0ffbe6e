"""Marshmallow schemas of the SAS wire format: request bodies and queries (loaded), and
the documents the routes answer (documented in the OpenAPI document; built in documents.py)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

APPLICATION = validate.Regexp(r"^[A-Za-z0-9-]{1,64}$", error="must be 1-64 letters, digits or '-'")


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE          # SAS clients send whole documents back (links, version ...)


class Property(_Loose):
    name = fields.String(required=True, validate=validate.Length(max=100))
    value = fields.String(allow_none=True)


class Parameter(_Loose):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    type = fields.String(validate=validate.OneOf(["TABLE", "NUMERIC", "DATE", "CHARACTER"]))
    label = fields.String(allow_none=True, validate=validate.Length(max=250))
    required = fields.Boolean()
    defaultValue = fields.String(allow_none=True)
    version = fields.Integer()


class JobDefinitionIn(_Loose):
    """POST /jobDefinitions/definitions; also a job request's embedded `jobDefinition`."""
    id = fields.String()
    name = fields.String(validate=validate.Length(max=255))
    description = fields.String(allow_none=True, validate=validate.Length(max=1000))
    type = fields.String(validate=validate.Length(min=1, max=250))
    code = fields.String(allow_none=True)
    parameters = fields.List(fields.Nested(Parameter))
    properties = fields.List(fields.Nested(Property))


class JobRequestIn(_Loose):
    """A job request: POST /jobs, POST and PUT /jobRequests."""
    id = fields.String()
    name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    jobDefinitionUri = fields.String(allow_none=True)
    jobDefinition = fields.Nested(JobDefinitionIn, allow_none=True)
    expiresAfter = fields.String(allow_none=True)
    arguments = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                            values=fields.String(allow_none=True), allow_none=True)
    properties = fields.List(fields.Nested(Property), allow_none=True)
    createdByApplication = fields.String(allow_none=True, validate=APPLICATION)


class JobIn(_Loose):
    """PUT /jobs/{id} (execution providers): what a provider may change."""
    id = fields.String()
    state = fields.String()
    stateDetails = fields.String(allow_none=True)
    results = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)


class SelectionIn(_Loose):
    version = fields.Integer()
    type = fields.String(load_default="id")
    resources = fields.List(fields.String(), required=True)
    name = fields.String()


class ListQuery(Schema):
    start = fields.Integer(load_default=0, metadata={"description": "zero-based index of the first item"})
    limit = fields.Integer(load_default=10)
    filter = fields.String(metadata={"description": "SAS filter expression, e.g. eq(state,'running')"})
    sortBy = fields.String(metadata={"description": "member[:ascending|descending], comma-separated"})


class SubmitQuery(Schema):
    submitter = fields.String(validate=APPLICATION)
    sumbitter = fields.String(validate=APPLICATION, metadata={"description": "deprecated spelling of submitter"})
    annotationUri = fields.String()


class ValueQuery(Schema):
    value = fields.String()


# -- documents answered (for the OpenAPI document) ------------------------------
class Link(Schema):
    method = fields.String()
    rel = fields.String(required=True)
    href = fields.String()
    uri = fields.String()
    type = fields.String()
    itemType = fields.String()
    responseType = fields.String()
    responseItemType = fields.String()
    title = fields.String()


class Error2(Schema):
    errorCode = fields.Integer()
    message = fields.String()
    details = fields.List(fields.String())
    remediation = fields.String()
    links = fields.List(fields.Nested(Link))
    version = fields.Integer(required=True)
    httpStatusCode = fields.Integer(required=True)


class JobDefinition(JobDefinitionIn):
    creationTimeStamp = fields.String()
    modifiedTimeStamp = fields.String()
    createdBy = fields.String()
    modifiedBy = fields.String()
    links = fields.List(fields.Nested(Link))
    version = fields.Integer()


class JobRequest(JobRequestIn):
    jobDefinition = fields.Nested(JobDefinition)
    creationTimeStamp = fields.String()
    modifiedTimeStamp = fields.String()
    createdBy = fields.String()
    modifiedBy = fields.String()
    links = fields.List(fields.Nested(Link))
    version = fields.Integer()


class Job(Schema):
    id = fields.String()
    state = fields.String(validate=validate.OneOf(["pending", "running", "completed", "failed", "canceled",
                                                   "timedOut"]))
    stateDetails = fields.String()
    results = fields.Dict(keys=fields.String(), values=fields.String())
    error = fields.Nested(Error2)
    jobRequest = fields.Nested(JobRequest)
    heartbeatInterval = fields.Integer()
    heartbeatTimeStamp = fields.String()
    creationTimeStamp = fields.String()
    modifiedTimeStamp = fields.String()
    endTimeStamp = fields.String()
    elapsedTime = fields.Integer()
    logLocation = fields.String()
    expirationTimeStamp = fields.String()
    createdBy = fields.String()
    modifiedBy = fields.String()
    submittedByApplication = fields.String()
    links = fields.List(fields.Nested(Link))
    version = fields.Integer()


class Collection(Schema):
    name = fields.String()
    start = fields.Integer()
    limit = fields.Integer()
    count = fields.Integer()
    accept = fields.String()
    items = fields.List(fields.Dict(), required=True)
    links = fields.List(fields.Nested(Link))
    version = fields.Integer()


class Summary(Schema):
    id = fields.String()
    name = fields.String()
    type = fields.String()
    description = fields.String()
    links = fields.List(fields.Nested(Link))
    version = fields.Integer()


class Provider(Schema):
    id = fields.String()
    heartbeatInterval = fields.Integer()
    expiresAfter = fields.String()
    links = fields.List(fields.Nested(Link))
    version = fields.Integer()


class Api(Schema):
    version = fields.Integer()
    links = fields.List(fields.Nested(Link))


class ApiMeta(Schema):
    serviceId = fields.String()
    build = fields.Dict()
    apiVersion = fields.Integer()


class Token(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    scope = fields.String()
    jti = fields.String()


class OAuthError(Schema):
    error = fields.String()
    error_description = fields.String()
