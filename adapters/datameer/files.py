"""Which job a Datameer identifier names, and that job's runs, within the caller's tenant.

v1 takes a job configuration id (the definition's integer `seq`); v2 takes a
file id (the same integer), the definition's uuid, or its Datameer path (its
`attributes.datameer.path`, else `/Data/Jobs/<definition id>`), with or
without the leading slash. Anything else names no job: 404.
"""
from __future__ import annotations

from adapters.datameer.wire import DERIVED_FOLDER, path_of
from jobgate.errors import DefinitionNotFound, NotFound
from jobgate.kit import ids
from jobgate.kit.blueprint import principal, service
from jobgate.model import SLUG, Definition, Execution, State

ACTIVE = (State.CREATED, State.QUEUED, State.RUNNING)


def _missing(ref: str) -> DefinitionNotFound:
    return DefinitionNotFound(f"no job {ref!r}", id=ref)


def _found(ref: str) -> Definition | None:
    try:
        return service().definition(principal(), ref)
    except NotFound:
        return None


def by_id(ref: str) -> Definition:
    """A job by its configuration / file id."""
    if not (ref.isascii() and ref.isdigit() and len(ref) <= 10):
        raise _missing(ref)
    found = _found(ref)
    if found is not None and found.seq == int(ref):
        return found
    # a definition whose slug id is these digits is not the one numbered so
    for definition in service().definitions(principal()):
        if definition.seq == int(ref):
            return definition
    raise _missing(ref)


def by_file(ref: str) -> Definition:
    """A job by file id, uuid or path."""
    if ref.isascii() and ref.isdigit():
        return by_id(ref)
    if ids.UUID.accepts(ref.lower()):
        found = service().definition(principal(), ref.lower())
        if found.uuid == ref.lower():
            return found
        raise _missing(ref)
    path = ref if ref.startswith("/") else "/" + ref
    folder, _, name = path.rpartition("/")
    if folder == DERIVED_FOLDER and SLUG.match(name):      # the usual path: one lookup, not the tenant's list
        found = _found(name)
        if found is not None and path_of(found) == path:
            return found
    for definition in service().definitions(principal()):
        if path_of(definition) == path:
            return definition
    raise _missing(ref)


def latest(definition: Definition) -> Execution | None:
    """The job's newest run in the caller's tenant, if it has one."""
    items = service().page(principal(), definition=definition.id, newest_first=True, limit=1).items
    return items[0] if items else None


def history(definition: Definition, start: int, length: int) -> list[Execution]:
    return service().page(principal(), definition=definition.id, newest_first=True,
                          offset=start, limit=length).items


def active(definition: Definition | None = None) -> list[Execution]:
    """Runs not yet ended (waiting, queued, running), oldest first."""
    found = [execution for state in ACTIVE
             for execution in service().scan(principal(), state=state,
                                             definition=definition.id if definition else None)]
    return sorted(found, key=lambda execution: execution.seq)


class FileIds:
    """Definition seq by definition id, looked up once per request."""

    def __init__(self):
        self.known: dict[str, int | None] = {}

    def __call__(self, execution: Execution) -> int | None:
        if execution.definition_id not in self.known:
            try:
                self.known[execution.definition_id] = service().definition(principal(), execution.definition_id).seq
            except NotFound:
                self.known[execution.definition_id] = None
        return self.known[execution.definition_id]
