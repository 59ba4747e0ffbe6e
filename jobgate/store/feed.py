"""The tenants' event streams (store.events) read by the workers as one consumer group, so
that each event is handed to one worker, and an event a worker took but never acknowledged
(it died) stays pending until another worker claims it (XAUTOCLAIM, once it has been idle a
lease): none is lost, none is handled twice while its worker lives. Handling one ends with
its acknowledgement, in the MULTI that queues its deliveries (store.webhooks).

A group starts at the stream's beginning, so the first events of a new tenant are not
missed however late a worker first looks at its stream.
"""
from __future__ import annotations

import time

import redis

from jobgate.store import keys
from jobgate.store.connection import unbudgeted
from jobgate.store.events import START, Event

GROUP = keys.WEBHOOKS_GROUP


class Feed:
    def __init__(self, client: redis.Redis, consumer: str, hold: float = 1.0):
        self.redis, self.consumer, self.hold = client, consumer, hold
        self.listening = unbudgeted(client, hold)       # XREADGROUP BLOCK outlasts the usual timeout
        self._grouped: set[str] = set()

    def streams(self) -> list[str]:
        """Every tenant's stream, each with the group (made the first time it is seen)."""
        streams = sorted(keys.tenant_events(t.decode()) for t in self.redis.smembers(keys.TENANTS))
        for stream in streams:
            if stream not in self._grouped:
                try:
                    self.redis.xgroup_create(stream, GROUP, id=START, mkstream=True)
                except redis.ResponseError as exc:
                    if "BUSYGROUP" not in str(exc):
                        raise
                self._grouped.add(stream)
        return streams

    def read(self, count: int = 100) -> list[tuple[str, Event]]:
        """Events no worker has taken, this one's now; waits up to `hold` seconds for the first."""
        streams = self.streams()
        if not streams:              # no tenant yet: nothing to block on, so wait as a read would
            time.sleep(self.hold)
            return []
        found = self.listening.xreadgroup(GROUP, self.consumer, dict.fromkeys(streams, ">"), count=count,
                                          block=max(1, int(self.hold * 1000)))
        return [(stream.decode(), Event.from_entry(entry_id, fields))
                for stream, entries in found or () for entry_id, fields in entries if fields]

    def reclaim(self, idle: float, count: int = 100) -> list[tuple[str, Event]]:
        """Events taken by a worker that has not acknowledged them for `idle` seconds, this one's now."""
        claimed = []
        for stream in self.streams():
            _, entries, *_ = self.redis.xautoclaim(stream, GROUP, self.consumer, int(idle * 1000), START, count)
            claimed += [(stream, Event.from_entry(entry_id, fields)) for entry_id, fields in entries if fields]
        return claimed
