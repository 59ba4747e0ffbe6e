"""Per-tenant quotas, set by the operator: what one tenant may hold and run at once.

The quotas file (JOBGATE_QUOTAS, TOML) has a `[default]` table for every tenant and a
`[tenant.<name>]` table for each tenant that differs; each names only what it changes,
the rest comes from `[default]`, then from jobgate's own defaults (limits.QUOTA_*):

    [default]
    executions = 100          # unfinished executions (waiting, queued, running) at once
    schedules = 20            # cron schedules
    schedule_interval = 60    # seconds: the shortest time between two firings of a schedule
    definitions = 100         # jobs created through an API
    step_seconds = 86400      # the longest one step of such a job may run

    [tenant.acme]
    executions = 500

The operator's catalog jobs and catalog schedules are not bounded (nor counted as the
tenant's jobs and schedules); every execution is counted, whatever its job.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from typing import Any

from jobgate import limits
from jobgate.errors import Invalid
from jobgate.model import SLUG, Definition, StepSpec


@dataclass(frozen=True)
class Quota:
    executions: int = limits.QUOTA_EXECUTIONS
    schedules: int = limits.QUOTA_SCHEDULES
    schedule_interval: float = limits.QUOTA_SCHEDULE_INTERVAL
    definitions: int = limits.QUOTA_DEFINITIONS
    step_seconds: float = limits.QUOTA_STEP_SECONDS

    def check_steps(self, steps: list[StepSpec], step_types: dict[str, type]) -> None:
        """An API-made job's steps may not ask for more than `step_seconds`: neither a step timeout
        above it nor params that run longer (a step type that knows its duration: sleep's seconds)."""
        problems = {}
        for index, spec in enumerate(steps):
            duration = getattr(step_types.get(spec.type), "duration", None)
            asked = spec.timeout if spec.timeout is not None else duration(spec.params) if duration else None
            if asked is not None and asked > self.step_seconds:
                what = "its timeout is" if spec.timeout is not None else "it runs"
                problems[f"step[{index}]"] = [f"{what} {_seconds(asked)}; a step may run at most "
                                              f"{_seconds(self.step_seconds)}"]
        if problems:
            where, (message,) = next(iter(problems.items()))
            raise Invalid(f"{where}: {message} (this tenant's quota)", details=problems)

    def bound(self, definition: Definition) -> tuple[list[StepSpec], float | None]:
        """The steps and whole-run timeout an execution of `definition` runs under: an API-made
        job's steps stop at `step_seconds` (and its run once every attempt of every step could
        have), whatever it was made with; a catalog job's are its own."""
        if definition.source == "catalog":
            return definition.steps, definition.timeout
        steps = [replace(s, timeout=min(s.timeout or self.step_seconds, self.step_seconds)) for s in definition.steps]
        attempts = definition.retries + 1
        longest = self.step_seconds * len(steps) * attempts + definition.retry_delay * definition.retries
        return steps, min(definition.timeout or longest, longest)


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value == int(value) else f"{value:g} s"


_CHECKS = {
    "executions": (lambda v: isinstance(v, int) and v >= 0, "a whole number >= 0"),
    "schedules": (lambda v: isinstance(v, int) and v >= 0, "a whole number >= 0"),
    "schedule_interval": (lambda v: isinstance(v, (int, float)) and v >= 0, "a number of seconds >= 0"),
    "definitions": (lambda v: isinstance(v, int) and v >= 0, "a whole number >= 0"),
    "step_seconds": (lambda v: isinstance(v, (int, float)) and v > 0, "a number of seconds > 0"),
}


class Quotas:
    """Each tenant's Quota: its own table's, else the default's."""

    def __init__(self, default: Quota | None = None, tenants: dict[str, Quota] | None = None):
        self.default = default or Quota()
        self.tenants = tenants or {}

    def of(self, tenant: str) -> Quota:
        return self.tenants.get(tenant, self.default)


def _quota(base: Quota, table: Any, where: str) -> Quota:
    if not isinstance(table, dict):
        raise ValueError(f"{where}: must be a table")
    for key, value in table.items():
        if key not in _CHECKS:
            raise ValueError(f"{where}.{key}: unknown quota (known: {', '.join(_CHECKS)})")
        valid, why = _CHECKS[key]
        if isinstance(value, bool) or not valid(value):
            raise ValueError(f"{where}.{key}: must be {why}")
    return replace(base, **table)


def load_quotas(path: str) -> Quotas:
    """The operator's quotas file; a mistake is named by file, table and key."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    unknown = set(document) - {"default", "tenant"}
    if unknown:
        raise ValueError(f"{path}: {sorted(unknown)[0]}: unknown table (known: default, tenant.<name>)")
    default = _quota(Quota(), document.get("default", {}), f"{path}: default")
    tenants = document.get("tenant", {})
    if not isinstance(tenants, dict):
        raise ValueError(f"{path}: tenant: must be tables [tenant.<name>]")
    for name in tenants:
        if not SLUG.match(name):
            raise ValueError(f"{path}: tenant.{name}: a tenant name is a slug")
    return Quotas(default, {name: _quota(default, table, f"{path}: tenant.{name}") for name, table in tenants.items()})
