"""Native routes for server-sent events: one execution's, and the tenant's (kit.sse)."""
from adapters.native import schemas
from adapters.native.routes import blp
from jobgate.kit import sse
from jobgate.kit.blueprint import principal, service

#: what both routes answer: the stream
_STREAM = {"schema": {"type": "string"}, "content_type": sse.MEDIA_TYPE, "success": True}


@blp.route("/executions/<ref>/events")
@blp.arguments(schemas.ResumeHeaders, location="headers", as_kwargs=True)
@blp.alt_response(200, description="Its events as they happen (`event:` state, progress, step.started, "
                  "step.ended, log), from its creation; the stream ends after its terminal state", **_STREAM)
def execution_events(ref, last_event_id=None):
    return sse.stream(service().feeds.execution(principal(), ref, last_event_id))


@blp.route("/events")
@blp.arguments(schemas.EventsQuery, location="query")
@blp.arguments(schemas.ResumeHeaders, location="headers", as_kwargs=True)
@blp.alt_response(200, description="The tenant's events from now on (`event:` state, progress, step.started, "
                  "step.ended), of the executions matching the filters; held open", **_STREAM)
def events(query, last_event_id=None):
    return sse.stream(service().feeds.tenant(principal(), last_event_id, **query))
