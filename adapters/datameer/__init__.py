"""Datameer X REST API: job commands, v1 (`/rest`) and v2 (`/api/job-execution`).

API and version: the v1 job commands of Datameer 2.x-7.x (still served by 10.x/11.x and called by the
official Ruby client) and the v2 "REST-v2 plugin" job execution API (Datameer 7.2.5 and later).
Paths, v1: ``GET /rest/job-configuration/job-status/{configuration id}`` (``{"id", "jobStatus"}`` of the latest
run, ``{}`` when never run), ``GET /rest/job-configuration/job-history/{configuration id}?start=&length=``
(``[{"id", "jobStatus"}]`` newest first), ``GET /rest/job-execution/job-details/{execution id}``,
``GET /rest/jobs/list-running``, ``POST /rest/job-execution?configuration={id}`` (also with ``/`` before ``?``,
never redirected), ``POST /rest/job-execution/job-kill/{execution id}``, ``DELETE /rest/data/{execution id}``.
v2: ``GET /api/job-execution/{file}/status``, ``POST .../{file}/trigger``, ``POST .../{file}/stop`` (empty body),
``GET /api/job-execution/list-running``, ``POST /api/job-execution/sequential-trigger``.
Auth: HTTP Basic with a principal's name and password on every request; none or wrong is 401 with
``WWW-Authenticate: Basic realm="Datameer"``.
Id style: configuration / file ids are the definition's integer ``seq``, execution ids the execution's ``seq``;
v2 ``{file}`` is that integer, the definition's uuid, or a path (URL-encoded or not, leading ``/`` optional):
``attributes.datameer.path`` of the definition, else ``/Data/Jobs/{definition id}``.
State map (``wire.STATES``, v1): CREATED -> WAITING_FOR_OTHER_JOB when chained after another run, else QUEUED;
QUEUED -> QUEUED, RUNNING -> RUNNING, SUCCEEDED -> COMPLETED, SUCCEEDED_WITH_WARNINGS -> COMPLETED_WITH_Warnings
(mixed case, as documented), FAILED and DIED -> ERROR, CANCELED -> CANCELED. v2 (``wire.V2_STATES``): the same
upper case (COMPLETED_WITH_WARNINGS), CREATED -> QUEUED, and ``_NONE`` for a file never run.
Documents: pretty-printed, one property per line, ``": "`` (shell clients grep ``"jobStatus": `` lines). v2 dates
``Sep 28, 2018 6:44:56 PM``, v1 job-details dates ``2012-07-06 18:19:09.0``, both in ``JOBGATE_DATAMEER_TIMEZONE``
(an IANA zone, default UTC), since Datameer prints server-local time without a zone.
Faults: v1 ``{"error": text}``, v2 ``{"status": "failure", "reason": text}``; 400 bad input, 401, 404 unknown id or
another tenant's, 409 (job allows one run and one is running; stop of an ended run; delete of a running one),
429 after repeated wrong passwords (with Retry-After: the kit's login throttle) or over the tenant's quota of
unfinished runs, 503 store unreachable, 500 with a request id.
Choices where the reference is [unknown]:
  v1 trigger answers 200 ``{"id", "jobStatus"}`` of the new run (clients need a 200 and JSON); job-kill answers 200
  ``{"id", "jobStatus"}`` (CANCELED, or RUNNING while the work stops), 409 once the run has ended; "Delete Job" is
  ``DELETE /rest/data/{execution id}`` (the official client's delete_job_data): it removes an ended run (200
  ``{"id"}``), 409 while it runs; job history pages with ``start`` (default 0) and ``length`` (1..200, default 25);
  job-details carries ``id``, ``jobConfigurationId`` (as list-running items do), ``message``
  (why the run ended as it did) and counters RECORDS, DROPPED_RECORDS, TOTAL_RECORDS from progress plus the integer
  entries of the run's result object; successCount is processed minus failed records; list-running (v1) items are
  ``{"id", "jobConfigurationId", "jobStatus"}``, v2 list-running is ``{"status", "job-executions": [status
  documents without "status"]}``; v2 stop answers 200 with an empty body and stops every unfinished run of the
  file, 409 ``Job isn't running`` when there is none; the sequential trigger is ``POST
  /api/job-execution/sequential-trigger`` with ``{"files": [file, ...]}`` (ids, uuids or paths): every file is
  resolved before anything runs, each run waits for the one before to complete and is canceled when it fails,
  and it answers the first run's triggered document plus ``"job-executions": [{"file-id", "job-execution-id"}]``;
  ``estimate-time`` is the remaining time projected from the time spent and the percent done (``0s`` before any
  progress); fault statuses are the ones above with v2's documented reason for an unknown file.
Not supported: job configuration CRUD, workbooks, data downloads, volume reports and the rest of Datameer's
REST API (jobgate runs catalog and API-defined jobs, not Datameer artifacts); restarts (no Datameer command);
Spring session cookies and ``/j_spring_security_logout`` (Basic on every request is what the clients send).
"""
from adapters.datameer import api, faults, rest, schemas, wire
from adapters.datameer.config import Config
from jobgate.kit import ids
from jobgate.kit.credentials import BASIC
from jobgate.kit.dialect import Dialect, Mount


class Datameer(Dialect):
    name = "datameer"
    title = "Datameer REST API: job commands"
    version = "7.2.5"
    prefix = "/rest"
    credentials = (BASIC,)
    error_schema = schemas.ErrorRecord
    auth = "HTTP Basic (`curl -u name:password`)"
    capabilities = frozenset({"cancel", "delete"})
    states = wire.STATES
    faults = faults.FAULTS
    ids = ids.SEQ
    paging = "start/length"
    settings = Config
    example = "curl -u <name>:<password> {base}/rest/jobs/list-running"

    def mounts(self):
        return [Mount(rest.blp, self.prefix), Mount(api.blp, "/api/job-execution", render_fault=faults.render_v2,
                                                           fault_schema=schemas.Failure)]

    def render_fault(self, fault):
        return faults.render_v1(fault)


dialect = Datameer()
