"""List Jobs: the reference's filters over the store's indexes, paged by `startAfter`.

Job types and states alone are slices of the store's indexes (service().window: O(log n +
page), its total from their counts); the other filters (user, storageId, tags) are read a
store page at a time after the cursor and filtered here, so a page never loads the whole
tenant, and `total` (feature NUMBER_OF_TOTAL) is then counted by one such scan.
"""
from __future__ import annotations

from collections.abc import Iterator

from adapters.cdq import wire
from adapters.cdq.documents import document
from jobgate.errors import Invalid
from jobgate.kit import paging
from jobgate.kit.blueprint import principal, service
from jobgate.model import Execution, Slice, State


def jobs(query: dict) -> dict:
    if query.get("organizationId") not in (None, principal().tenant):
        return _page(query, [], None, 0)
    types = list(dict.fromkeys(query.get("jobType") or []))
    states = _states(query.get("jobStatus"))
    if states == set():
        return _page(query, [], None, 0)
    newest_first = query["sort"].startswith("-")
    cursor = _cursor(query.get("startAfter"))
    if _indexed(query):
        slices = [Slice(state, kind) for kind in types or [None] for state in states or [None]]
        found = service().window(principal(), [slices], limit=query["limit"] + 1, newest_first=newest_first,
                                 cursor=cursor)
        window, total = found.items, found.total
    else:
        matching = _matching(query, types, states, newest_first, cursor)
        window = [e for _, e in zip(range(query["limit"] + 1), matching, strict=False)]
        total = None
    items, more = window[:query["limit"]], len(window) > query["limit"]
    if "NUMBER_OF_TOTAL" not in query["features"]:
        total = None
    elif total is None:
        total = sum(1 for _ in _matching(query, types, states, newest_first, None))
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


def _indexed(query: dict) -> bool:
    """Job types and states alone are slices of the store's indexes; the other filters are read here."""
    return not (query.get("user") or query.get("storageId") or query.get("tags"))


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
