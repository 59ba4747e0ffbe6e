"""Salesforce B2C Commerce OCAPI Data API: jobs and job executions.

API and version: OCAPI Data API, versions 17.2 to 25.10 (``v17_2`` .. ``v25_10`` in the URL), echoed as
``"_v": "17.2"`` in every document and fault; any other version segment gets ``400 InvalidVersionException``.
Paths: under ``/dw/data/{version}`` and ``/s/{site}/dw/data/{version}`` (any site, ``-`` included):
``GET|POST /jobs/{job_id}/executions``, ``GET|DELETE /jobs/{job_id}/executions/{id}``,
``POST /job_execution_search``. Also ``POST /dwsso/oauth2/access_token`` (Account Manager-style tokens) and
``GET /on/demandware.servlet/webdav/Sites/Impex/log/{log_file_name}`` or ``.../Sites/LOGS/jobs/{job_id}/{name}``
(the execution log). JSON only.
Auth: ``Authorization: Bearer <token>``: a principal's static token, or one issued by the token endpoint
(grant ``client_credentials``, HTTP Basic with the principal's name and password as client id and secret).
``client_id``: the token's client (issued tokens), else ``client_id`` query, else ``x-dw-client-id``, else the
principal's name.
Id style: execution ids are the canonical integer ``seq`` as a decimal string; jobs by their exact id; an
execution is found only under its own job. Step records get ids ``{execution id}-{n}``.
Paging: ``start`` (>= 0) and ``count`` (1..200, default 25 [inferred]), newest first [inferred]; results carry
``count``, ``start``, ``total`` and ``next``/``previous`` as ``{count, start}`` pages [inferred shape].
State map (``mapping.STATES``): CREATED/QUEUED ``pending``, RUNNING ``running``, SUCCEEDED ``finished`` + OK,
SUCCEEDED_WITH_WARNINGS ``finished`` + WARN, FAILED ``finished`` + ERROR, CANCELED ``aborted`` + ABORTED,
DIED ``unknown`` + ERROR (exit codes of the last three have ``status: error``) [inferred]. ``status`` is RUNNING or
PENDING while executing, the exit code afterwards.
Faults: ``{"_v", "fault": {"arguments", "type", "message"}}`` with named string arguments (17.2 samples);
see ``faults.FAULTS``. The token endpoint answers OAuth 2 errors (``invalid_client`` ...) like Account Manager.
Choices where the reference is [unknown]/[inferred]:
  POST answers 200, 202 for ``sfcc-*`` system jobs; a ``null`` body means no parameters; a parameter ``value``
  of ``null`` (sfcc-ci's ``job:run Job flag``) is taken as ``""``; an invalid body that is still JSON is
  ``BodyDecodingException``, an unknown property ``UnknownPropertyException`` (sfcc-ci's site-import retry needs
  it); ``step_executions`` and ``execution_scopes`` (always ``["Organization"]``) appear once the execution left
  pending, one record per definition step; ``parameters`` shows from 23.2 and ``log_file_path`` from 25.6 (where
  the reference first sees them); ``log_file_name`` uses the creation time, so two executions of one job created
  in the same millisecond share a log name (the WebDAV lookup then serves the first found);
  ``_resource_state`` is a SHA-256 over the execution's uuid and canonical version, on single documents only,
  checked against ``x-dw-resource-state`` on DELETE (409 ``ResourceStateConflictException``); 401 types are
  ``InvalidAuthorizationHeaderException`` (no or malformed header) and ``InvalidAccessTokenException`` (unknown or
  expired token); ``format=xml`` or an Accept without JSON is ``415 UnsupportedMediaTypeException``, no public
  source showing OCAPI's XML rendering; faults outside the Data API (WebDAV) carry no ``_v``.
Not supported: restarting (OCAPI documents no restart request; ``is_restart`` shows restarts made elsewhere),
canceling (no OCAPI endpoint), system job documents (``sfcc-site-archive-*`` bodies), XML, HTTP method override,
``display_locale``, ``select``/``expand`` (accepted, ignored), the 25.6-only properties (``retry_information``,
``status_metadata``, ``continue_information`` ...), OCAPI settings (resource permissions) and
``grant_type=password``/refresh tokens: jobgate has principals and tenants, not Business Manager users.
"""
from adapters.ocapi import faults, mapping, routes, token, webdav
from jobgate.kit import ids, oauth
from jobgate.kit.dialect import Dialect, Mount


class Ocapi(Dialect):
    name = "ocapi"
    title = "OCAPI Data API: jobs"
    version = "25.10"
    prefix = "/dw/data"
    auth = "`Authorization: Bearer` (static, or from `/dwsso/oauth2/access_token`)"
    capabilities = frozenset({"delete", "log", "steps"})
    states = mapping.STATES
    faults = faults.FAULTS
    ids = ids.SEQ
    paging = "start/count"
    example = "curl -X POST -H 'Authorization: Bearer {token}' {base}/s/-/dw/data/v19_5/jobs/CleanupJob/executions"

    def mounts(self):
        return [Mount(routes.blp, self.prefix), Mount(routes.blp, "/s/<site>/dw/data", name="ocapi_site"),
                Mount(token.blp, token.PREFIX, render_fault=oauth.render_error), Mount(webdav.blp, webdav.PREFIX)]

    def render_fault(self, fault):
        return faults.render(fault)


dialect = Ocapi()
