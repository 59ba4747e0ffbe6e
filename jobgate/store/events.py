"""Event streams: every change of an execution, in Redis Streams, for SSE and webhooks.

Two streams, both capped at about `maxlen` entries (MAXLEN ~, JOBGATE_EVENTS_MAXLEN):

- `keys.tenant_events(tenant)`: every `state`, `progress`, `step.started` and
  `step.ended` event of the tenant's executions;
- `keys.execution_events(id)`: the same events of one execution, and its `log` lines,
  removed with the execution.

An event is written in the same atomic step as the change that causes it, so no
change goes untold and no event tells of a change that did not happen: creation in
Store.create's MULTI (`Events.append`), every later state or field change in the
TRANSITION script, log lines in the APPEND_LOG script (store.lua). An entry's fields
(all strings):

    type        state | progress | step.started | step.ended | log
    execution   the execution id
    tenant, definition, origin, state
                the execution's, after the change (log entries carry only type,
                execution and data)
    data        JSON object: state {from (null on creation), message, version};
                progress {progress: {percent, total, processed, failed}};
                step.* {index (0-based), step: the step record}; log {text, offset}

The stream id (`1712345678901-0`) orders events and is what a reader resumes after:
`read(key, after=id)` returns the entries after it, and with `block` waits up to that
many seconds for one (XREAD BLOCK: no polling). Blocking reads need a client whose
socket outlasts the block and that is outside a request's budget: `Events.listening`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields

import redis

from jobgate import limits
from jobgate.model import TERMINAL, Execution
from jobgate.store import keys
from jobgate.store.connection import unbudgeted

#: Where a reader starts to see the whole stream.
START = "0-0"
_EVENT_ID = re.compile(r"^[0-9]{1,19}-[0-9]{1,19}$")


def is_event_id(text: str) -> bool:
    """Whether `text` has the shape of a stream id, the only client text a read passes to Redis."""
    return bool(_EVENT_ID.match(text))


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    execution: str
    tenant: str = ""
    definition: str = ""
    origin: str = ""
    state: str = ""
    data: dict = field(default_factory=dict)

    @classmethod
    def from_entry(cls, entry_id: bytes | str, entry: dict) -> Event:
        text = {k.decode(): v.decode() for k, v in entry.items()}
        data = json.loads(text.pop("data", "{}")) or {}
        known = {item.name for item in fields(cls)}        # a field a later writer adds is no reader's error
        return cls(id=entry_id.decode() if isinstance(entry_id, bytes) else entry_id, data=data,
                   **{name: value for name, value in text.items() if name in known})

    @property
    def terminal(self) -> bool:
        """A change to a state after which its execution changes no more."""
        return self.type == "state" and self.state in {s.value for s in TERMINAL}

    def payload(self) -> dict:
        """The event as one JSON object for clients: its fields, then its data's."""
        head = {"id": self.id, "type": self.type, "execution": self.execution}
        if self.type != "log":
            head.update(definition=self.definition, origin=self.origin, state=self.state)
        return {**head, **self.data}


def entry(execution: Execution, kind: str, data: dict) -> dict:
    """The stream fields of one event (what TRANSITION's `emit` writes, from Python)."""
    return {"type": kind, "execution": execution.id, "tenant": execution.tenant,
            "definition": execution.definition_id, "origin": execution.origin,
            "state": execution.state.value, "data": json.dumps(data)}


class Events:
    def __init__(self, client: redis.Redis, maxlen: int = limits.EVENTS_MAXLEN):
        self.redis, self.maxlen = client, maxlen

    def listening(self, hold: float) -> Events:
        """These streams through a client of their own for reads that block up to `hold` seconds:
        its waits are not a request's (connection.set_budget), its connections its own pool's,
        each held by one blocked reader at a time."""
        return Events(unbudgeted(self.redis, hold), self.maxlen)

    def append(self, pipe, execution: Execution, kind: str, data: dict) -> None:
        """Add one event of `execution` (as it is after the change) to both its streams, inside
        the caller's pipeline or MULTI."""
        fields = entry(execution, kind, data)
        for key in (keys.tenant_events(execution.tenant), keys.execution_events(execution.id)):
            pipe.xadd(key, fields, maxlen=self.maxlen, approximate=True)

    def created(self, pipe, execution: Execution) -> None:
        """A new execution's first event: its state, from none."""
        self.append(pipe, execution, "state", {"from": None, "message": execution.message,
                                               "version": execution.version})

    def read(self, key: str, after: str = START, *, block: float | None = None, count: int = 100) -> list[Event]:
        """Up to `count` events after the id `after`; with `block`, waiting up to that many seconds
        for the first (an empty list when none came)."""
        block_ms = None if block is None else max(1, int(block * 1000))
        found = self.redis.xread({key: after}, count=count, block=block_ms)
        return [Event.from_entry(entry_id, entry) for _, entries in found or () for entry_id, entry in entries]

    def last_id(self, key: str) -> str:
        """The id of the stream's newest event (START when it has none): where a reader of only
        what comes next starts, with nothing lost between this call and its first read."""
        newest = self.redis.xrevrange(key, count=1)
        return newest[0][0].decode() if newest else START
