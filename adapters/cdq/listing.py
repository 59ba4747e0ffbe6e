"""List Jobs: the reference's filters over the store's indexes, paged by `startAfter`.

One job type and at most one canonical state are an index of the store (O(log n + page));
the other filters (user, storageId, tags, several types or states) are read a store page at
a time after the cursor and filtered here, so a page never loads the whole tenant.
`total` (feature NUMBER_OF_TOTAL) is the index's count when the index answers the whole
filter, else counted by one such scan.
"""
from __future__ import annotations

from collections.abc import Iterator

from adapters.cdq import wire
from adapters.cdq.documents import document
from jobgate.errors import Invalid
from jobgate.kit import paging
from jobgate.kit.blueprint import principal, service
from jobgate.model import Execution, State


def jobs(query: dict) -> dict:
    if query.get("organizationId") not in (None, principal().tenant):
        return _page(query, [], None, 0)
    types = list(dict.fromkeys(query.get("jobType") or []))
    states = _states(query.get("jobStatus"))
    if states == set():
        return _page(query, [], None, 0)
    newest_first = query["sort"].startswith("-")
    cursor = _cursor(query.get("startAfter"))
    matching = _matching(query, types, states, newest_first, cursor)
    window = [e for _, e in zip(range(query["limit"] + 1), matching, strict=False)]
    items, more = window[:query["limit"]], len(window) > query["limit"]
    total = _total(query, types, states, newest_first) if "NUMBER_OF_TOTAL" in query["features"] else None
    return _page(query, items, items[-1].id if more and items else None, total)


def _cursor(start_after) -> int | None:
    """The seq after which a page starts: `startAfter` names the last job of the page before."""
    if start_after is None:
        return None
    after = paging.anchor(str(start_after))
    if after is None:
        raise Invalid(f"startAfter: no job {str(start_after)!r} to start after", details={"startAfter": ["unknown"]})
    return after.seq


def _page(query: dict, items: list[Execution], following: str | None, total: int | None) -> dict:
    page = {"startAfter": str(query["startAfter"]) if query.get("startAfter") else None,
            "nextStartAfter": following, "limit": query["limit"], "total": total,
            "values": [document(e) for e in items]}
    return {key: value for key, value in page.items() if value is not None}


def _states(words: list[str] | None) -> set[State] | None:
    """The canonical states the JobStatus words stand for (None: no status filter)."""
    if not words:
        return None
    return {state for word in words for state in wire.STATES.states(word)}


def _indexed(query: dict, types: list[str], states: set[State] | None) -> bool:
    return len(types) <= 1 and (states is None or len(states) == 1) and not (
        query.get("user") or query.get("storageId") or query.get("tags"))


def _matching(query, types, states, newest_first, cursor) -> Iterator[Execution]:
    definition = types[0] if len(types) == 1 else None
    state = next(iter(states)) if states and len(states) == 1 else None
    while True:
        page = service().page(principal(), definition=definition, state=state, newest_first=newest_first,
                              cursor=cursor, limit=service().settings.page_limit)
        for execution in page.items:
            if _wanted(execution, query, types, states):
                yield execution
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _wanted(execution: Execution, query: dict, types: list[str], states) -> bool:
    attrs = execution.attrs(wire.NAMESPACE)
    tags, wanted = set(attrs.get("tags") or ()), set(query.get("tags") or ())
    conjunction = "TAGS_CONJUNCTION" in query["features"]
    return ((not types or execution.definition_id in types)
            and (states is None or execution.state in states)
            and (not query.get("user") or execution.principal == query["user"])
            and (not query.get("storageId") or attrs.get("storageId") == query["storageId"])
            and (not wanted or (wanted <= tags if conjunction else bool(wanted & tags))))


def _total(query, types, states, newest_first) -> int:
    if _indexed(query, types, states):
        state = next(iter(states)) if states else None
        return service().page(principal(), definition=types[0] if types else None, state=state, limit=1).total
    return sum(1 for _ in _matching(query, types, states, newest_first, None))
