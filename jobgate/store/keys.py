"""Every Redis key jobgate writes, named once. All start with PREFIX (RQ's own keys start with "rq:").

Callers pass validated slugs (model.SLUG) and uuids, never raw client text.
"""
PREFIX = "jg:"
ANY = "*"

# -- executions ------------------------------------------------------------
EXECUTION_SEQ = PREFIX + "seq:execution"
SEQ_TO_EXECUTION = PREFIX + "execution-seq"
HEARTBEATS = PREFIX + "heartbeats"
EXPIRIES = PREFIX + "expiries"
INDEX_PREFIX = PREFIX + "ix:"
#: What the stored data has been brought up to: SCHEMA_MARKS once store.windows.build_marks ran.
SCHEMA = PREFIX + "schema"
SCHEMA_MARKS = "marks"
SLOT_PREFIX = PREFIX + "slot:"

# -- event streams (store.events) ---------------------------------------------
TENANT_EVENTS_PREFIX = PREFIX + "events:"
EXECUTION_EVENTS_PREFIX = PREFIX + "events:x:"


def tenant_events(tenant: str) -> str:
    """A tenant's stream of every state, progress and step event of its executions (lua.py builds the same)."""
    return f"{TENANT_EVENTS_PREFIX}{tenant}"


def execution_events(execution_id: str) -> str:
    """One execution's stream: the events of the tenant stream and its log lines (lua.py builds the same)."""
    return f"{EXECUTION_EVENTS_PREFIX}{execution_id}"


# -- workers (store.liveness) ------------------------------------------------
#: RQ worker key -> ms of its last jobgate beat
WORKER_BEATS = PREFIX + "worker-beats"

# -- figures for /metrics (store.metrics) ----------------------------------------
#: every tenant that has submitted an execution
TENANTS = PREFIX + "tenants"
#: the step types whose durations were recorded
STEP_TYPES = PREFIX + "metrics:step-types"
#: Redis errors the workers met, added once Redis was back
WORKER_REDIS_ERRORS = PREFIX + "metrics:worker-redis-errors"


def step_times(step_type: str) -> str:
    """One step type's duration histogram: bucket bound -> count, plus count and sum."""
    return f"{PREFIX}metrics:step-times:{step_type}"


def index(tenant: str, definition: str = ANY, state: str = ANY, origin: str = ANY) -> str:
    """One sorted set per (tenant, definition|*, state|*, origin|*), scored by seq (lua.py builds the same)."""
    return f"{INDEX_PREFIX}{tenant}:{definition}:{state}:{origin}"


def mark(tenant: str, mark: str, definition: str = ANY) -> str:
    """Executions of a tenant (and definition|*) with a mark (model.Mark), scored by seq (lua.py builds the same)."""
    return f"{INDEX_PREFIX}{tenant}:{definition}:~{mark}"


def record(execution_id: str) -> str:
    return f"{PREFIX}execution:{execution_id}"


def log(execution_id: str) -> str:
    return f"{PREFIX}log:{execution_id}"


def result(execution_id: str) -> str:
    return f"{PREFIX}result:{execution_id}"


def plan(execution_id: str) -> str:
    return f"{PREFIX}plan:{execution_id}"


def dependents(execution_id: str) -> str:
    return f"{PREFIX}dependents:{execution_id}"


def process_group(execution_id: str) -> str:
    return f"{PREFIX}pgid:{execution_id}"


def slot(tenant: str, definition_id: str) -> str:
    """Held by the one unfinished execution of a definition that allows no concurrency."""
    return f"{SLOT_PREFIX}{tenant}:{definition_id}"


def idempotency(tenant: str, digest: str) -> str:
    """What one tenant's Idempotency-Key (by its digest) stands for (store.idempotency)."""
    return f"{PREFIX}idem:{tenant}:{digest}"


# -- result records (store.results) -------------------------------------------
RESULT_SEQ = PREFIX + "seq:result"


def results_of_execution(execution_id: str, term: str = ANY) -> str:
    """An execution's records (all, or those with one indexed term), scored by seq."""
    return f"{PREFIX}rx:e:{execution_id}:{term}"


def results_of_tenant(tenant: str, term: str = ANY) -> str:
    """A tenant's records across its executions (all, or with one indexed term), scored by seq."""
    return f"{PREFIX}rx:t:{tenant}:{term}"


def results_data(execution_id: str) -> str:
    """seq -> record JSON."""
    return f"{PREFIX}rdata:{execution_id}"


def results_indexes(execution_id: str) -> str:
    """The index keys holding an execution's records, so a purge finds them all."""
    return f"{PREFIX}rkeys:{execution_id}"


# -- definitions -----------------------------------------------------------
DEFINITION_SEQ = PREFIX + "seq:definition"
DEFINITION_REFS = PREFIX + "definition-refs"          # uuid / "#seq" / "catalog/id" -> owner


def definition(tenant: str, job_id: str) -> str:
    return f"{PREFIX}definition:{tenant}:{job_id}"


def definitions(tenant: str) -> str:
    return f"{PREFIX}definitions:{tenant}"


# -- schedules -------------------------------------------------------------
SCHEDULES_DUE = PREFIX + "schedules:due"


def schedule(tenant: str, schedule_id: str) -> str:
    return f"{PREFIX}schedule:{tenant}:{schedule_id}"


def schedules(tenant: str) -> str:
    return f"{PREFIX}schedules:{tenant}"


# -- tokens ----------------------------------------------------------------
def token(digest: str) -> str:
    return f"{PREFIX}token:{digest}"


# -- dialect documents (store.documents) -------------------------------------
def documents(namespace: str, tenant: str) -> str:
    """A dialect's own documents of one tenant (SAS job requests): a hash id -> JSON."""
    return f"{PREFIX}documents:{namespace}:{tenant}"


# -- failed logins (store.attempts) ------------------------------------------------
def login_failures(scope: str, digest: str) -> str:
    """How many logins of one subject (a user, an address, or both) failed lately."""
    return f"{PREFIX}login:{scope}:{digest}"


def login_wait(scope: str, digest: str) -> str:
    """Present (with a TTL) while that subject must wait before its next login."""
    return f"{PREFIX}login-wait:{scope}:{digest}"


# -- webhooks (store.webhooks, store.feed) -------------------------------------
#: delivery id -> due time (ms); a worker delivering one holds it by moving it a lease ahead
WEBHOOKS_DUE = PREFIX + "webhooks:due"
#: the consumer group the workers read the tenants' event streams in
WEBHOOKS_GROUP = "webhooks"


def webhooks(tenant: str) -> str:
    """A tenant's subscriptions: a hash id -> JSON."""
    return f"{PREFIX}webhooks:{tenant}"


def delivery(delivery_id: str) -> str:
    return f"{PREFIX}delivery:{delivery_id}"


def deliveries(tenant: str, target: str) -> str:
    """The delivery log of one subscription (or an execution's callback): ids scored by creation ms."""
    return f"{PREFIX}deliveries:{tenant}:{target}"
