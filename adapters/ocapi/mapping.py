"""Canonical states as OCAPI shows them, in one table both ways.

Each state is (execution_status, exit code, exit status). While executing
there is no exit code and the `status` field shows the execution status upper
cased; afterwards `status` is the exit code. Reading back (search by `status`)
groups the states that share a status word.
"""
from jobgate.kit.states import StateMap
from jobgate.model import State

STATES: StateMap[tuple[str, str | None, str | None]] = StateMap({
    State.CREATED: ("pending", None, None),
    State.QUEUED: ("pending", None, None),
    State.RUNNING: ("running", None, None),
    State.SUCCEEDED: ("finished", "OK", "ok"),
    State.SUCCEEDED_WITH_WARNINGS: ("finished", "WARN", "ok"),
    State.FAILED: ("finished", "ERROR", "error"),
    State.CANCELED: ("aborted", "ABORTED", "error"),
    State.DIED: ("unknown", "ERROR", "error"),
})


def word(wire: tuple[str, str | None, str | None]) -> str:
    execution_status, code, _ = wire
    return code or execution_status.upper()


def status_word(state: State) -> str:
    return word(STATES.wire(state))


#: wire `status` word -> the canonical states showing it
FROM_STATUS: dict[str, frozenset[State]] = STATES.keyed(word)
