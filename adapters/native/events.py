"""Native routes for server-sent events: one execution's, and the tenant's (kit.sse)."""
from adapters.native import schemas
from adapters.native.routes import blp
from jobgate.kit import sse
from jobgate.kit.blueprint import principal, service

#: what both routes document: the stream, and the header that resumes it
_STREAM = {"schema": {"type": "string"}, "content_type": sse.MEDIA_TYPE, "success": True}
_RESUME = {"parameters": [{"in": "header", "name": "Last-Event-ID", "required": False, "schema": {"type": "string"},
                           "description": "the `id:` of the last event seen: the stream goes on after it"}]}


@blp.route("/executions/<ref>/events")
@blp.alt_response(200, description="Its events as they happen (`event:` state, progress, step.started, "
                  "step.ended, log), from its creation; the stream ends after its terminal state", **_STREAM)
@blp.doc(**_RESUME)
def execution_events(ref):
    return sse.stream(service().feeds.execution(principal(), ref, sse.last_event_id()))


@blp.route("/events")
@blp.arguments(schemas.EventsQuery, location="query")
@blp.alt_response(200, description="The tenant's events from now on (`event:` state, progress, step.started, "
                  "step.ended), of the executions matching the filters; held open", **_STREAM)
@blp.doc(**_RESUME)
def events(query):
    return sse.stream(service().feeds.tenant(principal(), sse.last_event_id(), **query))
