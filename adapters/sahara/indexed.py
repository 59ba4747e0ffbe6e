"""Sahara lists the store's indexes answer a page at a time: filters on `job_id` and
`status`, `sort_by` status (either way) or none, `limit` and an exclusive `marker`.

The words come from the state map as index slices (kit.ordering), TOBEKILLED and
DONEWITHERROR by the store's marks, so a page reads O(log n + limit) however
many executions the tenant has. Sahara's order is creation order, and a sort by
status keeps it within each word (a stable sort), so every segment is read
oldest first. Other queries (a regex on the job name, other columns, sorts on
uuids or cluster ids) return None and go the in-memory way (listing.select).
"""
from __future__ import annotations

from adapters.sahara import records
from adapters.sahara.faults import Refused
from adapters.sahara.mapping import STATES
from jobgate import limits
from jobgate.kit import paging
from jobgate.kit.blueprint import principal, service
from jobgate.kit.ordering import by_word
from jobgate.model import Definition

#: the query keys this path serves
SERVED = {"limit", "marker", "job_id", "status", "sort_by"}


def page(query: dict, jobs: dict[str, Definition]) -> dict | None:
    """{"job_executions", "markers"?} as listing.select gives it, or None if the indexes cannot answer."""
    sort_by = query.get("sort_by")
    if set(query) - SERVED or (sort_by is not None and sort_by.removeprefix("-") != "status"):
        return None
    words = {query["status"].upper()} if "status" in query else None
    matched = [job.id for job in jobs.values() if job.uuid == query["job_id"]] if "job_id" in query else [None]
    segments = by_word(STATES, words=words, definitions=matched[:1],
                       descending=None if sort_by is None else sort_by.startswith("-"))
    if segments is None:
        return None
    limit, marker = query.get("limit"), query.get("marker")
    at = -1
    if marker is not None:
        found = paging.anchor(marker)
        at = None if found is None else service().position(principal(), segments, found, newest_first=False)
        if at is None:
            raise Refused("NOT_FOUND", f"Object with {{'id': '{marker}'}} not found", 404)
    window = _window(segments, at + 1, limits.MAX_INT if limit is None else limit)
    result = {"job_executions": [records.job_execution(e, jobs) for e in window.items]}
    if limit is not None:
        prev = _window(segments, at - limit, 1).items[0].id if at >= 0 and at - limit >= 0 else None
        following = window.items[-1].id if at + limit < window.total - 1 and window.items else None
        if prev or following or marker is not None:
            result["markers"] = {"prev": prev, "next": following}
    elif marker is not None:
        result["markers"] = {"prev": None, "next": None}
    return result


def _window(segments, offset: int, limit: int):
    return service().window(principal(), segments, offset=offset, limit=limit, newest_first=False)

