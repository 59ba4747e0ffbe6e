"""Operator settings of the Datameer dialect (JOBGATE_DATAMEER_* variables), checked once at start-up.

Datameer prints dates in the server's own time zone without naming it, so
clients read them as local time: the operator says which zone that is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jobgate.settings import Settings


@dataclass(frozen=True)
class Config:
    #: the zone v1 and v2 dates are shown in (JOBGATE_DATAMEER_TIMEZONE, an IANA name; default UTC)
    zone: tzinfo = field(default=UTC)

    @classmethod
    def from_settings(cls, settings: Settings) -> Config:
        name = settings.option("DATAMEER_TIMEZONE")
        if not name:
            return cls()
        try:
            return cls(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"JOBGATE_DATAMEER_TIMEZONE: unknown time zone {name!r}") from None
