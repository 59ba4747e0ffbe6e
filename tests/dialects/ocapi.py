"""The OCAPI Data API's wire driver (jobs, executions, WebDAV logs).

OCAPI addresses an execution under its job; ids this driver did not submit
are located through `job_execution_search`, as a client holding only an id would.
"""
from urllib.parse import urlsplit

from jobgate.testing import Sample, Snapshot, WireDriver, WireError, utc

#: a version that shows `parameters` (from 23.2)
DATA = "/s/-/dw/data/v23_2"
#: OCAPI (execution_status, status) -> canonical state, read test-side
EXECUTING = {"PENDING": "QUEUED", "RUNNING": "RUNNING"}
ENDED = {("finished", "OK"): "SUCCEEDED", ("finished", "WARN"): "SUCCEEDED_WITH_WARNINGS",
         ("finished", "ERROR"): "FAILED", ("aborted", "ABORTED"): "CANCELED", ("unknown", "ERROR"): "DIED"}
KINDS = {"JobNotFoundException": "not_found", "JobExecutionNotFoundException": "not_found",
         "InvalidAuthorizationHeaderException": "unauthorized", "InvalidAccessTokenException": "unauthorized",
         "JobAlreadyRunningException": "already_running", "JobExecutionNotFinishedException": "not_finished",
         "ServiceUnavailableException": "unavailable", "IdempotencyKeyReusedException": "idempotency_key_reused"}


class Driver(WireDriver):
    name = "ocapi"
    #: execution id -> job id, shared by every driver of the session like a client's memory
    jobs: dict[str, str] = {}

    def credentials(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def fault(self, response):
        if urlsplit(response.url).path.startswith("/api/"):
            return WireError(response.status_code, response.json()["error"]["code"], response.text)
        body = response.json()
        fault = body["fault"]
        assert set(fault) == {"arguments", "type", "message"}, body
        return WireError(response.status_code, KINDS.get(fault["type"], "invalid"), body)

    def samples(self):
        term = {"term_query": {"fields": ["job_id"], "operator": "is", "values": ["FuzzedJob"]}}
        since = {"range_filter": {"field": "start_time", "from": "2020-01-01T00:00:00.000Z", "from_inclusive": True}}
        search = {"query": {"bool_query": {"must": [term], "must_not": [{"match_all_query": {}}], "should": [
            {"filtered_query": {"query": {"match_all_query": {}}, "filter": {"bool_filter": {
                "operator": "or", "filters": [since, {"term_filter": {"field": "status", "operator": "one_of",
                                                                      "values": ["PENDING", "OK"]}}]}}}}]}},
            "sorts": [{"field": "start_time", "sort_order": "desc"}], "start": 0, "count": 5, "select": "(**)"}
        return [Sample("POST", f"{DATA}/jobs/FuzzedJob/executions", {"parameters": [{"name": "text", "value": "hi"}]}),
                Sample("POST", f"{DATA}/job_execution_search", search),
                Sample("GET", f"{DATA}/jobs/FuzzedJob/executions", params={"start": 0, "count": 5})]

    def submit(self, job, parameters=None):
        body = {"parameters": [{"name": k, "value": str(v)} for k, v in (parameters or {}).items()]}
        ref = self.call("POST", f"{DATA}/jobs/{job}/executions", json=body).json()["id"]
        self.jobs[ref] = job
        return ref

    def _document(self, ref):
        return self.call("GET", f"{DATA}/jobs/{self._job_of(ref)}/executions/{ref}").json()

    def get(self, ref):
        doc = self._document(ref)
        if doc["status"] in EXECUTING:
            state = EXECUTING[doc["status"]]
        else:
            state = ENDED[doc["execution_status"], doc["exit_status"]["code"]]
        steps = [(s["step_id"], ENDED.get((s["execution_status"], s["status"]), EXECUTING.get(s["status"])))
                 for s in doc.get("step_executions") or []]
        parameters = {p["name"]: p["value"] for p in doc.get("parameters") or []}
        return Snapshot(doc["id"], state, (doc.get("exit_status") or {}).get("message") or "", steps, doc["job_id"],
                        parameters, utc(doc.get("start_time")), utc(doc.get("end_time")))

    def page(self, job, offset, limit):
        data = self.call("GET", f"{DATA}/jobs/{job}/executions", params={"start": offset, "count": limit}).json()
        return [item["id"] for item in data["data"]], data["total"]

    def delete(self, ref):
        self.call("DELETE", f"{DATA}/jobs/{self._job_of(ref)}/executions/{ref}")

    def log(self, ref):
        name = self._document(ref)["log_file_name"]
        return self.call("GET", f"/on/demandware.servlet/webdav/Sites/Impex/log/{name}").text

    def ref(self, uuid, seq):
        return str(seq)

    def _job_of(self, ref):
        if ref not in self.jobs:
            query = {"term_query": {"fields": ["id"], "operator": "is", "values": [ref]}}
            hits = self.call("POST", f"{DATA}/job_execution_search", json={"query": query}).json().get("hits", [])
            return hits[0]["job_id"] if hits else "-"
        return self.jobs[ref]
