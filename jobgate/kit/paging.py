"""Paging helpers for the styles the dialects use, over the store's indexes.

- offset/count (OCAPI start/count, Datameer start/length, SAS start/limit):
  `service().page(offset=, limit=)` gives items and total; `neighbours` gives
  the next and previous window starts, for links or `next`/`previous` objects.
- marker (Sahara `limit` + exclusive `marker`) and cursor / next-after (CDQ
  `startAfter`, native `cursor`): `keyset` reads a page after an anchor
  execution in O(log n + limit) and knows the anchors of its neighbours.
"""
from __future__ import annotations

from dataclasses import dataclass

from jobgate.errors import NotFound
from jobgate.kit.blueprint import principal, service
from jobgate.model import Execution


def neighbours(start: int, count: int, total: int) -> tuple[int | None, int | None]:
    """(start of the next window or None, start of the previous one or None)."""
    following = start + count if start + count < total else None
    previous = max(0, start - count) if start > 0 else None
    return following, previous


@dataclass
class Keyset:
    items: list[Execution]
    #: the anchor of the page before this one (exclusive-marker style), when there is one
    previous: Execution | None
    #: the anchor of the page after this one (its last item), when more follow
    next: Execution | None


def anchor(ref: str, definition: str | None = None) -> Execution | None:
    """The execution a marker or cursor names, within the caller's tenant (and definition)."""
    try:
        found = service().get(principal(), ref)
    except NotFound:
        return None
    return None if definition and found.definition_id != definition else found


def keyset(*, limit: int, after: Execution | None = None, definition: str | None = None,
           newest_first: bool = False, with_previous: bool = False) -> Keyset:
    """`limit` executions following `after` in creation order (or newest first)."""
    cursor = None if after is None else after.seq
    ahead = service().page(principal(), definition=definition, newest_first=newest_first, cursor=cursor,
                           limit=limit + 1).items
    items = ahead[:limit]
    following = items[-1] if len(ahead) > limit else None
    previous = None
    if with_previous and after is not None:
        # the anchor itself and the `limit` before it: the last of those anchors the previous page
        back_from = after.seq + 1 if not newest_first else after.seq - 1
        behind = service().page(principal(), definition=definition, newest_first=not newest_first,
                                cursor=back_from, limit=limit + 1).items
        previous = behind[limit] if len(behind) > limit else None
    return Keyset(items, previous, following)
