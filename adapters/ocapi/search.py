"""`POST /job_execution_search`: OCAPI's query language over the caller's executions.

Searchable: id, job_id, start_time, end_time, status (the wire `status` word,
e.g. RUNNING, PENDING, OK, ERROR); sortable: job_id, start_time, end_time,
status, ascending unless told. Queries: match_all_query, term_query (several
fields match if any does), bool_query (must, must_not, should), filtered_query
with term_filter, range_filter, bool_filter and query_filter. Without sorts,
newest first. A query of job and status terms alone, unsorted or sorted by
status (or job_id, jobs pinned), is a page of the store's indexes (indexed.py);
otherwise a query that pins one job (`job_id is X`) or one state scans only
that index (`_scope`), others the tenant's executions, and the match decides.
"""
from collections.abc import Callable

from marshmallow import ValidationError

from adapters.ocapi import documents, indexed, jobs, mapping
from adapters.ocapi.errors import OcapiFault
from jobgate.kit.blueprint import principal, service
from jobgate.kit.fields import Timestamp
from jobgate.model import Execution

Match = Callable[[Execution], bool]
#: searchable field -> (value of an execution, parse a query value)
FIELDS: dict[str, tuple[Callable, Callable]] = {
    "id": (lambda ex: ex.seq, int),
    "job_id": (lambda ex: ex.definition_id, str),
    "status": (lambda ex: ex.state, lambda word: mapping.FROM_STATUS.get(word, frozenset())),
    "start_time": (lambda ex: ex.started, Timestamp().deserialize),
    "end_time": (lambda ex: ex.ended, Timestamp().deserialize),
}
#: sortable field -> the value sorted on (status by the word shown)
SORTABLE: dict[str, Callable] = {
    "job_id": FIELDS["job_id"][0],
    "start_time": FIELDS["start_time"][0],
    "end_time": FIELDS["end_time"][0],
    "status": lambda ex: mapping.status_word(ex.state),
}
OPERATORS = {
    "is": lambda value, wanted: value == wanted[0],
    "one_of": lambda value, wanted: value in wanted,
    "greater": lambda value, wanted: value is not None and value > wanted[0],
    "greater_or_equal": lambda value, wanted: value is not None and value >= wanted[0],
    "less": lambda value, wanted: value is not None and value < wanted[0],
    "less_or_equal": lambda value, wanted: value is not None and value <= wanted[0],
}


def run(request: dict) -> dict:
    match = query(request["query"], "query")
    order = [_sort_key(sort) for sort in request["sorts"]]
    start, count = request["start"], request["count"]
    found = indexed.page(request)
    if found is None:
        hits = [ex for ex in _scan(**_scope(request["query"])) if match(ex)]
        for key, descending in reversed(order):
            hits.sort(key=key, reverse=descending)
        found = hits[start:start + count], len(hits)
    window, total = found
    definitions = jobs.known({ex.definition_id for ex in window})
    return {"count": len(window), "hits": [documents.execution(ex, definitions[ex.definition_id]) for ex in window],
            **documents.paging(start, count, total), "query": request["query"],
            "sorts": request["sorts"] or None, "start": start, "total": total}


def query(spec, where: str) -> Match:
    kind, body = _single(spec, where)
    if kind == "match_all_query":
        return lambda ex: True
    if kind == "term_query":
        terms = [_term(name, body.get("operator"), body.get("values"), where) for name in _list(body, "fields", where)]
        return lambda ex: any(term(ex) for term in terms)
    if kind == "bool_query":
        must, must_not, should = ([query(q, f"{where}.{kind}.{part}") for q in _list(body, part, where, empty=True)]
                                  for part in ("must", "must_not", "should"))
        return lambda ex: (all(q(ex) for q in must) and not any(q(ex) for q in must_not)
                           and (not should or any(q(ex) for q in should)))
    if kind == "filtered_query":
        given = body.get("query")
        inner, keep = query(given if given not in (None, {}) else {"match_all_query": {}}, f"{where}.{kind}"), _filter(
            body.get("filter"), f"{where}.{kind}.filter")
        return lambda ex: inner(ex) and keep(ex)
    raise _unknown(f"{where}.{kind}")


def _filter(spec, where: str) -> Match:
    kind, body = _single(spec, where)
    if kind == "term_filter":
        return _term(body.get("field"), body.get("operator"), body.get("values"), where)
    if kind == "range_filter":
        return _range(body, where)
    if kind == "bool_filter":
        parts = [_filter(f, f"{where}.bool_filter.filters") for f in _list(body, "filters", where)]
        operator = body.get("operator", "and")
        combine = {"and": all, "or": any, "not": lambda results: not any(results)}.get(operator) \
            if isinstance(operator, str) else None
        if combine is None:
            raise _enum("bool_filter", body.get("operator"))
        return lambda ex: combine(part(ex) for part in parts)
    if kind == "query_filter":
        return query(body.get("query"), f"{where}.query_filter")
    raise _unknown(f"{where}.{kind}")


def _term(name, operator, values, where: str) -> Match:
    value_of, parse = _field(name, "term_query")
    test = OPERATORS.get(operator) if isinstance(operator, str) else None
    if test is None or (name == "status" and operator not in ("is", "one_of")):
        raise _enum("term_query", operator)
    if not isinstance(values, list) or not values:
        raise _malformed(f"{where}: values must be a non-empty list")
    wanted = [_parse(name, parse, v) for v in values]
    if name == "status":
        states = frozenset().union(*wanted)
        return lambda ex: ex.state in states
    return lambda ex: test(value_of(ex), wanted)


def _range(body: dict, where: str) -> Match:
    name = body.get("field")
    value_of, parse = _field(name, "range_filter")
    if name == "status":
        raise _enum("range_filter", name)
    low = None if body.get("from") is None else _parse(name, parse, body["from"])
    high = None if body.get("to") is None else _parse(name, parse, body["to"])
    low_in, high_in = (body.get(end, True) for end in ("from_inclusive", "to_inclusive"))
    if not (isinstance(low_in, bool) and isinstance(high_in, bool)):
        raise _malformed(f"{where}: from_inclusive and to_inclusive are true or false")

    def inside(ex):
        value = value_of(ex)
        return value is not None and (low is None or value > low or (low_in and value == low)) and (
            high is None or value < high or (high_in and value == high))
    return inside


def _sort_key(sort: dict):
    if sort["field"] not in SORTABLE:
        raise OcapiFault("FieldNotSortableException", f"The field '{sort['field']}' is not sortable.",
                         field=sort["field"])
    value_of = SORTABLE[sort["field"]]
    return (lambda ex: (value_of(ex) is None, value_of(ex) or "")), sort["sort_order"] == "desc"


def _scope(spec) -> dict:
    """The index filters a query implies (job, state); only ever narrows what the match sees."""
    if not isinstance(spec, dict) or len(spec) != 1:
        return {}
    (kind, body), = spec.items()
    if not isinstance(body, dict):
        return {}
    if kind == "term_query" and isinstance(body.get("fields"), list) and len(body["fields"]) == 1:
        return _pinned(body["fields"][0], body.get("operator"), body.get("values"))
    if kind in ("term_filter",):
        return _pinned(body.get("field"), body.get("operator"), body.get("values"))
    if kind == "filtered_query":
        return {**_scope(body.get("filter")), **_scope(body.get("query"))}
    if kind == "bool_query" and isinstance(body.get("must"), list):
        scope = {}
        for part in body["must"]:
            scope = {**_scope(part), **scope}
        return scope
    return {}


def _pinned(field, operator, values) -> dict:
    if operator != "is" or not isinstance(values, list) or len(values) != 1 or not isinstance(values[0], str):
        return {}
    if field == "job_id":
        return {"definition": values[0]}
    states = mapping.FROM_STATUS.get(values[0], frozenset()) if field == "status" else frozenset()
    return {"state": next(iter(states))} if len(states) == 1 else {}


def _scan(definition: str | None = None, state=None) -> list[Execution]:
    return list(service().scan(principal(), definition=definition, state=state))


def _single(spec, where: str) -> tuple[str, dict]:
    if not isinstance(spec, dict) or len(spec) != 1 or not isinstance(next(iter(spec.values())), dict):
        raise _malformed(f"{where}: must be an object with exactly one query or filter")
    return next(iter(spec.items()))


def _list(body: dict, key: str, where: str, *, empty: bool = False) -> list:
    """`body[key]`, a list (or, where `empty` allows, absent, null or []); else the document is malformed."""
    value = body.get(key)
    if empty and value is None:
        return []
    if not isinstance(value, list) or not (value or empty):
        raise _malformed(f"{where}: {key} must be a {'' if empty else 'non-empty '}list")
    return value


def _field(name, document: str):
    if not isinstance(name, str) or name not in FIELDS:
        raise _enum(document, name)
    return FIELDS[name]


def _parse(name: str, parse, value):
    try:
        if not isinstance(value, (str, int, float)):
            raise ValueError(value)
        return parse(str(value))
    except (ValueError, ValidationError):
        raise OcapiFault("InvalidSearchFieldTypeException", f"The value '{value}' does not fit the field '{name}'.",
                         field=name, value=str(value), type="datetime" if "time" in name else "long") from None


def _enum(document: str, value) -> OcapiFault:
    return OcapiFault("EnumConstraintViolationException", f"'{value}' is not allowed in {document}.",
                      document=document, enumValue=str(value))


def _unknown(path: str) -> OcapiFault:
    return OcapiFault("UnknownPropertyException", f"The property '{path}' is not known.", property=path)


def _malformed(problem: str) -> OcapiFault:
    return OcapiFault("BodyDecodingException", f"The request document could not be decoded: {problem}", body=problem)
