"""CDQ Processing logs: `GET /jobs/processinglogs/{storageId}/{processingLogId}`, the job results of a
storage's FINISHED jobs of the log's job types (wire.job_types_of), oldest first, next-after paging.

`total` is counted by one pass over the matching results (the finished-job and time filters are not
indexed); `excludeFeatures=NUMBER_OF_TOTAL` skips it, `FETCH_RESULT_DATA` leaves `resultData` out.
"""
from __future__ import annotations

import json

from adapters.cdq import schemas, wire
from adapters.cdq.results import cursor, job_result, show_id, where
from adapters.cdq.routes import blp
from jobgate import limits
from jobgate.errors import NotFound
from jobgate.kit.blueprint import principal, service
from jobgate.model import SUCCESS, ResultRecord


@blp.route("/jobs/processinglogs/<storageId>/<processingLogId>")
@blp.arguments(schemas.ProcessingLogQuery, location="query")
@blp.response(200, schemas.ProcessingLogPage)
@blp.faults(400, 404)
def processing_log(query, storageId, processingLogId):
    """List Processing Log Data"""
    if processingLogId not in wire.PROCESSING_LOG_IDS:
        raise NotFound(f"no processing log {processingLogId!r}; known: {', '.join(wire.PROCESSING_LOG_IDS)}")
    accept = _finished_and_within(query)
    filters = where(query, "businessPartnerId", "dataSourceId", "externalId")
    selection = dict(where={"storageId": [storageId], **filters},
                     failed=None if "status" not in query else query["status"] == "FAILED",
                     definitions=wire.job_types_of(processingLogId), accept=accept)
    page = service().records(principal(), after=cursor(query), limit=query["limit"], **selection)
    total = None if "NUMBER_OF_TOTAL" in query["excludeFeatures"] else _count(selection)
    document = {"startAfter": query.get("startAfter"),
                "nextStartAfter": show_id(page.next) if page.next is not None else None,
                "limit": query["limit"], "total": total,
                "values": [_entry(r, storageId, processingLogId, query) for r in page.items]}
    return {key: value for key, value in document.items() if value is not None}


def _finished_and_within(query: dict):
    """Results of FINISHED jobs only, created within the query's bounds (each job read once)."""
    finished: dict[str, bool] = {}

    def accept(record: ResultRecord) -> bool:
        if record.execution_id not in finished:
            try:
                finished[record.execution_id] = service().get(principal(), record.execution_id).state in SUCCESS
            except NotFound:
                finished[record.execution_id] = False
        return (finished[record.execution_id]
                and ("createdAtFrom" not in query or record.created >= query["createdAtFrom"])
                and ("createdAtTo" not in query or record.created <= query["createdAtTo"]))
    return accept


def _count(selection: dict) -> int:
    counted, after = 0, None
    while True:
        page = service().records(principal(), after=after, limit=limits.RECORDS_PAGE_MAX, **selection)
        counted += len(page.items)
        if page.next is None:
            return counted
        after = page.next


def _entry(record: ResultRecord, storage: str, log_id: str, query: dict) -> dict:
    entry = {**job_result(record), "storageId": storage, "processingLogId": log_id, "createdAt": record.created}
    if "FETCH_RESULT_DATA" in query["excludeFeatures"]:
        entry.pop("resultData", None)
    elif query.get("resultDataFields") and "resultData" in entry:
        entry["resultData"] = _selected(record.data, query["resultDataFields"])
    return entry


def _selected(data, names: list[str]) -> str:
    """Only the named fields of a record's result data (JSON text of an object, or an object)."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return data
    if not isinstance(data, dict):
        return json.dumps(data)
    return json.dumps({name: data[name] for name in names if name in data})
