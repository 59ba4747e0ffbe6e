"""The OCAPI wire documents, both directions.

Key order follows the samples: `_v`, `_type`, `_resource_state`, then
alphabetical. Properties without a value are left out (as the samples leave
out `end_time` while running), and properties newer versions added appear
from the version where the reference first shows them.
"""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, pre_load, validate, validates

from adapters.ocapi import versions
from jobgate import limits
from jobgate.kit.fields import Timestamp

#: property -> first Data API version showing it (earlier first appearance unknown)
SINCE = {"parameters": (23, 2), "log_file_path": (25, 6)}
#: job_execution_parameter constraints: no leading or trailing blanks
NOT_BLANK = validate.Regexp(r"^(\S|\S.*\S)$", error="must not be blank or start or end with blanks")
#: parameter names reach steps as environment variable names: printable text, not blank
NAME = validate.Regexp(r"^(?![\s\S]*[\x00-\x1f\x7f])(\S|\S.*\S)$",
                       error="must not be blank, start or end with blanks, or hold control characters")


class Document(Schema):
    @post_dump
    def drop_absent(self, data, **kwargs):
        return {k: v for k, v in data.items()
                if v is not None and (k not in SINCE or versions.at_least(SINCE[k]))}


class Status(Document):
    type = fields.Constant("status", data_key="_type")
    code = fields.String()
    message = fields.String()
    status = fields.String()


class Parameter(Document):
    type = fields.Constant("job_execution_parameter", data_key="_type")
    name = fields.String()
    value = fields.String()


class JobStepExecution(Document):
    type = fields.Constant("job_step_execution", data_key="_type")
    duration = fields.Integer()
    end_time = Timestamp()
    execution_scope = fields.String()
    execution_status = fields.String()
    exit_status = fields.Nested(Status)
    id = fields.String()
    modification_time = Timestamp()
    start_time = Timestamp()
    status = fields.String()
    step_description = fields.String()
    step_id = fields.String()
    step_type_id = fields.String()
    step_type_info = fields.String()


class JobExecution(Document):
    v = fields.Function(lambda _: versions.current(), data_key="_v")
    type = fields.Constant("job_execution", data_key="_type")
    resource_state = fields.String(data_key="_resource_state")
    client_id = fields.String()
    duration = fields.Integer()
    end_time = Timestamp()
    execution_scopes = fields.List(fields.String())
    execution_status = fields.String()
    exit_status = fields.Nested(Status)
    id = fields.String()
    is_log_file_existing = fields.Boolean()
    is_restart = fields.Boolean()
    job_id = fields.String()
    log_file_name = fields.String()
    log_file_path = fields.String()
    modification_time = Timestamp()
    parameters = fields.List(fields.Nested(Parameter))
    start_time = Timestamp()
    status = fields.String()
    step_executions = fields.List(fields.Nested(JobStepExecution))


class JobExecutionItem(JobExecution):
    """A job_execution inside a collection: no `_resource_state` (17.2 list sample)."""
    class Meta:
        exclude = ("resource_state",)


class ResultPage(Document):
    count = fields.Integer()
    start = fields.Integer()


class JobExecutionResult(Document):
    v = fields.Function(lambda _: versions.current(), data_key="_v")
    type = fields.Constant("job_execution_result", data_key="_type")
    count = fields.Integer()
    data = fields.List(fields.Nested(JobExecutionItem))
    next = fields.Nested(ResultPage)
    previous = fields.Nested(ResultPage)
    start = fields.Integer()
    total = fields.Integer()


class JobExecutionSearchResult(Document):
    v = fields.Function(lambda _: versions.current(), data_key="_v")
    type = fields.Constant("job_execution_search_result", data_key="_type")
    count = fields.Integer()
    hits = fields.List(fields.Nested(JobExecutionItem))
    next = fields.Nested(ResultPage)
    previous = fields.Nested(ResultPage)
    query = fields.Raw()
    sorts = fields.Raw()
    start = fields.Integer()
    total = fields.Integer()


# -- requests -------------------------------------------------------------

class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE          # client_id, format ... are read elsewhere
    start = fields.Integer(load_default=0, validate=validate.Range(min=0, max=limits.MAX_INT))
    count = fields.Integer(load_default=25, validate=validate.Range(min=1, max=limits.PAGE_MAX))


class ParameterIn(Schema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=256), NAME])
    #: sfcc-ci sends `null` for `job:run Job flag` (no `=`): taken as an empty value
    value = fields.String(required=True, allow_none=True, validate=[validate.Length(max=1000), NOT_BLANK])


class JobExecutionRequest(Schema):
    parameters = fields.List(fields.Nested(ParameterIn), load_default=list)

    @pre_load
    def null_is_empty(self, data, **kwargs):
        """A JSON `null` body (sfcc-ci's JS API with no parameters) means no parameters."""
        return {} if data is None else data

    @validates("parameters")
    def names_once(self, value, **kwargs):
        """One value per name: a repeated name would run with one and echo both."""
        names = [p["name"] for p in value if isinstance(p, dict) and "name" in p]
        if len(names) != len(set(names)):
            raise ValidationError("a parameter name is given twice")


class Sort(Schema):
    field = fields.String(required=True)
    sort_order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))


class SearchRequest(Schema):
    query = fields.Dict(required=True)
    start = fields.Integer(load_default=0, validate=validate.Range(min=0, max=limits.MAX_INT))
    count = fields.Integer(load_default=25, validate=validate.Range(min=1, max=limits.PAGE_MAX))
    sorts = fields.List(fields.Nested(Sort), load_default=list)
    #: accepted and ignored: every property of a hit is always returned
    select = fields.Raw()
    expand = fields.Raw()
    db_start_record_ = fields.Integer()
