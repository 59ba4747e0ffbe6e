"""SAS Viya Job Execution API (REST API version 7), as SAS clients call it.

API and version: SAS Viya 4 Job Execution, service root ``/jobExecution`` (API version 7),
for sasctl's generic ``Session`` / ``get`` / ``post`` / ``request_link`` calls and SAS's
pyviyatools scripts.
Paths: ``/jobExecution[/]`` (GET/HEAD), ``/apiMeta``; ``/jobs`` (GET list, POST submit 201 or,
with a text/plain filter body, a query), ``/jobs/@selection/state`` (PUT), ``/jobs/{id}``
(GET/HEAD, PUT with If-Match or If-Unmodified-Since, DELETE 204), ``/jobs/{id}/state`` (GET,
PUT), ``/heartbeatTimeStamp`` (GET, POST), ``/expirationTimeStamp`` (GET, PUT);
``/jobRequests`` (GET, POST 201), ``/jobRequests/{id}`` (GET [summary by Accept], PUT, DELETE),
``/jobRequests/{id}/jobs`` (GET, POST 201 or text/plain query), ``/jobRequests/@selection/jobs``;
``/providers[/{id}]``. Beside it, where SAS clients look: ``/jobDefinitions/definitions[/{id}]``
(GET list and one, POST 201, PUT with If-Match or If-Unmodified-Since, DELETE 204; catalog jobs
refuse PUT and DELETE), ``/files/files/{id}[/content]`` (a job's log), and a SAS Logon-style
``POST /SASLogon/oauth/token``.
Auth: ``Authorization: Bearer`` (scheme in any case) with a principal's static token or one
from ``/SASLogon/oauth/token``: ``grant_type=password`` (form username and password, the client
in HTTP Basic, e.g. sasctl's ``sas.ec:``; jobgate keeps no client registry, so the client id is
not checked) or ``client_credentials`` (Basic = principal name and password). Tokens expire
after ``JOBGATE_TOKEN_TTL``. A missing or invalid token is a 401 error2 document.
Id style: jobs by uuid (sasctl only fetches by id when the id is a uuid); definitions by the
definition's stable uuid; job requests by a generated uuid.
State map (``wire.STATES``): CREATED/QUEUED -> pending, RUNNING -> running, SUCCEEDED[_WITH_WARNINGS]
-> completed, FAILED -> timedOut when the run hit its time limit (exit code 124) and failed
otherwise, CANCELED -> canceled, DIED -> failed (the reason in ``error``).
Faults: error2 documents (``application/vnd.sas.error+json``) with SAS's errorCodes (0 generic,
1010 precondition required, 1013 precondition failed, 1100 bad filter, 1125/1126 negative
start/limit, 31501 job finished, 31503 expiration before the end, 31504 bad timestamp, 31505 no
state, 31506 unknown state); the text/plain sub-resources answer ``ErrorResponse[...]`` text.
Lists: ``start``/``limit`` (default 0/10), ``filter`` (``filters``), basic filtering (a member as a
query parameter, ``?createdBy=dale``; the reference leaves open whether jobExecution honours it,
SAS's filtering convention documents it) and ``sortBy``; paging links
carry the whole query with ``start`` before ``limit``; a page past the end is 200 with no items.
Job lists use the store's indexes for state and definition (``listing``).
Configuration: ``JOBGATE_SAS_JOB_TYPES``, a JSON object of SAS definition type -> step
(``{"type", "params"}``, a type in ``JOBGATE_API_STEP_TYPES``); definitions of other types are
refused at ``POST /jobDefinitions/definitions``. A definition's ``code`` is kept as an attribute
and shown back, never run.
Choices where SAS's reference is silent ([inferred]/[unknown] there): ``PUT …/state`` answers
the job's state after the request as text/plain, and only ``canceled`` may be requested
(another valid word is 400 31506: the workers set states); ``DELETE`` of an unfinished job
cancels it and removes it once it stops; ``results`` of an ended job hold ``COMPUTE_JOB`` (the
job id, which pyviyatools reads), ``<id>.log.txt`` -> its ``logLocation`` and ``result.json``
(the run's result data as JSON text); ``heartbeatInterval`` is 0 (jobgate's workers keep the
liveness themselves); catalog definitions have type ``jobgate`` and their catalog id as name;
an embedded ``jobDefinition`` must carry a stored definition's id; a job's ``name`` and
``jobDefinitionUri`` filter members mean ``jobRequest.name`` / ``jobRequest.jobDefinitionUri``;
``Accept: application/json`` is answered as ``application/json``, other accepted types with the
vnd type; ETags are the record's version, ``"<n>"``. The heartbeat of a job that is not
running yet is 409.
Not supported: ``Delegate-Domain`` is accepted and ignored; ``annotationUri`` and
``parentFolderUri`` are accepted and ignored (there are no annotations or folders);
``export``/``import`` of job requests; the ``Accept-Item`` header of ``/providers``.
"""
from adapters.sas import definitions, faults, files, jobrequests, logon, routes, schemas, wire
from adapters.sas.config import Config
from jobgate.kit import ids
from jobgate.kit.dialect import Dialect, Mount


class Sas(Dialect):
    name = "sas"
    title = "SAS Viya Job Execution"
    version = "7"
    prefix = wire.ROOT
    auth = "`Authorization: Bearer` (static, or from `/SASLogon/oauth/token`)"
    capabilities = frozenset({"definitions", "cancel", "delete", "log", "result"})
    states = wire.STATES
    faults = faults.FAULTS
    ids = ids.UUID
    paging = "start/limit"
    settings = Config
    error_schema = schemas.Error2
    example = "curl -H 'Authorization: Bearer {token}' {base}/jobExecution/jobs"

    def mounts(self):
        return [Mount(routes.blp, self.prefix), Mount(jobrequests.blp, self.prefix),
                Mount(definitions.blp, definitions.PREFIX), Mount(files.blp, files.PREFIX),
                Mount(logon.blp, logon.PREFIX, render_fault=logon.render_fault,
                      fault_schema=schemas.OAuthError)]

    def render_fault(self, fault):
        return faults.render_fault(fault)


dialect = Sas()
