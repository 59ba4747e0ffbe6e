"""Wire format of Sahara EDP v1.1: request bodies as Sahara validates them, objects as it emits them."""
import uuid

from marshmallow import Schema, ValidationError, fields, validate

from adapters.sahara.config import JOB_TYPES
from jobgate.kit.fields import Timestamp

NAME = validate.Regexp(r"^[a-zA-Z0-9][a-zA-Z0-9\-_\.]*$", error="'{input}' is not a valid job name")


def _uuid_like(value: str) -> None:
    """oslo's is_uuid_like: dashed or undashed hex."""
    try:
        uuid.UUID(value)
    except ValueError:
        raise ValidationError(f"'{value}' is not a 'uuid'") from None


class SimpleConfig(fields.Dict):
    """Sahara's simple_config: an object whose values are strings or integers (booleans pass, as in Python)."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        mapping = super()._deserialize(value, attr, data, **kwargs)
        bad = {k: ["must be a string or an integer"] for k, v in mapping.items() if not isinstance(v, (str, int))}
        if bad:
            raise ValidationError(bad)
        return mapping


def Stamp() -> Timestamp:
    """Sahara's "YYYY-MM-DDTHH:MM:SS", UTC, no zone."""
    return Timestamp(precision="s", suffix="", allow_none=True)


def UUID(**kwargs) -> fields.String:
    return fields.String(validate=_uuid_like, **kwargs)


def Flag() -> fields.Boolean:
    """JSON true, false or null only (no "yes", no 1)."""
    return fields.Boolean(allow_none=True, truthy={True}, falsy={False})


def _status_only(info: dict) -> None:
    if set(info) != {"status"} or info["status"] not in ("suspend", "cancel"):
        raise ValidationError("info may only hold \"status\": \"suspend\" or \"cancel\"")


# -- requests -----------------------------------------------------------------

class JobConfigsIn(Schema):
    configs = SimpleConfig()
    params = SimpleConfig()
    args = fields.List(fields.String())
    job_execution_info = SimpleConfig()


class ExecuteIn(Schema):
    cluster_id = UUID(required=True)
    input_id = UUID()
    output_id = UUID()
    job_configs = fields.Nested(JobConfigsIn)
    interface = SimpleConfig()
    is_public = Flag()
    is_protected = Flag()


class ExecutionPatch(Schema):
    is_public = Flag()
    is_protected = Flag()
    info = SimpleConfig(validate=_status_only)


class JobIn(Schema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=50), NAME])
    type = fields.String(required=True, validate=validate.OneOf(JOB_TYPES))
    description = fields.String()
    mains = fields.List(UUID())
    libs = fields.List(UUID())
    interface = fields.List(fields.Dict())
    streaming = fields.Boolean()
    is_public = Flag()
    is_protected = Flag()


class JobPatch(Schema):
    name = fields.String(validate=[validate.Length(min=1, max=50), NAME])
    description = fields.String()
    is_public = Flag()
    is_protected = Flag()


class ListQuery(Schema):
    """Paging and sorting; any other query parameter is a filter (passed through)."""
    limit = fields.Integer(validate=validate.Range(min=1, error="'limit' must be positive integer"))
    marker = fields.String()
    sort_by = fields.String()


class JobTypesQuery(Schema):
    type = fields.List(fields.String())
    plugin = fields.List(fields.String())


# -- responses ----------------------------------------------------------------

class JobExecutionOut(Schema):
    id = fields.String()
    tenant_id = fields.String()
    job_id = fields.String()
    cluster_id = fields.String(allow_none=True)
    input_id = fields.String(allow_none=True)
    output_id = fields.String(allow_none=True)
    job_configs = fields.Dict()
    interface = fields.Dict()
    info = fields.Dict()
    start_time = Stamp()
    end_time = Stamp()
    created_at = Stamp()
    updated_at = Stamp()
    return_code = fields.String(allow_none=True)
    oozie_job_id = fields.String(allow_none=True)
    engine_job_id = fields.String(allow_none=True)
    data_source_urls = fields.Dict(allow_none=True)
    is_public = fields.Boolean(allow_none=True)
    is_protected = fields.Boolean(allow_none=True)


class BinaryOut(Schema):
    id = fields.String()
    name = fields.String()


class JobOut(Schema):
    id = fields.String()
    tenant_id = fields.String(allow_none=True)
    name = fields.String()
    description = fields.String()
    type = fields.String()
    mains = fields.List(fields.Nested(BinaryOut))
    libs = fields.List(fields.Nested(BinaryOut))
    interface = fields.List(fields.Dict())
    is_public = fields.Boolean(allow_none=True)
    is_protected = fields.Boolean(allow_none=True)
    created_at = Stamp()
    updated_at = Stamp()


class Markers(Schema):
    prev = fields.String(allow_none=True)
    next = fields.String(allow_none=True)


class JobExecutionEnvelope(Schema):
    job_execution = fields.Nested(JobExecutionOut)


class JobExecutionList(Schema):
    job_executions = fields.List(fields.Nested(JobExecutionOut))
    markers = fields.Nested(Markers)


class JobEnvelope(Schema):
    job = fields.Nested(JobOut)


class JobList(Schema):
    jobs = fields.List(fields.Nested(JobOut))
    markers = fields.Nested(Markers)


class PluginOut(Schema):
    name = fields.String()
    title = fields.String()
    description = fields.String()
    versions = fields.Dict()


class JobTypeOut(Schema):
    name = fields.String()
    plugins = fields.List(fields.Nested(PluginOut))


class JobTypeList(Schema):
    job_types = fields.List(fields.Nested(JobTypeOut))
