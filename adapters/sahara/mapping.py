"""Sahara's `info.status` words and the canonical states, in one table both ways.

Two Sahara words are refinements of one canonical state, so each row carries a
condition on the record: TOBEKILLED is a RUNNING execution whose cancel was
asked for, DONEWITHERROR a FAILED one whose failing step ran a process that
exited non-zero. Everything else that failed (an exception, a timeout, a
signal, a worker that vanished) is FAILED, as in Sahara's Spark engine.
"""
from __future__ import annotations

from jobgate.kit.states import StateMap
from jobgate.model import Execution, State


def _cancel_requested(execution: Execution) -> bool:
    return execution.cancel_requested


def _exited_non_zero(execution: Execution) -> bool:
    """The failing step ran a process to its end and it exited non-zero (the step's `process_exit`)."""
    failed = [step for step in execution.steps if step.state is State.FAILED]
    return bool(failed) and failed[-1].process_exit not in (None, 0)


#: (canonical state, Sahara status, condition); the first matching row wins.
STATES: StateMap[str] = StateMap((
    (State.CREATED, "PENDING"),
    (State.QUEUED, "PENDING"),
    (State.RUNNING, "TOBEKILLED", _cancel_requested),
    (State.RUNNING, "RUNNING"),
    (State.SUCCEEDED, "SUCCEEDED"),
    (State.SUCCEEDED_WITH_WARNINGS, "SUCCEEDED"),
    (State.FAILED, "DONEWITHERROR", _exited_non_zero),
    (State.FAILED, "FAILED"),
    (State.CANCELED, "KILLED"),
    (State.DIED, "FAILED"),
))
