"""A dialect's status words as slices of the store's indexes, for lists that filter or sort on them.

Each word of a StateMap stands for some states, or for part of a state when a
row's condition is a model.Mark (Sahara's TOBEKILLED: RUNNING and stopping;
its plain RUNNING: RUNNING without that mark). `by_word` turns the words a
list wants into segments for `service().window`: one segment for a filter,
one per word, in the word's sort order, for a sort. A condition that is no
Mark cannot be read from an index: then there are no segments (None), and
the dialect lists the slow way.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from jobgate.kit.states import StateMap
from jobgate.model import Mark, Slice, State


def word_slices(states: StateMap, word: Callable = str) -> dict[str, list[tuple[State, Mark | None, Mark | None]]] | None:
    """word -> (state, only this mark, without this mark) of each row that can show it."""
    found: dict[str, list] = {}
    for state in State:
        marks: list[Mark] = []
        for row_state, wire, condition in states.rows:
            if row_state is not state:
                continue
            if condition is not None and not isinstance(condition, Mark):
                return None
            if condition is None and len(marks) > 1:
                return None
            found.setdefault(word(wire), []).append(
                (state, condition, None) if condition else (state, None, marks[0] if marks else None))
            if condition is None:
                break
            marks.append(condition)
    return found


def by_word(states: StateMap, word: Callable = str, *, words: Collection[str] | None = None,
            definitions: Iterable[str | None] = (None,), descending: bool | None = None) -> list[list[Slice]] | None:
    """Segments of the executions showing one of `words` (None: any), of one of `definitions`
    (None: any): one segment, or with `descending` given, one per word sorted by it."""
    table = word_slices(states, word)
    if table is None:
        return None
    definitions = list(dict.fromkeys(definitions))
    if words is None and descending is None:       # every state: the state-agnostic index
        return [[Slice(None, definition) for definition in definitions]]
    chosen = sorted((w for w in table if words is None or w in words), reverse=bool(descending))
    segments = [[Slice(state, definition, only, without) for state, only, without in table[w]
                 for definition in definitions] for w in chosen]
    if descending is None:
        return [[part for segment in segments for part in segment]]
    return segments
