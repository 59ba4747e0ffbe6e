"""The Dialect contract, and discovery through the `jobgate.dialects` entry points.

A dialect is one small declarative object: where it is mounted, how its
clients present credentials, how it renders a fault, and what it supports.
The core reads these fields; it never compares dialect names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Callable

from flask import Request, Response

from jobgate.model import Credential
from jobgate.kit.faults import Fault

GROUP = "jobgate.dialects"
#: What a dialect may declare it supports (the README's support table is drawn from these).
CAPABILITIES = frozenset({"definitions", "cancel", "restart", "delete", "log", "result", "steps",
                          "cursor_paging", "schedules"})


@dataclass(frozen=True)
class Dialect:
    name: str                                   # also the origin recorded on executions
    title: str                                  # API title for its OpenAPI document
    version: str                                # API version for its OpenAPI document
    prefix: str                                 # where its blueprint is mounted, e.g. "/api/v1"
    blueprint: Callable[[], object]             # factory of its flask-smorest Blueprint
    extract_credential: Callable[[Request], Credential | None]
    render_fault: Callable[[Fault], Response]
    auth: str = ""                              # how its clients authenticate, for the docs
    #: further blueprints at their own prefixes (login endpoints, alternate mounts),
    #: as a factory of (url prefix, Blueprint) pairs; their faults are this dialect's too
    extra_blueprints: Callable[[], list[tuple[str, object]]] | None = None
    #: further URL prefixes whose faults this dialect renders
    fault_prefixes: tuple[str, ...] = ()
    capabilities: frozenset[str] = field(default_factory=frozenset)
    #: a curl command line showing the dialect, with {base}, {token} and {tenant} placeholders
    example: str = ""

    def __post_init__(self):
        unknown = self.capabilities - CAPABILITIES
        if unknown:
            raise ValueError(f"dialect {self.name}: unknown capabilities {sorted(unknown)}")

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Static URL prefixes (up to any `<converter>`) whose faults are this dialect's."""
        return tuple(p.split("<", 1)[0] for p in (self.prefix, *self.fault_prefixes))


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
