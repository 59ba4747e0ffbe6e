"""Every route of every mounted dialect, called the way that dialect's clients call it.

The routes come from the app's url_map, so a route added later is called too.
What a call needs (path values, the credential style, a body) comes from the
tables below; a route they cannot serve fails loudly ("add it here") rather
than being left out. Used by the outage tests and the guard test.
"""
from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import requests

from jobgate.kit.docs_page import ASSETS
from jobgate.testing.parts import TOKENS

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: health probes, metrics and static files are outside every dialect (their docs pages are skipped per dialect)
OUTSIDE = {"/healthz", "/readyz", "/metrics", "/static/<path:filename>"}
TENANT = "acme"
LOGIN = ("alice", "s3cret")
#: a Sahara cluster id (jobgate keeps it, never resolves it)
CLUSTER = "811e1134-666f-4c48-bc92-afb5b10c9d8c"
#: a CDQ storage id (where a job's results go)
STORAGE = "swept-storage"
#: a webhook subscription (to a loopback port where nothing listens: the suite's allow-list admits 127.0.0.1)
WEBHOOK = {"url": "http://127.0.0.1:9/swept", "events": ["state"]}
#: the Sahara job types the sweep's gateway must serve (JOBGATE_SAHARA_JOB_TYPES), so POST /jobs is valid
SAHARA_JOB_TYPES = {"Shell": {"type": "python", "params": {"callable": "jobgate.testing.jobs:count"}}}
#: routes that answer from configuration alone and so keep answering while Redis is away
NO_STORE = {
    ("GET", "/identity/v3"),                                        # Keystone's version document
    ("GET", "/v1.1/<tenant_id>/job-types"),                         # the operator's job-type table
    ("GET", "/v1.1/<tenant_id>/jobs/config-hints/<job_type>"),      # the same table, per type
    ("GET", "/jobExecution"), ("GET", "/jobExecution/"),             # SAS's service root: links only
    ("GET", "/jobExecution/apiMeta"),                                 # its build and API version
    ("GET", "/jobExecution/providers"),                               # the one provider: jobgate itself
    ("GET", "/jobExecution/providers/<provider_id>"),
}


# -- each dialect's fault document, as its clients read it -------------------------

def _native(body) -> bool:
    return body["error"]["code"] == "unavailable" and isinstance(body["error"]["message"], str)


def _ocapi(body) -> bool:
    return isinstance(body["fault"]["type"], str) and isinstance(body["fault"]["message"], str)


def _oauth(body) -> bool:
    return isinstance(body["error"], str) and isinstance(body.get("error_description"), str)


def _sahara(body) -> bool:
    return set(body) == {"error_code", "error_name", "error_message"} and body["error_code"] == 503 \
        and isinstance(body["error_name"], str)


def _keystone(body) -> bool:
    return body["error"]["code"] == 503 and isinstance(body["error"]["message"], str)


def _datameer_v1(body) -> bool:
    return set(body) == {"error"} and isinstance(body["error"], str)


def _datameer_v2(body) -> bool:
    return body["status"] == "failure" and isinstance(body["reason"], str)


def _cdq(body) -> bool:
    return set(body) == {"code", "technicalKey", "message"} and body["code"] == 50300000 \
        and isinstance(body["technicalKey"], str)


def _sas(body) -> bool:
    """error2 as JSON, or as the text form SAS's text/plain endpoints (state, time stamps) answer."""
    if isinstance(body, str):
        return body.startswith("ErrorResponse[version=2,status=503,")
    return body["httpStatusCode"] == 503 and body["version"] == 2 and isinstance(body["errorCode"], int)


@dataclass(frozen=True)
class Style:
    """How one dialect's clients authenticate, and the shape of its fault document."""
    name: str
    headers: dict[str, str]
    is_fault: Callable[[dict], bool]


_BEARER = {"Authorization": f"Bearer {TOKENS['alice']}"}
_BASIC = {"Authorization": "Basic " + base64.b64encode(":".join(LOGIN).encode()).decode()}
#: by the static start of a rule, longest first
STYLES = [
    ("/on/demandware.servlet/webdav/", Style("ocapi-webdav", _BEARER, _ocapi)),
    ("/dwsso/oauth2/", Style("oauth", _BASIC, _oauth)),
    ("/identity/v3", Style("keystone", {}, _keystone)),      # password login in the body
    ("/dw/data/", Style("ocapi", _BEARER, _ocapi)),
    ("/api/v1/", Style("native", _BEARER, _native)),
    ("/api/job-execution/", Style("datameer-v2", _BASIC, _datameer_v2)),
    ("/cdq/oauth/", Style("oauth", _BASIC, _oauth)),
    ("/cdq/", Style("cdq", {"X-API-KEY": TOKENS["alice"]}, _cdq)),
    ("/rest/", Style("datameer", _BASIC, _datameer_v1)),
    ("/v1.1/", Style("sahara", {"X-Auth-Token": TOKENS["alice"]}, _sahara)),
    ("/s/", Style("ocapi", _BEARER, _ocapi)),
    ("/jobExecution", Style("sas", _BEARER, _sas)),
    ("/jobDefinitions/", Style("sas", _BEARER, _sas)),
    ("/files/", Style("sas", _BEARER, _sas)),
    ("/SASLogon/", Style("oauth", _BASIC, _oauth)),
]


# -- plausible requests --------------------------------------------------------------

@dataclass
class Ids:
    """Real objects of alice's tenant, made while Redis is up, for the path arguments."""
    definition: str           # uuid of a job made through the API
    definition_seq: int       # its integer id (Datameer's)
    execution: str            # uuid of a parked execution (stays QUEUED)
    seq: int                  # its integer id (OCAPI's)
    job: str                  # its job (catalog)
    schedule: str             # made through the native API
    cdq_schedule: str         # made through CDQ's (CDQ shows its own only)
    log_name: str             # its OCAPI log file name
    webhook: str              # a webhook subscription (native)


def prepare(base: str) -> Ids:
    http = requests.Session()
    http.headers.update(_BEARER)

    def made(path: str, body: dict) -> dict:
        response = http.post(f"{base}/api/v1{path}", json=body, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    definition = made("/definitions", {"id": f"Sweep{uuid.uuid4().hex[:8]}",
                                       "steps": [{"type": "sleep", "params": {"seconds": 0}}]})
    execution = made("/executions", {"definition": "ParkedJob"})
    schedule = made("/schedules", {"definition": "ParkedJob", "cron": "0 3 * * *"})
    webhook = made("/webhooks", WEBHOOK)
    scheduled = requests.post(f"{base}/cdq/v2/jobs/scheduled", headers={"X-API-KEY": TOKENS["alice"]}, timeout=10,
                              json={"scheduledJob": {"cronExpression": "0 3 * * *", "type": "ParkedJob"}})
    assert scheduled.status_code == 200, scheduled.text
    shown = http.get(f"{base}/dw/data/v25_6/jobs/ParkedJob/executions/{execution['seq']}", timeout=10).json()
    return Ids(definition["uuid"], definition["seq"], execution["id"], execution["seq"], "ParkedJob",
               schedule["id"], scheduled.json()["id"], shown["log_file_name"], webhook["id"])


def _ref(rule: str, ids: Ids) -> str:
    """What a `<ref>` names in this rule, in the id style of its dialect."""
    if "/job-configuration/" in rule or rule.startswith("/api/job-execution/"):
        return str(ids.definition_seq)                  # Datameer configuration and file ids
    if re.search(r"/(definitions|jobs)/<ref>", rule):
        return ids.definition
    if rule.startswith("/rest/"):
        return str(ids.seq)                             # Datameer execution ids
    return ids.execution


def _path_values(rule, ids: Ids) -> dict[str, str]:
    plain = {"version": "v19_5", "site": "RefArch", "tenant_id": TENANT, "job_type": "Shell",
             "job_id": ids.job, "id": str(ids.seq), "schedule_id": ids.schedule, "log_name": ids.log_name,
             "jobId": ids.execution, "scheduledJobId": ids.cdq_schedule, "storageId": STORAGE,
             "processingLogId": "VALIDATION_LOG", "request_id": ids.execution,
             "definition_id": ids.definition, "file_id": ids.execution, "provider_id": "jobgate",
             "webhook_id": ids.webhook}
    values = {}
    for name in rule.arguments:
        if name == "ref":
            values[name] = _ref(rule.rule, ids)
        elif name == "job_id" and rule.rule.startswith("/jobExecution/"):
            values[name] = ids.execution                # SAS jobs are executions, by uuid
        elif name in plain:
            values[name] = plain[name]
        else:
            raise LookupError(f"{rule.rule}: no plausible value for <{name}>; add one in tests/sweep.py")
    return values


def _options(method: str, rule: str, ids: Ids) -> dict:
    """What a valid request of this route sends besides its path: a body, a form, a query
    (rules under /s/<site> share the /dw/data ones)."""
    changed = "changed while Redis is away"
    table = {
        ("POST", "/api/v1/definitions"): {"json": {"id": "SweptJob", "steps": [
            {"type": "sleep", "params": {"seconds": 0}}]}},
        ("PATCH", "/api/v1/definitions/<ref>"): {"json": {"description": changed}},
        ("POST", "/api/v1/executions"): {"json": {"definition": "QuickJob", "parameters": {"greeting": "hi"}}},
        ("PUT", "/api/v1/executions/<ref>/expiry"): {"json": {"after_end": 3600}},
        ("POST", "/api/v1/schedules"): {"json": {"definition": "QuickJob", "cron": "0 3 * * *"}},
        ("POST", "/api/v1/webhooks"): {"json": WEBHOOK},
        ("POST", "/dw/data/<version>/jobs/<job_id>/executions"): {"json": {"parameters": [
            {"name": "greeting", "value": "hi"}]}},
        ("POST", "/dw/data/<version>/job_execution_search"): {"json": {"query": {"match_all_query": {}},
                                                                       "count": 10}},
        ("POST", "/dwsso/oauth2/access_token"): {"data": {"grant_type": "client_credentials"}},
        ("POST", "/identity/v3/auth/tokens"): {"json": {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": LOGIN[0], "password": LOGIN[1], "domain": {"id": "default"}}}},
            "scope": {"project": {"name": TENANT, "domain": {"id": "default"}}}}}},
        ("PATCH", "/v1.1/<tenant_id>/job-executions/<ref>"): {"json": {"is_public": True}},
        ("POST", "/v1.1/<tenant_id>/jobs"): {"json": {"name": "swept-template", "type": "Shell"}},
        ("PATCH", "/v1.1/<tenant_id>/jobs/<ref>"): {"json": {"description": changed}},
        ("POST", "/v1.1/<tenant_id>/jobs/<ref>/execute"): {"json": {
            "cluster_id": CLUSTER, "job_configs": {"configs": {"greeting": "hi"}}}},
        ("POST", "/rest/job-execution"): {"params": {"configuration": ids.definition_seq}},
        ("POST", "/api/job-execution/sequential-trigger"): {"json": {"files": [ids.definition_seq]}},
        ("POST", "/cdq/oauth/token"): {"data": {"grant_type": "client_credentials"}},
        ("POST", "/cdq/v2/jobs"): {"json": {"type": "QuickJob", "input": {"greeting": "hi"}, "storageId": STORAGE}},
        ("PUT", "/cdq/v2/jobs/<jobId>"): {"json": {"name": changed}},
        ("PUT", "/cdq/jobs/<jobId>/resultdata"): {"json": {"resultData": "{}"}},
        ("GET", "/cdq/jobs/<jobId>/results"): {"params": {"storageId": STORAGE}},
        ("POST", "/cdq/jobs/results/fetchLast"): {"json": {"jobType": "QuickJob", "storageId": STORAGE}},
        ("POST", "/jobExecution/jobs"): {"json": {"jobDefinitionUri": f"/jobDefinitions/definitions/{ids.definition}"}},
        ("PUT", "/jobExecution/jobs/<job_id>/state"): {"params": {"value": "canceled"}},
        ("PUT", "/jobExecution/jobs/<job_id>/expirationTimeStamp"): {"params": {"value": "2099-01-01T00:00:00.000Z"}},
        ("PUT", "/jobExecution/jobs/<job_id>"): {"json": {"stateDetails": changed}, "headers": {"If-Match": '"1"'}},
        ("PUT", "/jobExecution/jobs/@selection/state"): {"params": {"value": "canceled"},
                                                         "json": {"version": 1, "type": "uri", "resources": [
                                                             f"/jobExecution/jobs/{ids.execution}"]}},
        ("POST", "/jobExecution/jobRequests"): {"json": {
            "jobDefinitionUri": f"/jobDefinitions/definitions/{ids.definition}"}},
        ("PUT", "/jobExecution/jobRequests/<request_id>"): {"json": {
            "jobDefinitionUri": f"/jobDefinitions/definitions/{ids.definition}"}, "headers": {"If-Match": '"1"'}},
        ("POST", "/jobExecution/jobRequests/@selection/jobs"): {"json": {"version": 1, "type": "uri", "resources": [
            f"/jobExecution/jobRequests/{ids.execution}"]}},
        ("POST", "/jobDefinitions/definitions"): {"json": {"name": "swept", "type": "Compute"}},
        ("PUT", "/jobDefinitions/definitions/<definition_id>"): {"json": {"name": "swept", "description": changed},
                                                                 "headers": {"If-Match": '"1"'}},
        ("POST", "/SASLogon/oauth/token"): {"data": {"grant_type": "password", "username": LOGIN[0],
                                                     "password": LOGIN[1]}},
        ("POST", "/cdq/v2/jobs/scheduled"): {"json": {"scheduledJob": {"cronExpression": "0 3 * * *",
                                                                       "type": "QuickJob"}}},
    }
    return table.get((method, re.sub(r"^/s/<site>", "", rule)), {})


@dataclass
class Call:
    method: str
    rule: str
    path: str
    style: Style
    options: dict               # requests' json / data / params
    needs_store: bool = True

    def send(self, base: str, http: requests.Session | None = None) -> requests.Response:
        options = dict(self.options)
        headers = {**self.style.headers, **options.pop("headers", {})}
        response = (http or requests).request(self.method, base + self.path, headers=headers,
                                              timeout=30, allow_redirects=False, stream=True, **options)
        if response.headers.get("Content-Type", "").startswith("text/event-stream"):
            response.close()          # an event stream stays open: its status and headers are the answer
        else:
            _ = response.content      # read whole, as a call without stream=True would be
        return response

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def calls(app, ids: Ids) -> list[Call]:
    """One call per method of every dialect route (deletes last, so the rest find their objects)."""
    docs = {f"{d.prefix}/{page}" for d in app.extensions["jobgate.dialects"].values()
            for page in ("openapi.json", "docs")}
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule in OUTSIDE or rule.rule in docs or rule.rule.startswith(ASSETS):   # the docs pages' scripts
            continue
        style = next((s for prefix, s in STYLES if rule.rule.startswith(prefix)), None)
        if style is None:
            raise LookupError(f"{rule.rule}: no credential style for this prefix; add one in tests/sweep.py")
        values = _path_values(rule, ids)
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m, v=values: quote(v[m[1]], safe=""), rule.rule)
        for method in sorted(set(rule.methods) & set(METHODS)):
            found.append(Call(method, rule.rule, path, style, _options(method, rule.rule, ids),
                              (method, rule.rule) not in NO_STORE))
    return sorted(found, key=lambda c: c.method == "DELETE")
