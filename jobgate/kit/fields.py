"""Marshmallow fields the dialects share: timestamps in the precisions they use."""
from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import fields


class Timestamp(fields.Field):
    """A UTC timestamp rendered as ISO-8601 with `ms` or `s` precision and a chosen suffix."""

    def __init__(self, precision: str = "ms", suffix: str = "Z", **kwargs):
        super().__init__(**kwargs)
        self.precision, self.suffix = precision, suffix

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is None:
            return None
        text = value.astimezone(UTC).isoformat(timespec="milliseconds" if self.precision == "ms" else "seconds")
        return text.replace("+00:00", "") + self.suffix

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise self.make_error("invalid") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    default_error_messages = {"invalid": "Not a valid ISO-8601 timestamp."}
