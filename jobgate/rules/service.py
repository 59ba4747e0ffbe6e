"""The use cases every adapter calls. Rules live here once: tenant scope,
who may do what, which state allows which operation.

A tenant never learns that another tenant's job exists: lookups outside the
principal's tenant raise the same NotFound as a missing id.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from jobgate import limits
from jobgate.errors import (
    Conflict,
    DefinitionNotFound,
    ExecutionNotFound,
    Invalid,
    NotFinished,
    NotFound,
    NotRestartable,
)
from jobgate.model import (
    SLUG,
    SUCCESS,
    Credential,
    Definition,
    Execution,
    Principal,
    ResultRecord,
    Slice,
    State,
    StepExecution,
    StepSpec,
    dump,
    now,
    to_ms,
)
from jobgate.rules import catalog as catalog_module
from jobgate.rules import idempotency, signing
from jobgate.rules.auth import Authenticator, load_principals
from jobgate.rules.checks import check_record, check_times, finite, is_ref
from jobgate.rules.feeds import Feeds
from jobgate.rules.lifecycle import Housekeeper, Lifecycle
from jobgate.rules.quotas import Quotas, load_quotas
from jobgate.rules.schedules import ScheduleBook
from jobgate.rules.throttle import LoginPolicy, LoginThrottle
from jobgate.rules.webhooks import WebhookBook
from jobgate.settings import Settings
from jobgate.store.attempts import LoginAttempts
from jobgate.store.connection import connect_as, replicated
from jobgate.store.definitions import Definitions
from jobgate.store.documents import Documents
from jobgate.store.executions import Store
from jobgate.store.idempotency import Place
from jobgate.store.queue import JobQueue
from jobgate.store.results import DEFINITION, STATUS, terms_of
from jobgate.store.schedules import Schedules
from jobgate.store.tokens import Tokens
from jobgate.store.webhooks import Webhooks

log = logging.getLogger("jobgate.service")

#: Ended executions a restart may follow.
RESTARTABLE = (State.FAILED, State.DIED, State.CANCELED)


@dataclass
class RecordPage:
    items: list[ResultRecord]
    #: the cursor of the next page (the last item's seq) when more follow
    next: int | None
    #: how many match, when the indexes tell it without a scan
    total: int | None


@dataclass
class Page:
    items: list[Execution]
    total: int
    offset: int
    limit: int

    @property
    def next_cursor(self) -> int | None:
        return self.items[-1].seq if len(self.items) == self.limit else None


class Service:
    def __init__(self, settings: Settings, client, catalog: Definitions, auth: Authenticator,
                 quotas: Quotas | None = None):
        self.settings = settings
        self.redis = client
        self.catalog = catalog
        self.auth = auth
        self.quotas = quotas or Quotas()
        self.store = Store(client, settings.retention, settings.events_maxlen, settings.events_keep)
        self.queue = JobQueue(client)
        self.lifecycle = Lifecycle(self.store, self.queue)
        self.housekeeper = Housekeeper(self.lifecycle, settings.stale_after)
        self.schedules = ScheduleBook(self, Schedules(client))
        self.feeds = Feeds(self, settings.events_heartbeat)     # server-sent events (rules.feeds)
        self.documents = Documents(client)
        self.webhooks = WebhookBook(settings, Webhooks(client))
        self.step_types = catalog_module.step_types()

    @classmethod
    def from_settings(cls, settings: Settings) -> Service:
        if not settings.redis_url:
            raise RuntimeError("REDIS_URL is not set (`jobgate up` starts an embedded Redis for you)")
        client = connect_as(settings)
        types = catalog_module.step_types()
        jobs = catalog_module.load_file(settings.catalog_path, types, settings) if settings.catalog_path else []
        accounts = load_principals(settings.principals_path) if settings.principals_path else []
        throttle = LoginThrottle(LoginAttempts(client), LoginPolicy.from_settings(settings))
        quotas = load_quotas(settings.quotas_path) if settings.quotas_path else None
        return cls(settings, client, Definitions(client, jobs), Authenticator(Tokens(client), accounts, throttle),
                   quotas)

    # -- auth --------------------------------------------------------------
    def authenticate(self, credential: Credential | None, *, address: str) -> Principal:
        """The caller behind a credential from client `address` (passwords from it may be throttled)."""
        return self.auth.verify(credential, address)

    def login(self, username: str, password: str, *, address: str) -> Principal:
        return self.auth.login(username, password, address)

    def issue_token(self, principal: Principal) -> tuple[str, int]:
        """A token for a dialect's login endpoint, and its lifetime in seconds."""
        return self.auth.issue_token(principal, self.settings.token_ttl), self.settings.token_ttl

    # -- definitions -------------------------------------------------------
    def definitions(self, principal: Principal) -> list[Definition]:
        return self.catalog.list(principal.tenant)

    def definition(self, principal: Principal, ref: str) -> Definition:
        found = self.catalog.get(principal.tenant, ref)
        if found is None:
            raise DefinitionNotFound(f"no job {ref!r}", id=ref)
        return found

    def create_definition(self, principal: Principal, data: dict[str, Any]) -> Definition:
        definition = self._build(principal, data)
        return self.catalog.save(definition, new=True, limit=self.quotas.of(principal.tenant).definitions)

    def update_definition(self, principal: Principal, ref: str, changes: dict[str, Any],
                          expected_version: int | None = None) -> Definition:
        current = self.definition(principal, ref)
        if current.source == "catalog":
            raise Invalid(f"job {current.id!r} is an operator catalog job and cannot be changed", id=current.id)
        kept = {k: v for k, v in dump(current).items() if k in catalog_module.EDITABLE}
        merged = {**kept, **changes, "id": current.id}
        updated = self._build(principal, merged)
        updated = replace(updated, uuid=current.uuid, seq=current.seq, created=current.created,
                          version=current.version + 1)
        return self.catalog.save(updated, new=False,
                                 expected_version=current.version if expected_version is None else expected_version)

    def delete_definition(self, principal: Principal, ref: str) -> None:
        self.catalog.delete(self.definition(principal, ref))

    def describe_step(self, spec: StepSpec) -> str:
        """What a definition's step runs, without its arguments, in its step type's own words
        (the type's `describe(params)`): "" for a type this service does not know."""
        step_type = self.step_types.get(spec.type)
        describe = getattr(step_type, "describe", None)
        return describe(spec.params) if describe else ""

    def _build(self, principal: Principal, data: dict[str, Any]) -> Definition:
        for step in data.get("steps") or []:
            if isinstance(step, dict) and step.get("type") not in self.settings.api_step_types:
                raise Invalid(f"step type {step.get('type')!r} is not allowed for jobs created through the API",
                              details={"steps": [f"allowed: {', '.join(self.settings.api_step_types)}"]})
        try:
            definition = catalog_module.build_definition(data, tenant=principal.tenant, source="api",
                                                         types=self.step_types, settings=self.settings)
        except ValueError as exc:
            field, _, message = str(exc).partition(": ")
            raise Invalid(str(exc), details={field: [message]}) from None
        self.quotas.of(principal.tenant).check_steps(definition.steps, self.step_types)
        return definition

    # -- executions --------------------------------------------------------
    def submit(self, principal: Principal, ref: str, parameters: dict[str, Any] | None = None, *,
               origin: str, client_id: str | None = None, attributes: dict[str, dict] | None = None,
               trigger: str = "api", restart_of: str | None = None, start_at: datetime | None = None,
               after: list[str] = (), expires: datetime | None = None,
               expire_after: float | None = None, queue: str | None = None,
               callback_url: str | None = None) -> Execution:
        """Accept an execution: queued now, at `start_at`, or once every `after` one has succeeded.

        `queue` overrides the definition's RQ queue (a dialect may route by its own notion,
        such as Sahara's cluster ids); `callback_url` is told of its state changes and progress,
        signed with a secret of its own (rules.webhooks). Under a request's Idempotency-Key
        (rules.idempotency), the execution made at this submit's place before is answered again,
        unchecked and uncounted."""
        place = self._place(principal)
        if place is not None and (made := place.earlier(self.redis)):
            return self._made_before(principal, made)
        definition = self.definition(principal, ref)
        if callback_url is not None:
            self.webhooks.check_callback(callback_url)
        check_times(start_at=start_at, expires=expires, expire_after=expire_after)
        if not finite(parameters):
            raise Invalid("parameters hold a number that is not finite", details={"parameters": ["not finite"]})
        if queue is not None and not SLUG.match(queue):
            raise Invalid(f"queue {queue!r} is not a valid queue name", details={"queue": ["must be a slug"]})
        queue = queue or definition.queue
        if len(after) > limits.AFTER_MAX:
            raise Invalid(f"a submit waits for {limits.AFTER_MAX} executions at most", details={"after": ["too many"]})
        prerequisites = [self.get(principal, other) for other in after]
        for prerequisite in prerequisites:
            if prerequisite.finished and prerequisite.state not in SUCCESS:
                raise Invalid(f"prerequisite {prerequisite.id} already ended {prerequisite.state.value}",
                              details={"after": [f"{prerequisite.id} is {prerequisite.state.value}"]})
        waits = bool(start_at or prerequisites)
        stamp = now()
        execution = Execution(
            id=str(uuid.uuid4()), seq=0, definition_id=definition.id,          # the store numbers it
            tenant=principal.tenant, principal=principal.name, client_id=client_id, origin=origin,
            trigger=trigger, state=State.CREATED if waits else State.QUEUED,
            parameters={**definition.parameters, **(parameters or {})},
            created=stamp, queued=None if waits else stamp, modified=stamp, queue=queue,
            steps=[StepExecution(id=s.id, type=s.type, description=s.description) for s in definition.steps],
            restart_of=restart_of, attributes=attributes or {}, after=[p.id for p in prerequisites],
            expires=expires, expire_after=expire_after, callback_url=callback_url,
            callback_secret=signing.new_secret() if callback_url else "")
        quota = self.quotas.of(principal.tenant)
        steps, timeout = quota.bound(definition)
        plan = {"steps": [dump(s) for s in steps], "timeout": timeout,
                "queue": queue, "retries": definition.retries, "retry_delay": definition.retry_delay,
                "start_at": to_ms(start_at), "restartable": definition.restartable}
        enqueue = None if prerequisites else (lambda pipe: self.queue.enqueue(pipe, execution, timeout, start_at))
        with replicated():                # answered once the replicas asked for have it (a failover keeps it)
            stored = self.store.create(execution, plan, exclusive=not definition.allow_concurrent, enqueue=enqueue,
                                       active_limit=quota.executions, place=place)
        if stored != execution.id:        # a restart, or a submit under the same key, made already
            return self._made_before(principal, stored)
        log.info("execution %s of %s submitted by %s (%s)", execution.id, definition.id, principal.name, origin,
                 extra={"execution_id": execution.id, "tenant": principal.tenant})
        if prerequisites:
            self.lifecycle.release_if_ready(execution)   # some may have ended meanwhile
        return execution

    def _place(self, principal: Principal) -> Place | None:
        """The next submit's place under the request's Idempotency-Key, when it carries one."""
        claim = idempotency.current()
        return None if claim is None else Place.of(principal.tenant, claim.key, claim.take(), claim.fingerprint,
                                                   self.settings.idempotency_ttl)

    def _made_before(self, principal: Principal, execution_id: str) -> Execution:
        claim = idempotency.current()
        if claim is not None:
            claim.replayed = True
        return self.get(principal, execution_id)

    def restart(self, principal: Principal, ref: str, *, origin: str) -> Execution:
        """A new execution of an ended one (restart_of set), if its job allows it; only one:
        a restart asked again, or twice at once, gets the one restart made."""
        old = self.get(principal, ref)
        definition = self.definition(principal, old.definition_id)
        if not definition.restartable:
            raise NotRestartable(f"job {definition.id} is not restartable", id=definition.id)
        if old.state not in RESTARTABLE:
            allowed = ", ".join(s.value for s in RESTARTABLE)
            raise NotRestartable(f"job execution {old.id} is {old.state.value}; only {allowed} executions can be restarted",
                                 id=old.id, state=old.state.value)
        return self.submit(principal, definition.id, old.parameters, origin=origin, client_id=old.client_id,
                           attributes=old.attributes, trigger="restart", restart_of=old.id)

    def get(self, principal: Principal, ref: str) -> Execution:
        """One execution of the principal's tenant; an expired one is gone already (the
        maintenance loop purges it soon after)."""
        found = self.store.get(ref) if is_ref(ref) else None
        if found is not None and found.finished and found.expires and found.expires <= now():
            found = None
        if found is None or found.tenant != principal.tenant:
            raise ExecutionNotFound(f"no job execution {ref!r}", id=str(ref))
        return found

    def page(self, principal: Principal, *, definition: str | None = None, state: State | None = None,
             origin: str | None = None, newest_first: bool = True, offset: int = 0, limit: int = 50,
             cursor: int | None = None) -> Page:
        if definition is not None and not SLUG.match(definition):
            return Page([], 0, offset, limit)
        if origin is not None and not SLUG.match(origin):
            raise Invalid(f"unknown origin {origin!r}", details={"origin": ["not a dialect name"]})
        limit = max(1, min(limit, self.settings.page_limit))
        offset = min(max(0, offset), limits.MAX_INT)
        items, total = self.store.page(principal.tenant, definition=definition, origin=origin,
                                       state=state.value if state else None, newest_first=newest_first,
                                       offset=offset, limit=limit, after_seq=cursor)
        return Page(items, total, offset, limit)

    def window(self, principal: Principal, segments: list[list[Slice]], *, offset: int = 0, limit: int = 50,
               newest_first: bool = True, cursor: int | None = None) -> Page:
        """A page of the principal's executions in an order the indexes hold: the segments laid
        end to end, each in seq order (a dialect's sort by status word: one segment per word).
        `cursor` (one segment only): the page after that seq, as `page` pages."""
        segments = self._indexable(segments)
        limit = max(1, min(limit, limits.MAX_INT))
        offset = min(max(0, offset), limits.MAX_INT)
        items, total = self.store.window(principal.tenant, segments, offset=offset, limit=limit,
                                         newest_first=newest_first, after_seq=cursor)
        return Page(items, total, offset, limit)

    def position(self, principal: Principal, segments: list[list[Slice]], execution: Execution, *,
                 newest_first: bool = True) -> int | None:
        """Where one of the principal's executions stands in `window`'s order (None: not in it)."""
        return self.store.windows.position(principal.tenant, self._indexable(segments), execution.id,
                                           execution.seq, newest_first)

    @staticmethod
    def _indexable(segments: list[list[Slice]]) -> list[list[Slice]]:
        """Slices of a definition that is no slug hold nothing: dropped before they reach a key."""
        return [[part for part in segment if part.definition is None or SLUG.match(part.definition)]
                for segment in segments]

    def scan(self, principal: Principal, *, definition: str | None = None, state: State | None = None,
             newest_first: bool = True) -> Iterator[Execution]:
        """Every execution a filter matches, read a page at a time (keyset): for dialects
        whose queries the indexes cannot answer directly."""
        cursor = None
        while True:
            page = self.page(principal, definition=definition, state=state, newest_first=newest_first,
                             limit=self.settings.page_limit, cursor=cursor)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def cancel(self, principal: Principal, ref: str) -> Execution:
        """Queued work leaves its queue at once; running work is asked to stop."""
        execution = self.get(principal, ref)
        if execution.state in (State.CREATED, State.QUEUED):
            try:
                canceled = self.store.transition(
                    execution.id, State.CANCELED, {"ended": to_ms(now()), "canceled_by": principal.name,
                                                   "message": f"canceled by {principal.name}"},
                    allowed=(State.CREATED, State.QUEUED))
            except Conflict as refused:
                if refused.context.get("state") != State.RUNNING.value:
                    raise
            else:
                self.queue.cancel(execution.id)
                self.lifecycle.settle(canceled)
                return canceled
        return self.store.transition(execution.id, None, {"cancel_requested": True, "canceled_by": principal.name},
                                     allowed=(State.RUNNING,))

    def request_cancel(self, principal: Principal, ref: str, attempts: int = 3) -> Execution | None:
        """Cancel it unless it has ended or a cancel is already asked (dialects that cancel whatever
        the state): the execution as it then stands; None if it changed under every attempt."""
        execution = self.get(principal, ref)
        for _ in range(attempts):
            if execution.finished or execution.cancel_requested:
                return execution
            try:
                return self.cancel(principal, execution.id)
            except Conflict:          # it started or ended meanwhile: look again
                execution = self.get(principal, execution.id)
        return None

    def delete(self, principal: Principal, ref: str, expected_version: int | None = None, *,
               when_ended: bool = False) -> None:
        """Only ended executions (with `expected_version`, only if nothing changed it since).

        `when_ended`, for dialects whose delete also stops the work (Sahara): an unfinished
        execution is canceled and removed as soon as it ends."""
        execution = self.get(principal, ref)
        if execution.finished:
            self.store.purge(execution.id, expected_version=expected_version)
            return
        if not when_ended:
            raise NotFinished(f"job execution {execution.id} is {execution.state.value}; cancel it first",
                              id=execution.id, state=execution.state.value)
        try:
            self.store.transition(execution.id, None, {"delete_on_end": True},
                                  allowed=[s for s in State if not s.terminal], expected_version=expected_version)
            self.cancel(principal, execution.id)
        except Conflict:          # it ended meanwhile: remove it now (settle did, if it saw the flag)
            self.store.purge(execution.id, only_ended=True)

    def set_attributes(self, principal: Principal, ref: str, namespace: str, values: dict[str, Any],
                       expected_version: int | None = None) -> Execution:
        """Dialect-only fields, kept per dialect namespace and returned untouched."""
        execution = self.get(principal, ref)
        attributes = {**execution.attributes, namespace: {**execution.attrs(namespace), **values}}
        return self.store.transition(execution.id, None, {"attributes": attributes},
                                     expected_version=expected_version)

    def heartbeat(self, principal: Principal, ref: str) -> Execution:
        """A client's sign of life for a running execution (SAS lets clients post one)."""
        execution = self.get(principal, ref)
        if not self.store.heartbeat(execution.id):
            raise Conflict(f"job execution {execution.id} is {execution.state.value}, not RUNNING",
                           state=execution.state.value)
        return self.store.get(execution.id)

    def set_expiry(self, principal: Principal, ref: str, *, at: datetime | None = None,
                   after_end: float | None = None) -> Execution:
        """Expire at a time, or a duration after the end; then it is gone with its log and result.
        Neither: it no longer expires."""
        check_times(expires=at, expire_after=after_end, allow_past=True)
        execution = self.get(principal, ref)
        if after_end is not None and execution.finished:
            at = execution.ended + timedelta(seconds=after_end)
        if at is None and after_end is None:
            patch = {"expires": None, "expire_after": None}
        else:
            patch = {"expires": to_ms(at)} if at is not None else {"expire_after": after_end}
        return self.store.transition(execution.id, None, patch)

    def log(self, principal: Principal, ref: str, offset: int = 0) -> bytes:
        return self.store.read_log(self.get(principal, ref).id, min(max(0, offset), limits.MAX_INT))

    def result(self, principal: Principal, ref: str):
        return self.store.get_result(self.get(principal, ref).id)

    def result_of(self, execution: Execution):
        """The result of an execution the caller has read already (through `get`, which checked its
        tenant), without reading the execution again: None while it has none."""
        return self.store.get_result(execution.id) if execution.has_result else None

    # -- result records ---------------------------------------------------
    def add_record(self, execution: Execution, keys: dict[str, str], *, failed: bool = False, message: str = "",
                   data: Any = None) -> ResultRecord:
        """A running step's outcome for one item (the worker's call: no principal)."""
        check_record(keys, message, data)
        record = ResultRecord(seq=0, execution_id=execution.id, tenant=execution.tenant,
                              definition_id=execution.definition_id, keys=dict(keys), failed=failed,
                              message=message, data=data, created=now())
        return self.store.results.add(record, terms_of(record))

    def records(self, principal: Principal, ref: str | None = None, *, where: dict[str, list[str]] | None = None,
                failed: bool | None = None, definitions: list[str] | None = None, after: int | None = None,
                limit: int = 100, newest_first: bool = False, accept=None) -> RecordPage:
        """Records of one execution (`ref`) or of the tenant's executions, keyset-paged by seq after
        `after`; `where` matches `keys` exactly (any of a field's values), `accept` filters further."""
        execution_id = self.get(principal, ref).id if ref is not None else None
        groups = [[(field, value) for value in values] for field, values in (where or {}).items()]
        if failed is not None:
            groups.append([(STATUS, "failed" if failed else "ok")])
        if definitions is not None:
            groups.append([(DEFINITION, d) for d in definitions])
        if any(not group for group in groups):
            return RecordPage([], None, 0)
        limit = max(1, min(limit, limits.RECORDS_PAGE_MAX))
        items, more, total = self.store.results.page(
            tenant=principal.tenant, execution_id=execution_id, groups=groups, after=after, limit=limit,
            newest_first=newest_first, accept=accept)
        return RecordPage(items, items[-1].seq if more else None, total)

    # -- dialect documents --------------------------------------------------
    def document(self, principal: Principal, namespace: str, document_id: str) -> dict:
        """One of a dialect's own documents in the principal's tenant (NotFound otherwise)."""
        found = self.documents.get(namespace, principal.tenant, document_id) if is_ref(document_id) else None
        if found is None:
            raise NotFound(f"no {namespace} document {document_id!r}", id=str(document_id))
        return found

    def document_list(self, principal: Principal, namespace: str) -> list[dict]:
        return self.documents.list(namespace, principal.tenant)

    def save_document(self, principal: Principal, namespace: str, document_id: str, data: dict, *,
                      new: bool, expected_version: int | None = None) -> dict:
        if not is_ref(document_id):
            raise Invalid(f"{document_id!r} is not a valid id", details={"id": ["not a valid id"]})
        return self.documents.save(namespace, principal.tenant, document_id, data, new=new,
                                   expected_version=expected_version)

    def delete_document(self, principal: Principal, namespace: str, document_id: str) -> None:
        if not (is_ref(document_id) and self.documents.delete(namespace, principal.tenant, document_id)):
            raise NotFound(f"no {namespace} document {document_id!r}", id=str(document_id))

    def ready(self) -> dict[str, Any]:
        self.redis.ping()
        return {"redis": "ok", "workers": self.queue.live_workers(self.settings.stale_after)}
