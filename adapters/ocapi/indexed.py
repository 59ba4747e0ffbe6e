"""Searches the store's indexes answer a page at a time, without reading the tenant.

A query that is a conjunction of `job_id` and `status` terms (match_all,
term_query on one field, bool_query with only `must`, filtered_query with
term, bool `and` and query filters) selects executions by (job, state), which
the indexes hold. Without sorts (newest first), sorted by `status` or, when
the jobs are pinned, by `job_id`, its page comes from `service().window` in
O(log n + count). Any other query returns None and is matched the slow way.
The query has been parsed (search.query) already, so its shape is valid here.
"""
from __future__ import annotations

from adapters.ocapi import mapping
from jobgate.kit.blueprint import principal, service
from jobgate.kit.ordering import by_word
from jobgate.model import Execution

#: (job ids or None: any, status words or None: any); None instead of the pair: not indexable
Scope = tuple[frozenset[str] | None, frozenset[str] | None]
EVERYTHING: Scope = (None, None)


def page(request: dict) -> tuple[list[Execution], int] | None:
    """The search's window (start, count) and its total, or None if the indexes cannot answer it."""
    scope = conjunction(request["query"])
    if scope is None or len(request["sorts"]) > 1:
        return None
    jobs, words = scope
    sort = request["sorts"][0] if request["sorts"] else None
    descending = None if sort is None else sort["sort_order"] == "desc"
    definitions = sorted(jobs, reverse=bool(descending)) if jobs is not None else [None]
    if sort is None or sort["field"] == "status":
        segments = by_word(mapping.STATES, mapping.word, words=words, definitions=definitions,
                           descending=descending)
    elif sort["field"] == "job_id" and jobs is not None:
        segments = [segment for definition in definitions
                    for segment in by_word(mapping.STATES, mapping.word, words=words, definitions=[definition])]
    else:
        return None
    found = service().window(principal(), segments, offset=request["start"], limit=request["count"])
    return found.items, found.total


def conjunction(spec) -> Scope | None:
    kind, body = next(iter(spec.items()))
    if kind == "match_all_query":
        return EVERYTHING
    if kind == "term_query":
        return _term(body["fields"][0], body["values"], body["operator"]) if len(body["fields"]) == 1 else None
    if kind == "bool_query":
        if body.get("must_not") or body.get("should"):
            return None
        return _all(conjunction(part) for part in body.get("must") or [])
    if kind == "filtered_query":
        inner = body.get("query")
        return _all([EVERYTHING if inner in (None, {}) else conjunction(inner), _filter(body["filter"])])
    return None


def _filter(spec) -> Scope | None:
    kind, body = next(iter(spec.items()))
    if kind == "term_filter":
        return _term(body["field"], body["values"], body["operator"])
    if kind == "bool_filter" and body.get("operator", "and") == "and":
        return _all(_filter(part) for part in body["filters"])
    if kind == "query_filter":
        return conjunction(body["query"])
    return None


def _term(field: str, values: list, operator: str) -> Scope | None:
    wanted = frozenset(str(v) for v in values)
    if field == "status":            # search.query matches any of the words, whatever the operator
        return None, wanted
    if field == "job_id" and operator in ("is", "one_of"):
        return frozenset({str(values[0])}) if operator == "is" else wanted, None
    return None


def _all(scopes) -> Scope | None:
    jobs = words = None
    for scope in scopes:
        if scope is None:
            return None
        jobs = scope[0] if jobs is None else jobs if scope[0] is None else jobs & scope[0]
        words = scope[1] if words is None else words if scope[1] is None else words & scope[1]
    return jobs, words
