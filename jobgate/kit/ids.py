"""How a dialect shows an execution's id, and which ids it accepts back.

Executions have a uuid and an integer `seq`; a dialect shows one of them
(`Dialect.ids`). A lookup with the other kind, or with text that is neither,
is an ExecutionNotFound in the dialect's own words, never an alias.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from jobgate.errors import ExecutionNotFound
from jobgate.model import Execution


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def _is_seq(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 10


@dataclass(frozen=True)
class IdStyle:
    name: str
    show: Callable[[Execution], str]
    accepts: Callable[[str], bool]

    def check(self, ref: str) -> str:
        """`ref` if it is an id of this style, else ExecutionNotFound naming it."""
        if not self.accepts(ref):
            raise ExecutionNotFound(f"no job execution {ref!r}", id=ref)
        return ref


UUID = IdStyle("uuid", lambda execution: execution.id, _is_uuid)
SEQ = IdStyle("seq", lambda execution: str(execution.seq), _is_seq)
#: Either one: the native API accepts both, and shows the uuid.
ANY = IdStyle("uuid or seq", lambda execution: execution.id, lambda ref: _is_uuid(ref) or _is_seq(ref))
