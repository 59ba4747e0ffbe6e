"""CDQ Job Results: the per-record results a job's steps write (core result records), listed
with `GET /jobs/{jobId}/results` and the last one of a job type with `POST /jobs/results/fetchLast`."""
from __future__ import annotations

import json

from adapters.cdq import schemas
from adapters.cdq.routes import blp
from jobgate.errors import NotFound
from jobgate.kit.blueprint import principal, service
from jobgate.model import ResultRecord

#: record keys a JobResult shows (the identifiers a step writes)
SHOWN_KEYS = ("dataSourceId", "businessPartnerId", "addressId", "externalId", "addressExternalId",
              "countryShortName")


def show_id(seq: int) -> str:
    """A result's id: 24 hex digits of its seq, so ids sort as the records do."""
    return f"{seq:024x}"


def job_result(record: ResultRecord) -> dict:
    data = record.data
    document = {"id": show_id(record.seq), "jobId": record.execution_id,
                **{key: record.keys[key] for key in SHOWN_KEYS if key in record.keys},
                "jobType": record.definition_id,
                "resultData": data if isinstance(data, str) or data is None else json.dumps(data),
                "status": "FAILED" if record.failed else "OK", "message": record.message or None,
                "executedAt": record.created}
    return {key: value for key, value in document.items() if value is not None}


def where(query: dict, *fields: str) -> dict[str, list[str]]:
    """The query's exact-match filters on record keys (array or single values)."""
    found = {}
    for field in fields:
        value = query.get(field)
        if value:
            found[field] = value if isinstance(value, list) else [value]
    return found


def page_document(query: dict, page) -> dict:
    document = {"startAfter": query.get("startAfter"),
                "nextStartAfter": show_id(page.next) if page.next is not None else None,
                "limit": query["limit"], "total": page.total, "values": [job_result(r) for r in page.items]}
    return {key: value for key, value in document.items() if value is not None}


def cursor(query: dict) -> int | None:
    return int(query["startAfter"], 16) if query.get("startAfter") else None


@blp.route("/jobs/<jobId>/results")
@blp.arguments(schemas.ResultsQuery, location="query")
@blp.response(200, schemas.ResultPage)
@blp.faults(400, 404)
def list_job_results(query, jobId):
    """List Job Run Results, oldest first, after `startAfter`."""
    execution = blp.dialect.execution(jobId)
    filters = where(query, "storageId", "businessPartnerId", "dataSourceId", "externalId")
    failed = None if "status" not in query else query["status"] == "FAILED"
    page = service().records(principal(), execution.id, where=filters, failed=failed, after=cursor(query),
                             limit=query["limit"])
    return page_document(query, page)


@blp.route("/jobs/results/fetchLast", methods=["POST"])
@blp.arguments(schemas.FetchLastRequest)
@blp.response(200, schemas.JobResult)
@blp.faults(400, 404)
def fetch_last(body):
    """Fetch Last Processed ID: the newest result of a job type for a storage, across its jobs."""
    page = service().records(principal(), where={"storageId": [body["storageId"]]}, definitions=[body["jobType"]],
                             limit=1, newest_first=True)
    if not page.items:
        raise NotFound(f"no job result of type {body['jobType']!r} for storage {body['storageId']!r}")
    return job_result(page.items[0])
