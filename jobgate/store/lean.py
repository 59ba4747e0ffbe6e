"""What of an execution is worth storing: fields at their defaults are not (load gives them back).

A finished no-op execution's record is most of its memory in Redis, and most of
its fields never leave their defaults; leaving them out roughly halves it, and
keeps step lists and plans small too. The few fields the Lua scripts read by
name are stored whatever their value.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import MISSING, fields

from jobgate.model import Execution, StepExecution, StepSpec

#: read by name in store.lua: stored even at their defaults
ALWAYS = ("id", "seq", "definition_id", "tenant", "origin", "state", "version")


def _defaults(cls) -> dict:
    return {f.name: f.default if f.default is not MISSING else f.default_factory()
            for f in fields(cls) if f.default is not MISSING or f.default_factory is not MISSING}


_EXECUTION, _STEP, _SPEC = (_defaults(c) for c in (Execution, StepExecution, StepSpec))


def _without_defaults(data: dict, defaults: dict, kept: Iterable[str]) -> dict:
    return {k: v for k, v in data.items() if k in kept or k not in defaults or v != defaults[k]}


def record(dumped: dict) -> dict:
    """A whole new record (model.dump of an Execution) as stored."""
    return _without_defaults(dumped, _EXECUTION, ALWAYS)


def steps(dumped: list[dict]) -> list[dict]:
    """Step records as stored: a write of `steps` replaces them all, so defaults can go."""
    return [_without_defaults(step, _STEP, ("id",)) for step in dumped]


def plan(given: dict) -> dict:
    """A plan without what its readers default (they `.get` it): unset fields, step specs' defaults."""
    specs = [_without_defaults(spec, _SPEC, ("id", "type")) for spec in given.get("steps", [])]
    return {**{k: v for k, v in given.items() if v is not None and v is not False}, "steps": specs}
