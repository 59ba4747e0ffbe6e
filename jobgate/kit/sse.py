"""Server-sent events (text/event-stream) from a feed (rules.feeds), for any dialect.

Each event goes out as `id:` (its stream id, what `Last-Event-ID` resumes after),
`event:` (its type) and one `data:` line of JSON; a quiet interval as a comment line,
so proxies keep the connection open. The response is a generator: under gunicorn's
gevent worker a held stream is one greenlet waiting on its Redis socket, and a client
that goes away ends it at the next write (at the latest one heartbeat later). Losing
Redis mid-stream ends it too, with a `retry:` hint; the client resumes after its last id.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from flask import Response

from jobgate.errors import Unavailable
from jobgate.store.events import Event

MEDIA_TYPE = "text/event-stream"
#: the first line: sent at once, so the client has the headers before any event comes
OPENING = ": stream open\n\n"
HEARTBEAT = ": keep-alive\n\n"


def frame(event: Event) -> str:
    return f"id: {event.id}\nevent: {event.type}\ndata: {json.dumps(event.payload(), separators=(',', ':'))}\n\n"


#: after the store was lost mid-stream: the stream ends, and the client reconnects (Last-Event-ID) this much later
RECONNECT = "retry: 3000\n\n"


def _lines(feed: Iterable[Event | None]) -> Iterator[str]:
    yield OPENING
    try:
        for event in feed:
            yield HEARTBEAT if event is None else frame(event)
    except Unavailable:          # the headers are out: no fault document now, an end the client resumes from
        yield RECONNECT


def stream(feed: Iterable[Event | None]) -> Response:
    """A response streaming `feed` until it ends or the client goes away."""
    response = Response(_lines(feed), mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"        # nginx and the like: pass each event on at once
    return response
