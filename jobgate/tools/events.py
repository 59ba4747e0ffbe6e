"""Reading a server-sent event stream (text/event-stream) as a client: `jobgate watch`, `logs -f`.

Only what jobgate's streams send is read: `id:`, `event:`, one `data:` line of JSON per
event, and comment lines (heartbeats), which are skipped.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Received:
    id: str
    type: str
    data: dict


def received(lines: Iterable[str]) -> Iterator[Received]:
    """The events of a stream's lines (e.g. requests' `iter_lines(decode_unicode=True)`)."""
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if "data" in fields:
                yield Received(fields.get("id", ""), fields.get("event", "message"), json.loads(fields["data"]))
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
