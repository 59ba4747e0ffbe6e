"""Live feeds of events (store.events) for one reader: an execution's, or a tenant's filtered.

A feed is an iterator of Events and of None, a None meaning "nothing to tell for a
heartbeat interval: say you are alive". It waits on Redis with XREAD BLOCK for up to
that interval (no polling), through the store's listening client, which spends no
request budget. An execution's feed ends after its terminal state event (or, when the
execution ended or went away with that event no longer in its stream, once nothing is
left); a tenant's feed ends only when its reader stops iterating.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from jobgate.errors import Invalid
from jobgate.model import Principal
from jobgate.store import keys
from jobgate.store.events import START, Event, Events, is_event_id


class Feed:
    def __init__(self, events: Events, key: str, after: str, heartbeat: float, *,
                 keep: Callable[[Event], bool] = lambda event: True, over: Callable[[], bool] | None = None):
        self.events, self.key, self.after, self.heartbeat = events, key, after, heartbeat
        #: which events the reader sees; `over`: whether the stream has nothing more to come
        self.keep, self.over = keep, over

    def __iter__(self) -> Iterator[Event | None]:
        after, quiet_since = self.after, time.monotonic()
        ended = self.over is not None and self.over()
        while True:
            batch = self.events.read(self.key, after, block=None if ended else self.heartbeat)
            for event in batch:
                after = event.id
                if self.keep(event):
                    quiet_since = time.monotonic()
                    yield event
                if event.terminal and self.over is not None:
                    return
            if ended and not batch:         # found over, and the rest drained
                return
            if not batch and self.over is not None:
                ended = self.over()
            if time.monotonic() - quiet_since >= self.heartbeat:
                quiet_since = time.monotonic()
                yield None


class Feeds:
    """The feeds a principal may read: its executions' and its tenant's."""

    def __init__(self, service, heartbeat: float):
        self.service, self.heartbeat = service, heartbeat
        self.events = service.store.events.listening(heartbeat)

    def execution(self, principal: Principal, ref: str, after: str | None = None) -> Feed:
        """Everything that happened to one execution (from its start, or after the id `after`)."""
        execution_id = self.service.get(principal, ref).id

        def over() -> bool:
            found = self.service.store.get(execution_id)
            return found is None or found.finished

        return Feed(self.events, keys.execution_events(execution_id), _checked(after) or START, self.heartbeat,
                    over=over)

    def tenant(self, principal: Principal, after: str | None = None, *, definition: str | None = None,
               state: str | None = None, origin: str | None = None) -> Feed:
        """What happens next to the tenant's executions (or after the id `after`), those of one
        definition, state and origin if given (log lines are in the executions' own feeds)."""
        key = keys.tenant_events(principal.tenant)
        wanted = {"definition": definition, "state": state, "origin": origin}
        wanted = {name: value for name, value in wanted.items() if value}

        def keep(event: Event) -> bool:
            return all(getattr(event, name) == value for name, value in wanted.items())

        start = _checked(after) or self.events.last_id(key)
        return Feed(self.events, key, start, self.heartbeat, keep=keep)


def _checked(after: str | None) -> str | None:
    if after is not None and not is_event_id(after):
        raise Invalid("Last-Event-ID must be an event id this stream gave",
                      details={"Last-Event-ID": ["not an event id"]})
    return after
