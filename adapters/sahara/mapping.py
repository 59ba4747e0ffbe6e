"""Sahara's `info.status` words and the canonical states, in one table both ways.

Two Sahara words are refinements of one canonical state, so each row carries a
condition on the record: TOBEKILLED is a RUNNING execution whose cancel was
asked for, DONEWITHERROR a FAILED one whose failing step ran a process that
exited non-zero. Everything else that failed (an exception, a timeout, a
signal, a worker that vanished) is FAILED, as in Sahara's Spark engine.
"""
from __future__ import annotations

from typing import Callable

from jobgate.model import Execution, State

#: step types whose failure can be a process's own non-zero exit status
PROCESS_STEPS = frozenset({"shell"})


def _always(_: Execution) -> bool:
    return True


def _cancel_requested(execution: Execution) -> bool:
    return execution.cancel_requested


def _exited_non_zero(execution: Execution) -> bool:
    """The failing step ran its process to the end and it reported "exit code N"."""
    failed = [step for step in execution.steps if step.state is State.FAILED]
    if not failed:
        return False
    step = failed[-1]
    return (step.type in PROCESS_STEPS and bool(step.exit_code)
            and step.message == f"exit code {step.exit_code}")


#: (canonical state, condition, Sahara status); the first matching row wins.
TABLE: tuple[tuple[State, Callable[[Execution], bool], str], ...] = (
    (State.CREATED, _always, "PENDING"),
    (State.QUEUED, _always, "PENDING"),
    (State.RUNNING, _cancel_requested, "TOBEKILLED"),
    (State.RUNNING, _always, "RUNNING"),
    (State.SUCCEEDED, _always, "SUCCEEDED"),
    (State.SUCCEEDED_WITH_WARNINGS, _always, "SUCCEEDED"),
    (State.FAILED, _exited_non_zero, "DONEWITHERROR"),
    (State.FAILED, _always, "FAILED"),
    (State.CANCELED, _always, "KILLED"),
    (State.DIED, _always, "FAILED"),
)

#: Sahara status -> the canonical states it can stand for (narrows a status filter)
FROM_WIRE: dict[str, frozenset[State]] = {
    status: frozenset(state for state, _, word in TABLE if word == status) for _, _, status in TABLE
}


def status(execution: Execution) -> str:
    return next(word for state, condition, word in TABLE if state is execution.state and condition(execution))
