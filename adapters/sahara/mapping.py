"""Sahara's `info.status` words and the canonical states, in one table both ways.

Two Sahara words are refinements of one canonical state, so each row carries a
condition on the record: TOBEKILLED is a RUNNING execution whose cancel was
asked for, DONEWITHERROR a FAILED one whose failing step ran a process that
exited non-zero. Everything else that failed (an exception, a timeout, a
signal, a worker that vanished) is FAILED, as in Sahara's Spark engine.
Both conditions are the store's marks (model.Mark), so lists filter and sort
on these words by index (adapters.sahara.indexed).
"""
from __future__ import annotations

from jobgate.kit.states import StateMap
from jobgate.model import Mark, State

#: (canonical state, Sahara status, condition); the first matching row wins.
STATES: StateMap[str] = StateMap((
    (State.CREATED, "PENDING"),
    (State.QUEUED, "PENDING"),
    (State.RUNNING, "TOBEKILLED", Mark.STOPPING),
    (State.RUNNING, "RUNNING"),
    (State.SUCCEEDED, "SUCCEEDED"),
    (State.SUCCEEDED_WITH_WARNINGS, "SUCCEEDED"),
    (State.FAILED, "DONEWITHERROR", Mark.EXITED),
    (State.FAILED, "FAILED"),
    (State.CANCELED, "KILLED"),
    (State.DIED, "FAILED"),
))
