"""Sahara's list semantics over wire objects: filters, `sort_by`, `limit` and `marker`.

Sahara filters on columns and sorts on fields that jobgate's indexes do not
hold (uuids, cluster ids, the derived status), so such a list reads the
tenant's records once and pages in memory: linear in what the index-served
filters (job, status) leave. The common list (creation order, limit, marker,
maybe a job) does not come here: routes._keyset_page serves it from the store
a page at a time. `marker` is exclusive, as the api-ref documents it.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import regex as regex_module

from adapters.sahara.faults import Refused
from adapters.sahara.schemas import Stamp

Getter = Callable[[dict], object]
Predicate = Callable[[dict, str], bool]


def select(objects: list[dict], query: dict, *, sort_keys: dict[str, Getter],
           special: dict[str, Predicate] | None = None) -> dict:
    """One page of `objects` as {"items", "markers"?}; `query` holds limit, marker, sort_by and filters."""
    query = dict(query)
    limit, marker, sort_by = query.pop("limit", None), query.pop("marker", None), query.pop("sort_by", None)
    for key, wanted in query.items():
        objects = [o for o in objects if _matches(o, key, wanted, special or {})]
    if sort_by:
        key = sort_keys.get(sort_by.removeprefix("-"))
        if key is None:
            raise Refused("VALIDATION_ERROR", f"Unknown field for sorting {sort_by.removeprefix('-')}")
        objects = sorted(objects, key=lambda o: _sortable(key(o)), reverse=sort_by.startswith("-"))
    ids = [o["id"] for o in objects]
    if marker is not None and marker not in ids:
        raise Refused("NOT_FOUND", f"Object with {{'id': '{marker}'}} not found", 404)
    at = ids.index(marker) if marker is not None else -1
    page = objects[at + 1:] if limit is None else objects[at + 1:at + 1 + limit]
    result = {"items": page}
    prev, following = _neighbours(ids, at, limit)
    if prev or following or marker is not None:
        result["markers"] = {"prev": prev, "next": following}
    return result


def _neighbours(ids: list[str], at: int, limit: int | None) -> tuple[str | None, str | None]:
    """Markers of the previous and the next page, for a page starting after index `at`."""
    if limit is None:
        return None, None
    prev = ids[at - limit] if at >= 0 and at - limit >= 0 else None
    following = ids[at + limit] if at + limit < len(ids) - 1 else None
    return prev, following


#: A client's pattern gets this long per name, so `(a+)+$` cannot stall the gateway.
PATTERN_TIME = 0.05


def regex(value, wanted: str) -> bool:
    """Sahara's `job.name`-style filters are regular expressions (MySQL REGEXP), matched
    with a time limit (the `regex` module's; Python's `re` has none and holds the GIL)."""
    try:
        return value is not None and regex_module.search(wanted, str(value), timeout=PATTERN_TIME) is not None
    except (regex_module.error, RecursionError):     # a pattern nested too deep for the compiler, too
        raise Refused("INVALID_DATA", f"'{wanted}' is not a valid regular expression") from None
    except TimeoutError:
        raise Refused("INVALID_DATA", f"'{wanted}' takes too long to match") from None


def _matches(obj: dict, key: str, wanted: str, special: dict[str, Predicate]) -> bool:
    if key in special:
        return special[key](obj, wanted)
    if key not in obj or isinstance(obj[key], (dict, list)):
        raise Refused("INVALID_DATA", f"Unknown filter {key}")
    return _text(obj[key]) == wanted


_STAMP = Stamp()


def _text(value) -> str | None:
    """A field as the query string would spell it: booleans lower-case, timestamps as on the wire."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return _STAMP._serialize(value, None, None)
    return None if value is None else str(value)


def _sortable(value):
    return (value is not None, "" if value is None else str(value))
