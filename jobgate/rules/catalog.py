"""What a job definition may be: the rules for the operator's catalog file and API-made jobs.

Every definition, whichever way it arrives, is checked here once: known keys,
typed values, steps whose types (found through the `jobgate.steps` entry
points) validate their own params. Storing them is the store's.
"""
from __future__ import annotations

import tomllib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from croniter import croniter

from jobgate import limits
from jobgate.model import SLUG, Definition, StepSpec, now
from jobgate.settings import Settings


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: Each key a job may have, with what its value must be. Anything else is a mistake
#: (`alow_concurrent = false` must not quietly allow concurrency).
_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (lambda v: isinstance(v, str), "must be a string"),
    "description": (lambda v: isinstance(v, str), "must be a string"),
    "parameters": (lambda v: isinstance(v, dict), "must be a table"),
    "allow_concurrent": (lambda v: isinstance(v, bool), "must be true or false"),
    "restartable": (lambda v: isinstance(v, bool), "must be true or false"),
    "timeout": (lambda v: v is None or (_number(v) and v > 0), "must be a positive number of seconds"),
    "retries": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= limits.RETRIES_MAX,
                f"must be 0 to {limits.RETRIES_MAX}"),
    "retry_delay": (lambda v: _number(v) and 0 <= v <= limits.RETRY_DELAY_MAX,
                    f"must be 0 to {limits.RETRY_DELAY_MAX} seconds"),
    "queue": (lambda v: isinstance(v, str) and bool(SLUG.match(v)), "must be a slug"),
    "labels": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "must be a list of strings"),
    "schedule": (lambda v: v is None or (isinstance(v, str) and croniter.is_valid(v)), "must be a cron expression"),
    "schedule_tenant": (lambda v: v is None or (isinstance(v, str) and bool(SLUG.match(v))), "must be a slug"),
    "attributes": (lambda v: isinstance(v, dict), "must be a table"),
}
_STEP_KEYS = {"id", "type", "description", "params", "timeout"}
EDITABLE = frozenset(_CHECKS) | {"steps"}


class CatalogError(ValueError):
    """A mistake in the operator's catalog file, named by file, job and field."""


def step_types() -> dict[str, type]:
    return {ep.name: ep.load() for ep in entry_points(group="jobgate.steps")}


def build_definition(data: dict[str, Any], *, tenant: str | None, source: str,
                     types: dict[str, type], settings: Settings) -> Definition:
    """Validate a definition given as a dict; raise ValueError("field: message")."""
    job_id = data.get("id")
    if not isinstance(job_id, str) or not SLUG.match(job_id):
        raise ValueError("id: must be 1-128 letters, digits, '_', '-' or '.'")
    steps = data.get("step", data.get("steps", []))
    if not isinstance(steps, list) or not steps:
        raise ValueError("step: a job needs at least one step")
    specs = []
    for index, raw in enumerate(steps):
        where = f"step[{index}]"
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: must be a table")
        unknown = set(raw) - _STEP_KEYS
        if unknown:
            raise ValueError(f"{where}.{sorted(unknown)[0]}: unknown key (known: {', '.join(sorted(_STEP_KEYS))})")
        if raw.get("timeout") is not None and not (_number(raw["timeout"]) and raw["timeout"] > 0):
            raise ValueError(f"{where}.timeout: must be a positive number of seconds")
        kind = raw.get("type")
        if kind not in types:
            raise ValueError(f"{where}.type: unknown step type {kind!r} (known: {', '.join(sorted(types))})")
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise ValueError(f"{where}.params: must be a table")
        try:
            types[kind].validate(params, settings)
        except ValueError as exc:
            raise ValueError(f"{where}.params.{exc}") from None
        specs.append(StepSpec(id=str(raw.get("id") or f"step{index + 1}"), type=kind,
                              description=str(raw.get("description", "")), params=params,
                              timeout=raw.get("timeout")))
    values = {k: v for k, v in data.items() if k not in ("id", "step", "steps")}
    for key, value in values.items():
        if key not in _CHECKS:
            raise ValueError(f"{key}: unknown key (known: id, step, {', '.join(_CHECKS)})")
        valid, why = _CHECKS[key]
        if not valid(value):
            raise ValueError(f"{key}: {why}")
    values.setdefault("name", job_id)
    stamp = now()
    definition = Definition(id=job_id, **values, tenant=tenant, steps=specs, source=source,
                            created=stamp, modified=stamp)
    definition.uuid = definition.stable_uuid()
    return definition


def load_file(path: str, types: dict[str, type], settings: Settings) -> list[Definition]:
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: {exc}") from None
    jobs, seen = [], set()
    for index, job in enumerate(document.get("job", [])):
        name = job.get("id", f"#{index + 1}")
        try:
            definition = build_definition(job, tenant=None, source="catalog", types=types, settings=settings)
        except ValueError as exc:
            raise CatalogError(f"{path}: job {name!r}: {exc}") from None
        if definition.id in seen:
            raise CatalogError(f"{path}: job {name!r}: id: defined twice")
        seen.add(definition.id)
        jobs.append(definition)
    return jobs
