"""A dialect's state table: canonical states to its wire words and back, in one place.

Like Libcloud's NODE_STATE_MAP, each adapter keeps one `StateMap` under the
fixed name `Dialect.states`. Rows are (state, wire) or (state, wire, condition):
a condition refines one canonical state into several wire words (Sahara's
TOBEKILLED is a RUNNING execution whose cancel was asked for); the first
matching row wins, and every state needs a row without a condition, which is
what a bare state (a step record, a filter) shows. The suite checks that every
canonical state maps and that reading a word back gives the state it came from.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from jobgate.model import State

W = TypeVar("W")
Condition = Callable[[Any], bool]


class StateMap(Generic[W]):
    def __init__(self, rows: Mapping[State, W] | Iterable[tuple]):
        items = rows.items() if isinstance(rows, Mapping) else rows
        self.rows: tuple[tuple[State, W, Condition | None], ...] = tuple(
            (row[0], row[1], row[2] if len(row) > 2 else None) for row in items)
        unmapped = [s.value for s in State if not any(r[0] is s and r[2] is None for r in self.rows)]
        if unmapped:
            raise ValueError(f"state map leaves {', '.join(unmapped)} without an unconditional row")

    def wire(self, subject) -> W:
        """The wire value of a State, or of anything with a `.state` (conditions may read it)."""
        state = subject if isinstance(subject, State) else subject.state
        for row_state, value, condition in self.rows:
            if row_state is state and (condition is None or (subject is not state and condition(subject))):
                return value
        raise KeyError(state)

    def states(self, value) -> frozenset[State]:
        """The canonical states a wire value can stand for (several when the dialect merges them)."""
        return frozenset(state for state, wire, _ in self.rows if wire == value)

    def values(self) -> list[W]:
        return list(dict.fromkeys(wire for _, wire, _ in self.rows))

    def keyed(self, key: Callable[[W], Any]) -> dict[Any, frozenset[State]]:
        """Reverse lookup by a part of the wire value (e.g. OCAPI's status word of a tuple)."""
        found: dict[Any, set[State]] = {}
        for state, wire, _ in self.rows:
            found.setdefault(key(wire), set()).add(state)
        return {k: frozenset(v) for k, v in found.items()}


IDENTITY: StateMap[str] = StateMap({state: state.value for state in State})
