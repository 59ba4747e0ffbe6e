"""The canonical job model every dialect maps onto.

Definitions describe work, executions are runs of it. The state machine is one
table here; the store applies it atomically and each adapter maps it in its own
table. Timestamps are aware UTC datetimes in Python and epoch milliseconds at
rest, so Lua scripts and sorted-set scores can compare them.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from croniter import croniter

#: Ids that reach Redis keys: definition ids, tenants, dialect names.
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")
#: Namespace for stable uuids of catalog definitions (uuid5 of tenant and id).
DEFINITION_NAMESPACE = uuid.UUID("6c1f0d5e-7a52-4a8f-9f3e-2b6a8d1c4e10")


class State(str, enum.Enum):
    CREATED = "CREATED"      # accepted, waiting on a time, a dependency or a slot
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    SUCCEEDED_WITH_WARNINGS = "SUCCEEDED_WITH_WARNINGS"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    DIED = "DIED"            # its worker vanished mid-run

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


#: The one set of terminal states; everything else may still change.
TERMINAL = frozenset({State.SUCCEEDED, State.SUCCEEDED_WITH_WARNINGS, State.FAILED, State.CANCELED, State.DIED})
#: Ended well: what a chained execution waits for.
SUCCESS = frozenset({State.SUCCEEDED, State.SUCCEEDED_WITH_WARNINGS})

#: The one transition table: state -> states it may move to.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.CREATED: frozenset({State.QUEUED, State.CANCELED, State.FAILED}),
    State.QUEUED: frozenset({State.RUNNING, State.CANCELED, State.FAILED, State.DIED}),
    # back to QUEUED: its next attempt, after its worker died or shut down (Lifecycle.rerun_or_die)
    State.RUNNING: TERMINAL | {State.QUEUED},
    **{s: frozenset() for s in TERMINAL},
}


def sources(target: State) -> frozenset[State]:
    """States from which `target` may be reached."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


def now() -> datetime:
    """UTC now at millisecond precision, the precision every dialect shows."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def log_line(text: str) -> str:
    """One line of an execution's log, stamped as every writer stamps it."""
    return f"{now().isoformat(timespec='milliseconds').replace('+00:00', 'Z')} {text}\n"


def to_ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def from_ms(value: int | float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


@dataclass(frozen=True)
class Principal:
    """Who is calling, and the tenant whose jobs they see."""
    name: str
    tenant: str


@dataclass(frozen=True)
class Credential:
    """What a request presented: a token, or a user name and password."""
    token: str | None = None
    username: str | None = None
    password: str | None = None


@dataclass
class StepSpec:
    """One step of a definition: what a worker runs."""
    id: str
    type: str
    description: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None


@dataclass
class Definition:
    id: str
    name: str = ""
    description: str = ""
    tenant: str | None = None          # None: an operator catalog job, seen by every tenant
    uuid: str = ""
    seq: int = 0
    steps: list[StepSpec] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    allow_concurrent: bool = True
    restartable: bool = False
    timeout: float | None = None
    retries: int = 0
    retry_delay: float = 0
    queue: str = "default"
    labels: list[str] = field(default_factory=list)
    schedule: str | None = None            # cron expression (catalog jobs)
    schedule_tenant: str | None = None     # the tenant a catalog schedule runs as
    source: str = "api"                # "catalog" or "api"
    created: datetime | None = None
    modified: datetime | None = None
    version: int = 1
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def stable_uuid(self) -> str:
        return str(uuid.uuid5(DEFINITION_NAMESPACE, f"{self.tenant or ''}/{self.id}"))


@dataclass
class StepExecution:
    id: str
    type: str
    description: str = ""
    state: State = State.CREATED
    started: datetime | None = None
    ended: datetime | None = None
    exit_code: int | None = None
    message: str = ""
    #: the exit status of the process the step ran, when it ended by itself (0 included); None
    #: when no process of its own ran to an end (python, http, an exception, a timeout, a
    #: cancel, a signal). Dialects that tell a process's failure apart (Sahara's DONEWITHERROR) read it.
    process_exit: int | None = None


@dataclass
class Progress:
    percent: float = 0.0
    total: int = 0
    processed: int = 0
    failed: int = 0


@dataclass
class Execution:
    id: str
    seq: int
    definition_id: str
    tenant: str
    principal: str = ""
    client_id: str | None = None
    origin: str = ""                     # the dialect that created it (its Dialect.name)
    trigger: str = "api"
    state: State = State.CREATED
    message: str = ""
    exit_code: int | None = None
    exit_message: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    created: datetime | None = None
    queued: datetime | None = None
    started: datetime | None = None
    ended: datetime | None = None
    modified: datetime | None = None
    heartbeat: datetime | None = None
    expires: datetime | None = None
    expire_after: float | None = None     # seconds after the end at which it expires
    after: list[str] = field(default_factory=list)   # executions that must succeed first
    progress: Progress = field(default_factory=Progress)
    steps: list[StepExecution] = field(default_factory=list)
    has_result: bool = False
    log_size: int = 0                     # derived on read from the log's length, never stored
    restart_of: str | None = None
    restarted_as: str | None = None      # the one restart made of it (restarts are idempotent)
    attempt: int = 1
    cancel_requested: bool = False
    delete_on_end: bool = False           # a delete asked for while it ran: gone once it ends
    canceled_by: str | None = None
    queue: str = "default"
    version: int = 1
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: a URL told of its state changes and progress (OGC-style), signed with its own secret
    callback_url: str | None = None
    callback_secret: str = ""

    @property
    def finished(self) -> bool:
        return self.state.terminal

    @property
    def duration_ms(self) -> int | None:
        if self.started is None:
            return None
        return to_ms(self.ended or now()) - to_ms(self.started)

    @property
    def canceled_message(self) -> str:
        """What a run that ended on a cancel request says."""
        return f"canceled by {self.canceled_by}" if self.canceled_by else "canceled"

    def attrs(self, namespace: str) -> dict[str, Any]:
        return self.attributes.get(namespace, {})

    def fresh_steps(self) -> list[StepExecution]:
        """Its step records as a new attempt starts them: not run yet."""
        return [StepExecution(s.id, s.type, s.description) for s in self.steps]


class Mark(str, enum.Enum):
    """A fact that refines a state the way some dialects' state words do, indexed by the store
    (store.lua's marks_of says the same in Lua), so a list can filter or sort on it by index.
    A mark is a condition a StateMap row can name: called on an execution, it tells."""
    STOPPING = "stopping"    # RUNNING, and its cancel was asked for
    EXITED = "exited"        # FAILED, and its last failed step ran a process that exited non-zero

    def __call__(self, execution: Execution) -> bool:
        if self is Mark.STOPPING:
            return execution.state is State.RUNNING and execution.cancel_requested
        failed = [step for step in execution.steps if step.state is State.FAILED]
        return execution.state is State.FAILED and bool(failed) and failed[-1].process_exit not in (None, 0)


@dataclass(frozen=True)
class Slice:
    """Some of a tenant's executions that one index holds: of a state (None: any) and a
    definition (None: any), only those with a mark, or all but those with one."""
    state: State | None = None
    definition: str | None = None
    only: Mark | None = None
    without: Mark | None = None


@dataclass
class ResultRecord:
    """One item's outcome that a running step reports (a row imported, an address checked).

    `keys` are the identifiers it is found by (indexed: exact-match filters); `data` is
    opaque, returned untouched. `seq` orders an execution's records and a tenant's."""
    seq: int
    execution_id: str
    tenant: str
    definition_id: str
    keys: dict[str, str] = field(default_factory=dict)
    failed: bool = False
    message: str = ""
    data: Any = None
    created: datetime | None = None


@dataclass
class Schedule:
    """A cron schedule that submits executions of a definition as a principal."""
    id: str
    tenant: str
    definition_id: str
    cron: str
    principal: str = "scheduler"
    origin: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    paused: bool = False
    next_run: datetime | None = None
    created: datetime | None = None
    #: the namespaced attributes each execution it starts gets (a dialect's own job fields)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def following(self, after: datetime) -> datetime:
        return croniter(self.cron, after).get_next(datetime)


@dataclass
class Webhook:
    """A tenant's subscription: execution events of the given types, POSTed signed to a URL."""
    id: str
    tenant: str
    url: str
    events: list[str]
    secret: str
    principal: str = ""
    created: datetime | None = None


@dataclass
class Delivery:
    """One event sent to one webhook (or callback URL), with every attempt so far.
    `id` is its webhook-id, the same on every attempt."""
    id: str
    tenant: str
    target: str                        # the webhook's id, or "callback:<execution id>"
    url: str
    event: str
    execution_id: str
    body: str
    outcome: str = "pending"           # pending, succeeded, failed (not `state`: that name loads as a State)
    attempts: list[dict[str, Any]] = field(default_factory=list)   # {at, status, error, ms}
    next_attempt: datetime | None = None
    created: datetime | None = None


# -- (de)serialisation: one generic walk over the dataclasses above --------

def dump(obj) -> dict[str, Any]:
    """Dataclass -> JSON-ready dict (datetimes as epoch ms, enums as values)."""
    out = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, datetime):
            value = to_ms(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        elif dataclasses.is_dataclass(value):
            value = dump(value)
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            value = [dump(v) for v in value]
        out[f.name] = value
    return out


def _as_list(value):
    return [] if value == {} else value       # Lua's cjson writes an empty list as {}


def _keep(value):
    return value


@functools.cache
def _converters(cls) -> dict[str, Callable[[Any], Any]]:
    """For each field of `cls`, how its stored value becomes the field's value."""
    nested = {"state": State, "progress": lambda v: load(Progress, v),
              "steps": lambda v: [load(StepExecution if cls is Execution else StepSpec, x) for x in _as_list(v)]}
    converters = {}
    for f in dataclasses.fields(cls):
        kind = str(f.type)
        if f.name in nested:
            converters[f.name] = nested[f.name]
        elif "datetime" in kind:
            converters[f.name] = from_ms
        else:
            converters[f.name] = _as_list if kind.startswith("list") else _keep
    return converters


def load(cls, data: dict[str, Any]):
    """Inverse of dump; tolerant of unknown keys and of Lua's `{}` for `[]`."""
    converters = _converters(cls)
    return cls(**{key: converters[key](value) for key, value in data.items() if key in converters})
