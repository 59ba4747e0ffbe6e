"""CDQ AG Jobs Management API (2): jobs, job results, processing logs and scheduled jobs.

API and version: CDQ "Jobs Management API (2)", mounted at ``/cdq`` (a client's server URL is
``{gateway}/cdq/``, as the portal's mock server URL also carries a path); JSON only.
Paths, documented by CDQ and kept byte-exact: ``PUT /jobs/{jobId}/resultdata`` (``{"resultData"}`` up to
65535 characters, 200 with the Job), ``POST /jobs/results/fetchLast`` (``{"jobType", "storageId"}``, 200 with the
last JobResult), ``GET /jobs/{jobId}/results`` (``storageId`` required; ``businessPartnerId[]``,
``dataSourceId``, ``externalId[]``, ``status``, ``startAfter``, ``limit`` <= 5000), ``GET /v2/jobs/types``.
Paths CDQ does not publish, designed like the documented ones [inferred]:
  ``POST /v2/jobs`` Start Job (StartJobRequest: ``type`` required, the id of a catalog job, else 400;
  ``input`` object = the job's parameters; ``name``, ``description``, ``organizationId`` (must be the caller's),
  ``workspaceId``, ``storageId`` (``resultStorageId`` stands in for it), ``tags`` <= 50, ``labels`` <= 50 objects,
  ``jobDependencies`` <= 8 ``{"jobId"}``: it runs once each has FINISHED; ``commands``, ``dockerImageUrl``,
  ``domain``, ``environmentVariables``, ``inputUri``, ``resourceRequest`` kept and shown back untouched; other
  fields ignored) -> 200 Job;
  ``GET /v2/jobs`` List Jobs (``user``, ``organizationId``, ``storageId``, ``jobType[]`` <= 100, ``jobStatus[]``
  <= 50, ``tags[]`` (OR, AND with feature ``TAGS_CONJUNCTION``), ``sort=createdAt|-createdAt`` (ascending by
  default), ``limit`` 1..100 (default 25), ``startAfter`` = the id of the last job seen, ``features[]``
  (``NUMBER_OF_TOTAL`` adds ``total``)) -> ``{startAfter, nextStartAfter, limit, total, values}``;
  ``nextStartAfter`` is absent on the last page;
  ``GET /v2/jobs/{jobId}`` Read Job; ``PUT /v2/jobs/{jobId}`` Update Job (``name``, ``description``, ``tags``,
  ``labels``: given fields replace, others stay; 200 Job); ``DELETE /v2/jobs/{jobId}`` (204, only once ended:
  409 ``JOB_NOT_FINISHED`` before); ``POST /v2/jobs/{jobId}/cancel`` (200 Job; 409 once ended);
  ``POST /cdq/oauth/token`` the OAuth 2 token endpoint;
  ``GET|POST /v2/jobs/scheduled``, ``GET|DELETE /v2/jobs/scheduled/{scheduledJobId}``,
  ``POST /v2/jobs/scheduled/{scheduledJobId}/pause`` and ``/resume`` Scheduled Jobs: the body is
  ``{"scheduledJob": {name, description, organizationId, workspaceId, clientId, cronExpression, type, input,
  storageId, tags, labels}}`` (``cronExpression``: five cron fields, or six with seconds); a scheduled job is
  ``{id (uuid), ..., status ACTIVE|PAUSED, nextRunAt, createdAt, user}``; each due time starts one job of
  ``type`` with ``input``, showing the scheduled job's name, description, workspaceId, storageId, tags and
  labels; lists page by ``startAfter``/``limit`` (``{startAfter, nextStartAfter, limit, values}``); 200 for
  create, pause, resume, 204 for delete (the jobs it started stay);
  ``GET /jobs/processinglogs/{storageId}/{processingLogId}`` List Processing Log Data: the job results of the
  storage's FINISHED jobs of the log's job types (``CURATION_LOG`` <- DATA_CURATION_JOB, ``VALIDATION_LOG`` <-
  DATA_VALIDATION_JOB, any other ``X_LOG`` <- ``X_JOB``); query ``businessPartnerId[]``, ``dataSourceId[]``,
  ``externalId[]`` (<= 500 each), ``status``, ``createdAtFrom``/``createdAtTo``, ``resultDataFields[]`` (keep
  only these fields of each resultData object), ``excludeFeatures[]`` (``FETCH_RESULT_DATA``: no resultData,
  ``NUMBER_OF_TOTAL``: no total), ``startAfter``, ``limit`` <= 5000; items are JobResults plus ``storageId``,
  ``processingLogId``, ``createdAt``; an unknown processingLogId is 404.
Job results are the core's result records that a job's steps write (``ctx.record(keys, failed=, message=,
data=)``): the keys ``storageId`` (the step writes it, as CDQ's job-results library does), ``businessPartnerId``,
``externalId``, ``dataSourceId``, ``addressId``, ``addressExternalId``, ``countryShortName``; ``data`` is
``resultData`` (JSON text unless a string). A result's id is its record seq as 24 hex digits, so ids sort in
writing order and ``startAfter`` is exclusive; ``nextStartAfter`` is the last id of a page when more follow
(absent on the last page; ``USE_NEXT_START_AFTER`` is accepted: the two are the same id here). ``total`` is given
when the store's indexes count the filter (one array filter at most), else left out. ``limit`` defaults to 100.
Array query parameters are accepted repeated (``jobType=A&jobType=B``), comma-separated (``jobType=A,B``) or both.
Auth: ``X-API-KEY: <key>`` (a principal's token) or ``Authorization: Bearer <token>`` (a principal's token or one
from ``POST /cdq/oauth/token``, grant ``client_credentials`` with the principal's name and password as client id
and secret, in HTTP Basic or as ``client_id``/``client_secret`` form fields). The organization
(``organizationId``) is the principal's tenant; another organization's jobs are 404, as missing ones.
Id style: jobs by the canonical uuid; any other id is 404 NOT_FOUND.
State map (``wire.STATES``): CREATED (waiting on a time, a dependency or a slot) WAITING, QUEUED SCHEDULED,
RUNNING RUNNING, SUCCEEDED[_WITH_WARNINGS] FINISHED, FAILED FAILED, CANCELED CANCELED, DIED DIED (a dead
worker). ``lastJobStatus`` is the status before the current one as the record's timestamps tell it (absent for a
first status). UNKNOWN, CREATED and PERSISTED are accepted as filters and match no job (jobgate has no such
states; the reference's "PENDING" for new jobs is not a JobStatus: a new job shows SCHEDULED).
Job document: ``id``, ``type`` (the catalog job), ``name``, ``description``, ``jobStatus``, ``lastJobStatus``,
``message``, ``progress`` (0-100), ``totalItems``/``processedItems``/``failedItems`` (the steps' progress; absent
until a step reports a total), ``createdAt``, ``modifiedAt``, ``startedAt``, ``finishedAt``, ``expiresAt``,
``user`` (the principal), ``organizationId``, ``workspaceId``, ``storageId``, ``tags``, ``labels``, ``resultData``
(as PUT, else the steps' result as JSON text), ``jobDependencies`` (``[{"jobId"}]``); fields jobgate has no value
for (``reportUri``, ``attachments``, ``metrics``, ``locks``, ``volumes`` ...) are left out.
Timestamps ``YYYY-MM-DDTHH:MM:SSZ``; integers are JSON numbers (the portal's examples show strings).
Faults: ``{"code", "technicalKey", "message"}`` with CDQ's code table (``wire.CODES``: 40000000 BAD_REQUEST,
40100000 UNAUTHORIZED, 40400000 NOT_FOUND, 42900000 TOO_MANY_REQUESTS (the tenant's quota of unfinished jobs),
50000000 INTERNAL_SERVER_ERROR, 50300000 SERVICE_UNAVAILABLE ...; 40300000 FORBIDDEN for its schedule quota;
jobgate's JOB_ALREADY_RUNNING 40900001, JOB_NOT_FINISHED 40900002 and IDEMPOTENCY_KEY_REUSED 40900003 follow
its pattern [inferred]); a validation
message starts with the field it names (``limit: ...``). The token endpoint answers RFC 6749 error documents.
Not supported: ``IGNORE_ORGANIZATION_RESTRICTIONS`` (accepted, ignored: tenants never see each other's jobs),
SOAP, Docker images, resource requests and locks (jobgate runs catalog jobs on RQ workers; the fields are kept
and shown), ``GET /jobs/results/{storageId}`` (its method and query are not published).
"""
from adapters.cdq import faults, processing_logs, results, routes, scheduled, schemas, token, wire  # noqa: F401  (they add their routes to routes.blp)
from jobgate.kit import ids
from jobgate.kit.credentials import BEARER, api_key
from jobgate.kit.dialect import Dialect, Mount


class Cdq(Dialect):
    name = "cdq"
    title = "CDQ Jobs Management API (2)"
    version = "2"
    prefix = "/cdq"
    credentials = (api_key("X-API-KEY"), BEARER)
    auth = "`X-API-KEY` or `Authorization: Bearer` (static, or from `/cdq/oauth/token`)"
    capabilities = frozenset({"cancel", "delete", "result", "cursor_paging", "schedules"})
    states = wire.STATES
    faults = wire.FAULTS
    ids = ids.UUID
    paging = "startAfter/nextStartAfter"
    error_schema = schemas.Error
    example = "curl -H 'X-API-KEY: {token}' {base}/cdq/v2/jobs"

    def mounts(self):
        return [Mount(routes.blp, self.prefix), Mount(token.blp, token.PREFIX, render_fault=faults.render_oauth,
                                                       fault_schema=schemas.OAuthError)]

    def render_fault(self, fault):
        return faults.render(fault)


dialect = Cdq()
