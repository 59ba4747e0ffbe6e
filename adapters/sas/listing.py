"""Job lists: a filter and sortBy answered by the store's indexes where they can.

The indexes know a job's definition and canonical state. A filter that is only
`eq`/`in` on `state` (words without a conditional row) and `eq` on
`jobDefinitionUri`, sorted by `creationTimeStamp`, is one indexed page
(`service.window` over the state slices it names). Any other filter or sort reads `service.scan`, narrowed by
the state and definition the filter's top-level `and` names, and filters and
sorts that narrowed set here.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from marshmallow import EXCLUDE, ValidationError

from adapters.sas import documents, filters, schemas
from adapters.sas.faults import SasError
from adapters.sas.wire import CONDITIONAL, DEFINITIONS, STATES
from jobgate.errors import NotFound
from jobgate.kit.blueprint import principal, service
from jobgate.model import Definition, Execution, Slice

JOB_MEMBERS = frozenset({
    "id", "state", "stateDetails", "createdBy", "modifiedBy", "creationTimeStamp", "modifiedTimeStamp",
    "endTimeStamp", "expirationTimeStamp", "heartbeatTimeStamp", "heartbeatInterval", "elapsedTime",
    "submittedByApplication", "logLocation", "results", "jobRequest.id", "jobRequest.name",
    "jobRequest.description", "jobRequest.jobDefinitionUri", "jobRequest.createdByApplication",
    "jobRequest.expiresAfter", "jobRequest.properties", "jobRequest.arguments", "jobRequest.jobDefinition.id",
    "jobRequest.jobDefinition.name", "jobRequest.jobDefinition.type"})
#: members jobs do not have at the top, read where a SAS client means them
JOB_ALIASES = {"name": "jobRequest.name", "description": "jobRequest.description",
               "jobDefinitionUri": "jobRequest.jobDefinitionUri", "jobDefinitionId": "jobRequest.jobDefinition.id"}
JOB_SORT = "creationTimeStamp:descending"
#: query parameters that are not basic filters
PAGING = frozenset({"start", "limit", "filter", "sortBy"})


@dataclass
class Query:
    start: int
    limit: int
    filter: filters.Call | None
    sort: list[filters.SortKey]
    #: what the paging links carry (a list: the parameter repeated)
    echo: dict[str, str | list[str] | None]


def query_args() -> dict:
    """The paging query of a POST #withQuery (its body is the filter), checked as a GET's is."""
    try:
        return schemas.ListQuery(unknown=EXCLUDE).load(request.args.to_dict())
    except ValidationError as exc:
        raise SasError(400, 0, "The query parameters are not valid.", details=exc.messages) from None


def read_query(args: dict, members: frozenset[str], aliases: dict[str, str], default_sort: str,
               filter_text: str | None = None) -> Query:
    """start, limit, filter and sortBy; members named as query parameters are SAS's basic
    filtering (`?createdBy=dale`: eq, several values: in), and-ed with the filter."""
    start, limit = args.get("start", 0), args.get("limit", 10)
    if start < 0:
        raise SasError(400, 1125, f"The start value ({start}) must be zero or greater.")
    if limit < 0:
        raise SasError(400, 1126, f"The limit value ({limit}) must be zero or greater.")
    limit = min(limit, service().settings.page_limit)
    text = filter_text if filter_text is not None else args.get("filter")
    parsed = filters.parse(text, members, aliases) if text and text.strip() else None
    basic = {name: request.args.getlist(name) for name in request.args
             if name not in PAGING and aliases.get(name, name) in members}
    calls = [filters.Call("eq" if len(values) == 1 else "in", member=aliases.get(name, name), values=tuple(values))
             for name, values in basic.items()]
    if calls:
        parsed = filters.Call("and", args=tuple(calls) + ((parsed,) if parsed else ()))
    sort_text = args.get("sortBy") or default_sort
    echo = {"filter": text or None, "sortBy": args.get("sortBy")}
    echo.update(basic)
    return Query(start, limit, parsed, filters.parse_sort(sort_text, members, aliases), echo)


class Jobs:
    """Renders jobs for one request, reading each definition once."""

    def __init__(self):
        self.definitions: dict[str, Definition | None] = {}

    def definition(self, execution: Execution) -> Definition | None:
        """Looked up when first needed: a catalog job costs no store read (the service keeps them)."""
        ref = execution.definition_id
        if ref not in self.definitions:
            try:
                self.definitions[ref] = service().definition(principal(), ref)
            except NotFound:
                self.definitions[ref] = None
        return self.definitions[ref]

    def doc(self, execution: Execution) -> dict:
        result = service().result_of(execution) if execution.finished else None
        return documents.job(execution, self.definition(execution), result)

    def by_uri(self, uri: str) -> Definition | None:
        if not uri.startswith(DEFINITIONS + "/"):
            return None
        try:
            return service().definition(principal(), uri.removeprefix(DEFINITIONS + "/"))
        except NotFound:
            return None

    def page(self, query: Query, scope: Definition | None = None,
             extra: filters.Call | None = None) -> tuple[list[dict], int]:
        """One page of the caller's jobs and how many match in all."""
        whole = filters.Call("and", args=tuple(c for c in (query.filter, extra) if c)) if extra else query.filter
        states, definition, exact = None, scope, extra is None
        for part in filters.conjuncts(whole):
            if part.member == "state" and part.name in ("eq", "in"):
                found = frozenset().union(*(STATES.states(w) for w in part.values))
                states = found if states is None else states & found
                exact = exact and not CONDITIONAL & set(part.values)
            elif part.member == "jobRequest.jobDefinitionUri" and part.name == "eq":
                named = self.by_uri(part.values[0])
                if named is None or (definition is not None and named.id != definition.id):
                    return [], 0
                definition = named
            else:
                exact = False
        if states is not None and not states:
            return [], 0
        by_creation = [(k.member, k.descending) for k in query.sort] in (
            [("creationTimeStamp", True)], [("creationTimeStamp", False)])
        if exact and by_creation:
            return self._indexed(query, definition, states)
        return self._scanned(query, whole, definition, states)

    def _indexed(self, query: Query, definition: Definition | None, states) -> tuple[list[dict], int]:
        slices = [Slice(state, definition.id if definition else None) for state in states or [None]]
        page = service().window(principal(), [slices], newest_first=query.sort[0].descending, offset=query.start,
                                limit=max(1, query.limit))
        items = page.items if query.limit else []
        return [self.doc(e) for e in items], page.total

    def _scanned(self, query: Query, whole, definition: Definition | None, states) -> tuple[list[dict], int]:
        seen: dict[str, Execution] = {}
        for state in sorted(states, key=lambda s: s.value) if states else [None]:
            for execution in service().scan(principal(), definition=definition.id if definition else None,
                                            state=state):
                seen[execution.id] = execution
        docs = [self.doc(e) for e in sorted(seen.values(), key=lambda e: -e.seq)]
        if whole is not None:
            docs = [d for d in docs if filters.matches(whole, lambda m, d=d: documents.member(d, m))]
        docs = filters.sort(docs, query.sort, documents.member)
        return docs[query.start:query.start + query.limit], len(docs)


def select(docs: list[dict], query: Query) -> tuple[list[dict], int]:
    """Filter, sort and page documents held in memory (definitions, job requests, providers)."""
    if query.filter is not None:
        docs = [d for d in docs if filters.matches(query.filter, lambda m, d=d: documents.member(d, m))]
    docs = filters.sort(docs, query.sort, documents.member)
    return docs[query.start:query.start + query.limit], len(docs)
