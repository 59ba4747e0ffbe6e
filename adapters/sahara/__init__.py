"""OpenStack Data Processing (Sahara EDP) API v1.1: job executions and jobs (templates).

API and version: Sahara EDP v1.1, wire-compatible with python-saharaclient 4.2 and
``openstack dataprocessing job ...``; mounted at ``/v1.1``.
Paths: ``/v1.1/{tenant_id}/job-executions[/{id}]`` (GET, PATCH 202, DELETE 204),
``.../{id}/refresh-status`` and ``.../{id}/cancel`` (both GET), ``/jobs[/{id}]`` (GET, POST 202,
PATCH 202, DELETE 204), ``/jobs/{id}/execute`` (POST 202), ``/jobs/config-hints/{type}``, ``/job-types``;
and a minimal Keystone v3 at ``/identity/v3`` (version document, ``POST /auth/tokens``).
Auth: ``X-Auth-Token`` (a principal's static token, or one issued by ``/identity/v3/auth/tokens``
for a user name and password, scoped to the principal's tenant as project; it expires after
``JOBGATE_TOKEN_TTL``). The URL's ``{tenant_id}`` must be the token's tenant, else 401.
Id style: executions by uuid (their integer seq also resolves); jobs by the definition's stable
uuid. Templates created here get a generated definition id and keep their Sahara name (renames
free the old name); catalog jobs show their id as name, since a title may have spaces.
DELETE of an unfinished execution cancels it and removes it once it has stopped (204), as
Sahara deletes in the background.
Paging: ``limit`` + exclusive ``marker`` with ``markers: {prev, next}`` present when either is set
or a marker was sent; ``sort_by`` (``-`` for descending): executions ``id``, ``job_template``,
``cluster``, ``status``, jobs ``id``, ``name``, ``type``, ``created_at``, ``updated_at``; other
query keys filter on the object's scalar fields, ``status`` case-insensitively, ``job.name`` as a
regex. Unsorted lists are in creation order.
State map (``mapping.STATES``): CREATED/QUEUED -> PENDING, RUNNING -> RUNNING (TOBEKILLED once a
cancel is asked), SUCCEEDED[_WITH_WARNINGS] -> SUCCEEDED, FAILED -> DONEWITHERROR when the failing
step's process exited non-zero and FAILED otherwise, CANCELED -> KILLED, DIED -> FAILED with the
reason in ``info.message``.
Faults: ``{"error_code", "error_name", "error_message"}`` (message ends with ``Error ID: <request id>``);
names in ``faults.FAULTS`` plus CANCELING_FAILED, DELETION_FAILED, UPDATE_FAILED,
INVALID_JOB_STATUS, INVALID_REFERENCE, NAME_ALREADY_EXISTS; VALIDATION_ERROR for a body or query
that fails its schema. UNAUTHORIZED and ALREADY_RUNNING are jobgate's names (Sahara has none).
A tenant's quota (unfinished executions, jobs) is Sahara's QUOTA_ERROR, 400 like every Sahara refusal.
Keystone faults use Keystone's ``{"error": {"code", "title", "message"}}``; a throttled login is 429
Too Many Requests with Retry-After.
Configuration: ``JOBGATE_SAHARA_JOB_TYPES``, a JSON object of Sahara job type -> step
(``{"type", "params"}``, a type in ``JOBGATE_API_STEP_TYPES``), e.g.
``{"Shell": {"type": "python", "params": {"callable": "examples.jobs:import_customers"}}}``;
job types left out (all, by default) are refused at ``POST /jobs`` and absent from ``/job-types``;
``JOBGATE_SAHARA_CLUSTER_QUEUES``, a JSON object of cluster id -> RQ queue (any other cluster id
runs on the job's own queue, ``default`` unless the catalog says otherwise).
Executions take ``job_configs.configs`` and ``.params`` (params win) as parameters, ``args`` as
the ``args`` parameter.
Not supported: clusters, data sources and job binaries (ids are kept and echoed, never resolved:
``cluster_id`` stays required, ``mains``/``libs`` show as ``{id, name}``); suspend (400
INVALID_REFERENCE, as for an engine without it); other tenants' ``is_public`` executions
and templates stay invisible: jobgate keeps tenants apart (a tenant never sees another's
jobs), which outranks Sahara's sharing.
"""
from adapters.sahara import faults, identity, mapping, routes
from adapters.sahara.config import Config
from jobgate.kit import ids
from jobgate.kit.credentials import api_key
from jobgate.kit.dialect import Dialect, Mount


class Sahara(Dialect):
    name = "sahara"
    title = "OpenStack Data Processing (Sahara EDP)"
    version = "1.1"
    prefix = "/v1.1"
    credentials = (api_key("X-Auth-Token"),)
    auth = "`X-Auth-Token` (static, or from Keystone v3 `/identity/v3`)"
    capabilities = frozenset({"definitions", "cancel", "delete", "cursor_paging"})
    states = mapping.STATES
    faults = faults.FAULTS
    ids = ids.ANY
    paging = "limit/marker"
    settings = Config
    example = "curl -H 'X-Auth-Token: {token}' {base}/v1.1/{tenant}/job-executions"

    def mounts(self):
        return [Mount(routes.blp, self.prefix),
                Mount(identity.blp, identity.PREFIX, render_fault=identity.render_fault)]

    def render_fault(self, fault):
        return faults.render_fault(fault)


dialect = Sahara()
