"""The Dialect base every adapter subclasses, and discovery through the `jobgate.dialects` entry points.

As SQLAlchemy's DefaultDialect, the base gives every dialect its defaults;
a dialect declares what differs as class attributes: where it is mounted,
how its clients present credentials, its tables under fixed names (`states`,
`faults`, `ids`), its own settings, and what it supports. The core reads these;
it never compares dialect names. An adapter's `__init__.py` holds one instance.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, ClassVar

from flask import Request, Response
from flask_smorest import Blueprint

from jobgate.kit import ids
from jobgate.kit.blueprint import principal, service
from jobgate.kit.credentials import BEARER, Scheme
from jobgate.kit.faults import CANONICAL, Fault, FaultMap, render_json
from jobgate.kit.states import IDENTITY, StateMap
from jobgate.model import Execution
from jobgate.settings import Settings

GROUP = "jobgate.dialects"
#: What a dialect may declare it supports; the suite's markers and the README's table read these.
CAPABILITIES = frozenset({"definitions", "cancel", "restart", "delete", "log", "result", "steps",
                          "cursor_paging", "schedules"})


@dataclass(frozen=True)
class Mount:
    """A blueprint at a URL prefix. `name` mounts one blueprint a second time; `render_fault`
    gives the faults under this prefix a format of their own (a login endpoint's), and
    `fault_schema` its marshmallow schema for the OpenAPI document (None: drawn from it)."""
    blueprint: Blueprint
    url_prefix: str
    name: str | None = None
    render_fault: Callable[[Fault], Response] | None = None
    fault_schema: type | None = None

    @property
    def static_prefix(self) -> str:
        """The prefix up to any `<converter>`, for choosing the fault format by URL."""
        return self.url_prefix.split("<", 1)[0]


class Dialect:
    name: ClassVar[str]                       # also the origin recorded on executions
    title: ClassVar[str]                      # API title of its OpenAPI document
    version: ClassVar[str] = "1"              # API version of its OpenAPI document
    prefix: ClassVar[str]                     # where its main blueprint is mounted, e.g. "/api/v1"
    auth: ClassVar[str] = "`Authorization: Bearer`"   # how its clients authenticate, for the README
    #: the credential styles its clients present, tried in order: what its routes read, and
    #: the security schemes of its OpenAPI document
    credentials: ClassVar[tuple[Scheme, ...]] = (BEARER,)
    capabilities: ClassVar[frozenset[str]] = frozenset()
    #: a curl command line showing the dialect, with {base}, {token} and {tenant} placeholders
    example: ClassVar[str] = ""
    #: canonical state <-> wire word, one table both ways
    states: ClassVar[StateMap] = IDENTITY
    #: canonical fault code -> status and the dialect's fault type
    faults: ClassVar[FaultMap] = CANONICAL
    #: the execution id its clients see and send back
    ids: ClassVar[ids.IdStyle] = ids.UUID
    #: the paging style its lists use (kit.paging has the helpers), for the docs
    paging: ClassVar[str] = "offset"
    #: a class with `from_settings(Settings)`: the dialect's own operator settings
    settings: ClassVar[type | None] = None
    #: a marshmallow schema of its fault document, for the error responses of its OpenAPI document
    #: (None: kit.openapi draws one from what its renderer answers)
    error_schema: ClassVar[type | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        unknown = cls.capabilities - CAPABILITIES
        if unknown:
            raise ValueError(f"dialect {cls.__name__}: unknown capabilities {sorted(unknown)}")

    def mounts(self) -> list[Mount]:
        """Its blueprints; the first is the main one, at `prefix`."""
        raise NotImplementedError

    def extract_credential(self, request: Request):
        return next((found for found in (s.extract(request) for s in self.credentials) if found), None)

    def render_fault(self, fault: Fault) -> Response:
        return render_json(fault)

    def configure(self, settings: Settings) -> Any:
        """The dialect's own settings, checked once when the app is built."""
        return self.settings.from_settings(settings) if self.settings else None

    # -- helpers its views share ----------------------------------------------
    def execution(self, ref: str) -> Execution:
        """The caller's execution by this dialect's id; any other kind of id is not found."""
        return service().get(principal(), self.ids.check(ref))

    def show_id(self, execution: Execution) -> str:
        return self.ids.show(execution)


class UnknownDialect(LookupError):
    pass


def available() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load(names: tuple[str, ...] = ()) -> list[Dialect]:
    """Installed dialects, or the named ones; an unknown name says what is known."""
    found = available()
    unknown = [n for n in names if n not in found]
    if unknown:
        raise UnknownDialect(f"unknown dialect(s) {', '.join(unknown)}; installed: {', '.join(sorted(found))}")
    return [found[n].load() for n in (names or sorted(found))]
