"""Wire format of the native API, both directions."""
from marshmallow import EXCLUDE, Schema, fields, validate

from jobgate import limits, model
from jobgate.kit.fields import Timestamp
from jobgate.kit.states import IDENTITY as STATES

SLUG = validate.Regexp(model.SLUG, error="must be 1-128 letters, digits, '_', '-' or '.'")
#: Offsets beyond this are empty anyway (Redis indexes are 32-bit here)
OFFSET = validate.Range(min=0, max=limits.MAX_INT)


class StepIn(Schema):
    id = fields.String(validate=SLUG)
    type = fields.String(required=True)
    description = fields.String()
    params = fields.Dict(keys=fields.String())
    timeout = fields.Float(validate=validate.Range(min=0, min_inclusive=False))


class DefinitionIn(Schema):
    id = fields.String(required=True, validate=SLUG)
    name = fields.String()
    description = fields.String()
    steps = fields.List(fields.Nested(StepIn), required=True, validate=validate.Length(min=1))
    parameters = fields.Dict(keys=fields.String())
    allow_concurrent = fields.Boolean()
    restartable = fields.Boolean()
    timeout = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False))
    retries = fields.Integer(validate=validate.Range(min=0, max=limits.RETRIES_MAX))
    queue = fields.String(validate=SLUG)
    labels = fields.List(fields.String())


class DefinitionPatch(DefinitionIn):
    class Meta:
        exclude = ("id",)


class StepOut(Schema):
    id = fields.String()
    type = fields.String()
    description = fields.String()


class DefinitionOut(Schema):
    id = fields.String()
    uuid = fields.String()
    seq = fields.Integer()
    name = fields.String()
    description = fields.String()
    source = fields.String()
    steps = fields.List(fields.Nested(StepOut))
    parameters = fields.Dict()
    allow_concurrent = fields.Boolean()
    restartable = fields.Boolean()
    timeout = fields.Float(allow_none=True)
    retries = fields.Integer()
    queue = fields.String()
    labels = fields.List(fields.String())
    created = Timestamp()
    modified = Timestamp()
    version = fields.Integer()


class DefinitionList(Schema):
    items = fields.List(fields.Nested(DefinitionOut))
    total = fields.Integer()


class SubmitIn(Schema):
    definition = fields.String(required=True)
    parameters = fields.Dict(keys=fields.String(), load_default=dict)
    start_at = Timestamp(metadata={"description": "start no earlier than this time (CREATED until then)"})
    after = fields.List(fields.String(), load_default=list,
                        metadata={"description": "executions that must succeed first"})
    expires_at = Timestamp()
    expire_after = fields.Float(validate=validate.Range(min=0), metadata={"description": "seconds after the end"})
    callback_url = fields.String(metadata={"description": "a URL told of its state changes and progress, signed as"
                                                          " webhooks are (with `callback_secret`)"})


class ExpiryIn(Schema):
    at = Timestamp()
    after_end = fields.Float(validate=validate.Range(min=0))


class ScheduleIn(Schema):
    definition = fields.String(required=True)
    cron = fields.String(required=True)
    parameters = fields.Dict(keys=fields.String(), load_default=dict)


class ScheduleOut(Schema):
    id = fields.String()
    definition = fields.String(attribute="definition_id")
    cron = fields.String()
    parameters = fields.Dict()
    paused = fields.Boolean()
    next_run = Timestamp()
    created = Timestamp()
    principal = fields.String()


class ScheduleList(Schema):
    items = fields.List(fields.Nested(ScheduleOut))


class ListQuery(Schema):
    definition = fields.String()
    state = fields.String(validate=validate.OneOf(STATES.values()))
    origin = fields.String(validate=SLUG)
    order = fields.String(load_default="newest", validate=validate.OneOf(["newest", "oldest"]))
    offset = fields.Integer(load_default=0, validate=OFFSET)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=limits.PAGE_MAX))
    cursor = fields.Integer(validate=OFFSET)


class EventsQuery(Schema):
    """Which of the tenant's events a stream tells (all when none given)."""
    definition = fields.String(validate=SLUG)
    state = fields.String(validate=validate.OneOf(STATES.values()))
    origin = fields.String(validate=SLUG)


class ResumeHeaders(Schema):
    """A reconnecting EventSource names the last event it saw; the stream goes on after it."""
    class Meta:
        unknown = EXCLUDE

    last_event_id = fields.String(data_key="Last-Event-ID", metadata={
        "description": "the `id:` of the last event seen: the stream goes on after it"})


class LogQuery(Schema):
    offset = fields.Integer(load_default=0, validate=OFFSET)


class ProgressOut(Schema):
    percent = fields.Float()
    total = fields.Integer()
    processed = fields.Integer()
    failed = fields.Integer()


class StepExecutionOut(Schema):
    id = fields.String()
    type = fields.String()
    description = fields.String()
    state = fields.Function(lambda step: STATES.wire(step.state))
    started = Timestamp()
    ended = Timestamp()
    exit_code = fields.Integer(allow_none=True)
    message = fields.String()


class ExecutionOut(Schema):
    id = fields.String()
    seq = fields.Integer()
    definition = fields.String(attribute="definition_id")
    state = fields.Function(lambda ex: STATES.wire(ex))
    message = fields.String()
    exit = fields.Function(lambda ex: None if ex.exit_code is None else {"code": ex.exit_code, "message": ex.exit_message})
    parameters = fields.Dict()
    principal = fields.String()
    client_id = fields.String(allow_none=True)
    origin = fields.String()
    trigger = fields.String()
    created = Timestamp()
    queued = Timestamp()
    started = Timestamp()
    ended = Timestamp()
    modified = Timestamp()
    heartbeat = Timestamp()
    expires = Timestamp()
    duration_ms = fields.Integer(allow_none=True)
    progress = fields.Nested(ProgressOut)
    steps = fields.List(fields.Nested(StepExecutionOut))
    has_result = fields.Boolean()
    log_size = fields.Integer()
    restart_of = fields.String(allow_none=True)
    restarted_as = fields.String(allow_none=True)
    attempt = fields.Integer()
    cancel_requested = fields.Boolean()
    canceled_by = fields.String(allow_none=True)
    version = fields.Integer()
    attributes = fields.Dict()
    callback_url = fields.String(allow_none=True)


class SubmitOut(ExecutionOut):
    callback_secret = fields.String(metadata={"description": "the secret its callback deliveries are signed with,"
                                                             " shown only here"})


class WebhookIn(Schema):
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True, metadata={
        "description": "event types: state, progress, step.started, step.ended"})
    secret = fields.String(metadata={"description": "whsec_ + base64 of 24 to 64 bytes; made when absent"})


class WebhookOut(Schema):
    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    principal = fields.String()
    created = Timestamp()


class WebhookCreated(WebhookOut):
    secret = fields.String(metadata={"description": "what deliveries are signed with, shown only here"})


class WebhookList(Schema):
    items = fields.List(fields.Nested(WebhookOut))


class DeliveryOut(Schema):
    id = fields.String(metadata={"description": "its webhook-id header, the same on every attempt"})
    event = fields.String()
    execution = fields.String(attribute="execution_id")
    state = fields.String(attribute="outcome", metadata={"description": "pending, succeeded or failed"})
    attempts = fields.List(fields.Dict(), metadata={"description": "{at, status, error, ms} of each attempt"})
    next_attempt = Timestamp(allow_none=True)
    created = Timestamp()
    body = fields.String(metadata={"description": "what is sent"})


class DeliveryList(Schema):
    items = fields.List(fields.Nested(DeliveryOut))


class DeliveryQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=limits.PAGE_MAX))


class ResultOut(Schema):
    result = fields.Raw(allow_none=True, metadata={"description": "what the steps returned"})


class ExecutionPage(Schema):
    items = fields.List(fields.Nested(ExecutionOut))
    total = fields.Integer()
    offset = fields.Integer()
    limit = fields.Integer()
    next_cursor = fields.Integer(allow_none=True)
