"""Limits on values clients send, checked once for every dialect."""
from __future__ import annotations

import json
import math
import re
from datetime import datetime

from jobgate import limits
from jobgate.errors import Invalid
from jobgate.limits import HORIZON
from jobgate.model import SLUG, now


def check_times(*, start_at: datetime | None = None, expires: datetime | None = None,
                 expire_after: float | None = None, allow_past: bool = False) -> None:
    """Times a client may ask for: within the horizon; a new execution's expiry not already past."""
    stamp = now()
    problems = {}
    if start_at is not None and start_at > stamp + HORIZON:
        problems["start_at"] = ["more than ten years ahead"]
    if (expires is not None and not (allow_past or stamp < expires)) or (expires and expires > stamp + HORIZON):
        problems["expires_at"] = ["must be in the future, within ten years"]
    if expire_after is not None and not 0 <= expire_after <= HORIZON.total_seconds():
        problems["expire_after"] = ["must be between 0 s and ten years"]
    if problems:
        raise Invalid("the requested times are out of range", details=problems)


def finite(value) -> bool:
    """JSON parsers accept 1e400 and NaN; no JSON client could read them back.
    (Walked without recursion: a step's record data may nest deeper than Python recurses.)"""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        pending.extend(item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
    return True


def is_ref(ref) -> bool:
    text = str(ref)
    return text.isdigit() or bool(SLUG.match(text))


#: names a step may index its records by
RECORD_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")


def check_record(keys, message, data) -> None:
    """A step's result record: a few identifiers (string values), a message, JSON data of bounded size."""
    if not isinstance(keys, dict) or len(keys) > limits.RECORD_KEYS_MAX:
        raise Invalid(f"a record has at most {limits.RECORD_KEYS_MAX} keys", details={"keys": ["too many"]})
    for name, value in keys.items():
        if not (isinstance(name, str) and RECORD_KEY.match(name)) or not isinstance(value, str) \
                or len(value) > limits.RECORD_KEY_MAX:
            raise Invalid(f"record key {name!r}: a name and a string of at most {limits.RECORD_KEY_MAX} characters",
                          details={"keys": [str(name)]})
    if not isinstance(message, str) or not finite(data) or len(json.dumps(data)) > limits.RECORD_DATA_MAX:
        raise Invalid("a record's message is text and its data JSON of bounded size", details={"data": ["invalid"]})
