"""How each dialect submits Noop, reads a run's status and lists runs, in its own wire format
(shapes from adapters/ and tests/dialects/), and the bench's one tenant and principal."""
from __future__ import annotations

import base64
from collections.abc import Callable
from typing import NamedTuple

TENANT, TOKEN, PASSWORD = "bench", "bench-token", "bench-password"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SUBMIT = ("POST", "/api/v1/executions", {"definition": "Noop"})
OCAPI, SAHARA = "/s/-/dw/data/v19_5", f"/v1.1/{TENANT}"
SAS_REQUEST = {"Content-Type": "application/vnd.sas.job.execution.job.request+json"}
BASIC = {"Authorization": "Basic " + base64.b64encode(f"bench:{PASSWORD}".encode()).decode()}
CLUSTER = "811e1134-666f-4c48-bc92-afb5b10c9d8c"


class Dialect(NamedTuple):
    auth: dict
    submit: Callable    # find(path) -> that GET's JSON  =>  (path, body, extra headers)
    ref: Callable       # the submit's answer -> the id its status read takes
    status: str         # the status read's path, "{}" the id
    lists: Callable     # find => {label: (method, path, body)}: its lists and filters, a page of 10


def sahara_job(find) -> str:
    return find(f"{SAHARA}/jobs?name=Noop")["jobs"][0]["id"]


def sas_definition(find) -> str:
    found = find("/jobDefinitions/definitions?filter=eq(name,'Noop')")["items"][0]["id"]
    return f"/jobDefinitions/definitions/{found}"


def datameer_file(find) -> int:
    return find("/api/job-execution/%2FData%2FJobs%2FNoop/status")["file-id"]


def ocapi_search(query: dict, sorts: list) -> dict:
    return {"query": query, "sorts": sorts, "start": 0, "count": 10}


DIALECTS = {
    "native": Dialect(
        AUTH, lambda find: (SUBMIT[1], SUBMIT[2], {}), lambda doc: doc["id"], "/api/v1/executions/{}",
        lambda find: {"list": ("GET", "/api/v1/executions?limit=10", None),
                      "state=FAILED": ("GET", "/api/v1/executions?limit=10&state=FAILED", None),
                      "definition, oldest": ("GET", "/api/v1/executions?limit=10&definition=Noop&order=oldest",
                                             None)}),
    "ocapi": Dialect(
        AUTH, lambda find: (f"{OCAPI}/jobs/Noop/executions", {"parameters": []}, {}),
        lambda doc: str(doc["id"]), OCAPI + "/jobs/Noop/executions/{}",
        lambda find: {
            "job's executions": ("GET", f"{OCAPI}/jobs/Noop/executions?start=0&count=10", None),
            "search all": ("POST", f"{OCAPI}/job_execution_search", ocapi_search({"match_all_query": {}}, [])),
            "search status, by start_time": ("POST", f"{OCAPI}/job_execution_search", ocapi_search(
                {"term_query": {"fields": ["status"], "operator": "is", "values": ["ERROR"]}},
                [{"field": "start_time", "sort_order": "desc"}]))}),
    "sahara": Dialect(
        {"X-Auth-Token": TOKEN},
        lambda find: (f"{SAHARA}/jobs/{sahara_job(find)}/execute", {"cluster_id": CLUSTER}, {}),
        lambda doc: doc["job_execution"]["id"], SAHARA + "/job-executions/{}",
        lambda find: {"list": ("GET", f"{SAHARA}/job-executions?limit=10", None),
                      "sort_by=-status": ("GET", f"{SAHARA}/job-executions?limit=10&sort_by=-status", None),
                      "sort_by=id": ("GET", f"{SAHARA}/job-executions?limit=10&sort_by=id", None),
                      "status=killed": ("GET", f"{SAHARA}/job-executions?limit=10&status=killed", None)}),
    "datameer": Dialect(
        BASIC, lambda find: ("/api/job-execution/%2FData%2FJobs%2FNoop/trigger", b"",
                             {"Content-Type": "application/json"}),
        lambda doc: str(doc["job-execution-id"]), "/rest/job-execution/job-details/{}",
        lambda find: {"job-history": (
            "GET", f"/rest/job-configuration/job-history/{datameer_file(find)}?start=0&length=10", None)}),
    "sas": Dialect(
        AUTH, lambda find: ("/jobExecution/jobs", {"jobDefinitionUri": sas_definition(find)}, SAS_REQUEST),
        lambda doc: doc["id"], "/jobExecution/jobs/{}",
        lambda find: {"list": ("GET", "/jobExecution/jobs?start=0&limit=10", None),
                      "filter state, sortBy": ("GET", "/jobExecution/jobs?start=0&limit=10&filter=eq(state,'failed')"
                                                      "&sortBy=creationTimeStamp:descending", None),
                      "filter definition": ("GET", "/jobExecution/jobs?start=0&limit=10&filter="
                                                   f"eq(jobDefinitionUri,'{sas_definition(find)}')", None)}),
    "cdq": Dialect(
        {"X-API-KEY": TOKEN}, lambda find: ("/cdq/v2/jobs", {"type": "Noop"}, {}), lambda doc: doc["id"],
        "/cdq/v2/jobs/{}",
        lambda find: {"list": ("GET", "/cdq/v2/jobs?limit=10", None),
                      "jobType, status, total": ("GET", "/cdq/v2/jobs?limit=10&jobType=Noop&status=FAILED"
                                                        "&features=NUMBER_OF_TOTAL", None)}),
}
