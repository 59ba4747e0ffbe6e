"""The OCAPI Data API's wire driver (jobs, executions, WebDAV logs).

OCAPI addresses an execution under its job; ids this driver did not submit
are located through `job_execution_search`, as a client holding only an id would.
"""
from jobgate.testing import Snapshot, WireDriver, WireError, utc

#: a version that shows `parameters` (from 23.2)
DATA = "/s/-/dw/data/v23_2"
#: OCAPI (execution_status, status) -> canonical state, read test-side
EXECUTING = {"PENDING": "QUEUED", "RUNNING": "RUNNING"}
ENDED = {("finished", "OK"): "SUCCEEDED", ("finished", "WARN"): "SUCCEEDED_WITH_WARNINGS",
         ("finished", "ERROR"): "FAILED", ("aborted", "ABORTED"): "CANCELED", ("unknown", "ERROR"): "DIED"}
KINDS = {"JobNotFoundException": "not_found", "JobExecutionNotFoundException": "not_found",
         "InvalidAuthorizationHeaderException": "unauthorized", "InvalidAccessTokenException": "unauthorized",
         "JobAlreadyRunningException": "already_running", "JobExecutionNotFinishedException": "not_finished",
         "ServiceUnavailableException": "unavailable"}


class Driver(WireDriver):
    name = "ocapi"
    #: execution id -> job id, shared by every driver of the session like a client's memory
    jobs: dict[str, str] = {}

    def _call(self, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.http.request(method, self.base_url + path, headers=headers, timeout=10, **kwargs)
        if response.status_code >= 400 and path.startswith("/api/"):
            raise WireError(response.status_code, response.json()["error"]["code"], response.text)
        if response.status_code >= 400:
            body = response.json()
            fault = body["fault"]
            assert set(fault) == {"arguments", "type", "message"}, body
            raise WireError(response.status_code, KINDS.get(fault["type"], "invalid"), body)
        return response

    def submit(self, job, parameters=None):
        body = {"parameters": [{"name": k, "value": str(v)} for k, v in (parameters or {}).items()]}
        ref = self._call("POST", f"{DATA}/jobs/{job}/executions", json=body).json()["id"]
        self.jobs[ref] = job
        return ref

    def _document(self, ref):
        return self._call("GET", f"{DATA}/jobs/{self._job_of(ref)}/executions/{ref}").json()

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
        data = self._call("GET", f"{DATA}/jobs/{job}/executions", params={"start": offset, "count": limit}).json()
        return [item["id"] for item in data["data"]], data["total"]

    def delete(self, ref):
        self._call("DELETE", f"{DATA}/jobs/{self._job_of(ref)}/executions/{ref}")

    def log(self, ref):
        name = self._document(ref)["log_file_name"]
        return self._call("GET", f"/on/demandware.servlet/webdav/Sites/Impex/log/{name}").text

    def ref(self, uuid, seq):
        return str(seq)

    def _job_of(self, ref):
        if ref not in self.jobs:
            query = {"term_query": {"fields": ["id"], "operator": "is", "values": [ref]}}
            hits = self._call("POST", f"{DATA}/job_execution_search", json={"query": query}).json().get("hits", [])
            return hits[0]["job_id"] if hits else "-"
        return self.jobs[ref]
